/**
 * A self-check whose own identity lacks a Kubernetes right on an Entra cluster with Azure RBAC: the
 * message names the role to grant on the cluster's real resource id (the student's kubeconfig context
 * was matched to their cluster through Azure), never a placeholder.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../core/model.js';
import { credentialFor } from '../../probes/azure/token.js';
import { sandboxRequest, useSelfCheckLab } from '../../test/support/selfcheck-sandbox.js';
import { collectedNotices } from '../../test/support/notices.js';
import { selfCheck } from './selfcheck.js';

const lab = useSelfCheckLab('fixtures/scenarios/realism/38-entra-azure-rbac-grader-no-reader.yaml');

describe('self-check: a right the signed-in identity lacks', () => {
  it("is granted on the cluster's ARM resource id, as Azure lists it", async () => {
    const home = mkdtempSync(join(lab.root, 'home-'));
    const json = join(lab.root, 'result.json');
    await selfCheck(sandboxRequest(lab, { reports: [{ format: 'json', file: json }] }), {
      stdout: { write: () => undefined, color: false, isTTY: false },
      notices: collectedNotices(),
      home,
      env: { USER: lab.scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
      login: async () => credentialFor(lab.sandbox.config.azure!, lab.sandbox.caPem),
    });
    const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    const pod = run.students[0].checks.find((c) => c.id === 'ex5.pod.running')!;
    const cluster = lab.scenario.azure!.clusters![0].name;
    const id = `/subscriptions/${lab.sandbox.config.azure!.subscriptionId}/resourceGroups/${lab.scenario.user}-rg/providers/Microsoft.ContainerService/managedClusters/${cluster}`;
    expect(pod).toMatchObject({ status: 'error', code: 'LG-016' });
    const missing = (pod.evidence as { missingRight: { scope: string; grant: string } }).missingRight;
    expect(missing.scope.toLowerCase()).toBe(id.toLowerCase());
    expect(missing.grant).toBe(
      `az role assignment create --role "Azure Kubernetes Service RBAC Reader" --assignee ${(pod.evidence as { missingRight: { principal: string } }).missingRight.principal} --scope ${missing.scope}`,
    );
  }, 120_000);
});
