/**
 * A legitimate student with a long Helm history is not taken for a memory attack. Helm keeps up to 10
 * revisions of each release (--history-max) as Secrets, each up to ~1 MiB; a student who tried a few
 * charts of a few hundred KB (a monitoring stack's CRDs) and upgraded them has 3 releases × 10
 * revisions: ~14 MB of Secrets, past the 8 MiB cap of one answer, and their Helm checks ended `error`
 * LG-014, the student incomplete. The grader lists only the records it grades: every revision but the
 * superseded ones (`status!=superseded`, as `helm history` keeps them), so the answer stays a few MB
 * while an endless or huge list is still cut at the cap (kube-answers.test.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import { CHECK_IDS } from '../../checks/index.js';
import type { StudentResult } from '../../core/model.js';
import { KUBE_ANSWER_LIMITS } from '../../probes/kube/capped-http.js';
import { helmRecords } from '../../sandbox/kube/helm.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios, type Scenario, type ScenarioHelmRelease } from '../../sandbox/scenario.js';
import { BUILT_IN, gradeRequest, timed, variant } from './support.js';

/** What gzip leaves of a chart with large CRDs: a record of about this size per revision. */
const MANIFEST_BYTES = 300 * 1024;

/** Three charts tried and upgraded nine times each: Helm keeps all 10 revisions of each. */
const history = (helm: 2 | 3): ScenarioHelmRelease[] =>
  ['monitoring', 'ingress', 'logging'].map((name) => ({ name, chart: `${name}-1.9.0`, helm, status: 'deployed', values: {}, tiller: false, revisions: 10, manifestBytes: MANIFEST_BYTES }));

/** A built-in Helm student with that history beside the lab's release. */
function withHistory(file: string, user: string, helm: 2 | 3): Scenario {
  const [base] = loadScenarios([join(BUILT_IN, file)], CHECK_IDS);
  const student = variant(base, user);
  return { ...student, kubernetes: { ...student.kubernetes!, helm: [...student.kubernetes!.helm, ...history(helm)] } };
}

const STUDENTS = { 'helm3-history': withHistory('02-helm3.yaml', 'helm3-history', 3), 'helm2-history': withHistory('03-helm2-tiller.yaml', 'helm2-history', 2) };

let sandbox: Sandbox;
let by: Record<string, StudentResult>;

beforeAll(async () => {
  sandbox = await startSandbox(Object.values(STUDENTS));
  const request = gradeRequest({ users: Object.keys(STUDENTS), only: ['ex7'], reports: [{ format: 'json' }] });
  const out = await timed(60_000, () => gradeAndReport(sandbox.config, request, { stdout: { write: () => {}, color: false, isTTY: false }, notices: NO_NOTICES }));
  by = Object.fromEntries(out.value.run.students.map((s) => [s.user, s]));
}, 90_000);
afterAll(() => sandbox?.stop());

describe.each(Object.entries(STUDENTS))('3 releases × 10 revisions of ~300 KB beside the lab release (%s)', (user, scenario) => {
  it('is more than one answer may hold when read whole', () => {
    const records = history(user === 'helm3-history' ? 3 : 2).flatMap((r) => helmRecords(r, '2026-03-01T10:00:00Z'));
    expect(records).toHaveLength(30);
    expect(Buffer.byteLength(JSON.stringify(records))).toBeGreaterThan(KUBE_ANSWER_LIMITS.maxAnswerBytes);
  });

  it("grades the lab's release as the scenario without the history does", () => {
    const got = Object.fromEntries(by[user].checks.map((c) => [c.id, c.status]));
    const expected = Object.fromEntries(Object.keys(got).map((id) => [id, scenario.expect[id]]));
    expect(got).toEqual(expected);
    expect(got['ex7.helm.release']).toBe('pass');
  });
});
