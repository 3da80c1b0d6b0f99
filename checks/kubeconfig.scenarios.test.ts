/**
 * Grading with an operator's kubeconfig (a class config's `kubernetes.kubeconfig`, as a self-check
 * uses one) against the simulated lab: the kubeconfig's current context is graded only when it is the
 * student's and holds the lab's work. Another student's kubeconfig grades the student's own cluster
 * from Azure; a context of the kubeconfig holding the lab's Deployments wins over an empty current
 * one; a context given is always graded. The evidence says which and why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ClassConfig } from '../core/config.js';
import type { CheckResult } from '../core/model.js';
import { startSandbox, type Sandbox } from '../sandbox/lab.js';
import { loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { mismatches } from '../test/support/expectations.js';
import { gradeConfig } from '../test/support/grading.js';
import { CHECK_IDS } from './index.js';

const [mine, other, twoClusters] = loadScenarios(
  ['fixtures/scenarios/realism/36-kubeconfig-of-another.yaml', 'fixtures/scenarios/realism/28-ex7-abandoned-helm3.yaml', 'fixtures/scenarios/realism/13-two-clusters.yaml'],
  CHECK_IDS,
);

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox([mine, other, twoClusters]);
  dir = mkdtempSync(join(tmpdir(), 'lab-grade-kubeconfig-'));
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig file of the given documents merged (contexts, clusters and users), its current context `current`. */
function kubeconfigFile(name: string, texts: string[], current: string): string {
  const docs = texts.map((t) => parse(t) as Record<string, unknown[]>);
  const merged = { apiVersion: 'v1', kind: 'Config', 'current-context': current, ...Object.fromEntries(['clusters', 'contexts', 'users'].map((k) => [k, docs.flatMap((d) => d[k])])) };
  const file = join(dir, name);
  writeFileSync(file, stringify(merged), { mode: 0o600 });
  return file;
}

/** Grades `s` with the class config's kubeconfig, with or without Azure. */
async function grade(s: Scenario, kubernetes: Omit<ClassConfig['kubernetes'], 'source'>, withAzure = true): Promise<{ status: string; checks: CheckResult[]; by: Record<string, CheckResult> }> {
  const config: ClassConfig = { ...sandbox.config, ...(withAzure ? {} : { azure: undefined, vm: undefined }), kubernetes: { source: 'kubeconfig', ...kubernetes } };
  const { run } = await gradeConfig(config, { users: [s.user], only: withAzure ? [] : ['ex5', 'ex6'] });
  const student = run.students[0];
  return { status: student.status, checks: student.checks, by: Object.fromEntries(student.checks.map((c) => [c.id, c])) };
}

describe("another student's kubeconfig, with Azure at hand", () => {
  it("grades the student's own cluster from Azure, as the scenario expects, and the evidence says why", async () => {
    const theirs = kubeconfigFile('theirs.yaml', [sandbox.kubeconfig(other.user)], 'aks-ex7-abandoned-helm3');
    const graded = await grade(mine, { kubeconfig: theirs });
    expect(mismatches(mine, graded.checks)).toEqual([]);
    expect(graded.by['ex5.kube.reachable'].evidence).toMatchObject({
      cluster: 'aks-kubeconfig-of-another',
      kubeconfig: expect.stringMatching(
        /^the kubeconfig's current context aks-ex7-abandoned-helm3 points at 127\.0\.0\.1:\d+, none of your clusters \(aks-kubeconfig-of-another\): your own cluster aks-kubeconfig-of-another from Azure is graded instead$/,
      ),
    });
  });

  it('a context given is graded as given, and the evidence says it is none of the student’s clusters', async () => {
    const theirs = kubeconfigFile('theirs-given.yaml', [sandbox.kubeconfig(other.user)], 'aks-ex7-abandoned-helm3');
    const graded = await grade(mine, { kubeconfig: theirs, context: 'aks-ex7-abandoned-helm3' });
    // The other student's objects: their Services were removed for Exercise 7.
    expect(graded.by['ex6.myapp.service']).toMatchObject({ status: 'fail', code: 'LG-637' });
    expect(graded.by['ex5.kube.reachable'].evidence).toMatchObject({
      cluster: 'aks-ex7-abandoned-helm3',
      kubeconfig: expect.stringMatching(/^the context aks-ex7-abandoned-helm3 points at 127\.0\.0\.1:\d+, none of your clusters \(aks-kubeconfig-of-another\): graded as given$/),
    });
  });

  it("the student's own kubeconfig is graded as it is, without a word about it", async () => {
    const own = kubeconfigFile('own.yaml', [sandbox.kubeconfig(mine.user)], 'aks-kubeconfig-of-another');
    const graded = await grade(mine, { kubeconfig: own });
    expect(mismatches(mine, graded.checks)).toEqual([]);
    expect(graded.by['ex5.kube.reachable'].evidence).toMatchObject({ cluster: 'aks-kubeconfig-of-another' });
    expect(graded.by['ex5.kube.reachable'].evidence).not.toHaveProperty('kubeconfig');
  });
});

describe('a kubeconfig with several contexts, no Azure', () => {
  const contexts = () => [sandbox.kubeconfig(twoClusters.user, 'aks-attempt1'), sandbox.kubeconfig(twoClusters.user, 'aks-lab')];

  it("the current context's cluster holds none of the lab's Deployments, another's does: that one, saying so", async () => {
    const graded = await grade(twoClusters, { kubeconfig: kubeconfigFile('two.yaml', contexts(), 'aks-attempt1') }, false);
    expect(graded.by['ex6.myapp.deployment'].status).toBe('pass');
    expect(graded.by['ex5.kube.reachable'].evidence).toMatchObject({
      cluster: 'aks-lab',
      chosenBecause: "the current context aks-attempt1's cluster holds none of the lab's Deployments; context aks-lab's holds them (myapp, myapi)",
      candidates: ['aks-attempt1', 'aks-lab'],
      kubeconfig: 'context aks-lab graded instead of the current context aks-attempt1',
    });
  });

  it('a context given is always graded, even the empty one', async () => {
    const graded = await grade(twoClusters, { kubeconfig: kubeconfigFile('two-given.yaml', contexts(), 'aks-lab'), context: 'aks-attempt1' }, false);
    expect(graded.by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-601' });
    expect(graded.by['ex5.kube.reachable'].evidence).toMatchObject({ cluster: 'aks-attempt1' });
  });
});
