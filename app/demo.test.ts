/**
 * `lab-grade demo` on the built-in class: every simulated student's verdicts equal its `expect:` block,
 * through the same path as a real class; and the built-in scenarios assert every check both passing
 * and not passing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, CHECK_IDS } from '../checks/index.js';
import { loadProfile } from '../core/profile.js';
import type { RunResult } from '../core/model.js';
import { wholeStudents } from '../core/result-spool.js';
import { evidenceText } from '../reporters/evidence.js';
import { renderJson, type JsonDocument } from '../reporters/json.js';
import { escapeXml } from '../reporters/text.js';
import { bufferOutput } from '../reporters/replay.js';
import { loadBuiltInClass, loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { BUILT_IN_CLASS_DIR as BUILT_IN_CLASS } from '../test/support/class.js';
import { runCli } from '../test/support/cli.js';
import { runDemo } from './demo.js';
import { NO_NOTICES } from './io.js';
import { mismatches } from '../test/support/expectations.js';

/** The checks the scenarios do not assert both passing (for one student) and not passing (for another). */
function missingVerdicts(scenarios: readonly Scenario[], ids: readonly string[]): string[] {
  return ids.flatMap((id) => {
    const verdicts = scenarios.flatMap((s) => (s.expect[id] ? [s.expect[id]] : []));
    if (verdicts.length === 0) return [`${id} is asserted nowhere`];
    if (!verdicts.includes('pass')) return [`${id} is asserted not passing but never passing`];
    if (verdicts.every((v) => v === 'pass')) return [`${id} is asserted passing but never not passing`];
    return [];
  });
}

describe('lab-grade demo', () => {
  it('grades every built-in student exactly as its expect: block says', async () => {
    const scenarios = loadBuiltInClass(CHECK_IDS);
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
    const out = bufferOutput();
    const reportDir = mkdtempSync(join(tmpdir(), 'lab-grade-demo-reports-'));
    const [junit, page] = [join(reportDir, 'junit.xml'), join(reportDir, 'class.html')];
    const { run, exitCode } = await runDemo({ concurrency: 16, reports: [{ format: 'json' }, { format: 'junit', file: junit }, { format: 'html', file: page }] }, [], {
      stdout: out,
      notices: NO_NOTICES,
    });
    const report = JSON.parse(out.text()) as JsonDocument;
    expect(report.students.map((s) => s.user)).toEqual(scenarios.map((s) => s.user));

    // The run holds the class without evidence; the reports have every student's, read back whole.
    const whole = [...wholeStudents(run)];
    expect(run.students.flatMap((s) => s.checks.filter((c) => Object.keys(c.evidence).length > 0))).toEqual([]);
    expect(whole.flatMap((s) => s.checks.filter((c) => Object.keys(c.evidence).length > 0)).length).toBeGreaterThan(100);
    expect(report.students).toEqual((JSON.parse(renderJson({ ...run, students: whole, readBack: undefined })) as JsonDocument).students);
    expect(whole.map((s) => ({ ...s, checks: s.checks.map((c) => ({ ...c, evidence: {} })) }))).toEqual(run.students);
    const someEvidence = whole[0].checks.find((c) => Object.keys(c.evidence).length > 0)!;
    expect(readFileSync(junit, 'utf8')).toContain(escapeXml(evidenceText(someEvidence.evidence)));
    expect(readFileSync(page, 'utf8').split('<pre class="evidence">').length - 1).toBeGreaterThan(10);

    const wrong: string[] = [];
    for (const scenario of scenarios) {
      const student = run.students.find((s) => s.user === scenario.user)!;
      wrong.push(...mismatches(scenario, student.checks));
    }
    expect(wrong).toEqual([]);
    // labuser10 has no VM: incomplete, hence exit 3.
    expect(run.students.find((s) => s.user === 'labuser10')!.status).toBe('incomplete');
    expect(exitCode).toBe(3);
  }, 120_000);

  it('the built-in scenarios assert every check of the catalogue passing for one student and not passing for another', () => {
    // The folders whose expect: blocks are graded in full: the built-in class here, the others by checks/*.scenarios.test.ts.
    const asserted = [
      ...loadBuiltInClass(CHECK_IDS),
      ...loadScenarios(
        ['vm', 'kube', 'realism'].map((d) => join(BUILT_IN_CLASS, d)),
        CHECK_IDS,
      ),
    ];
    expect(missingVerdicts(asserted, CHECK_IDS)).toEqual([]);
    // A check no expect: block names is reported, as is one that only ever passes.
    const onlyPassing = asserted.map((s) => ({ ...s, expect: { ...s.expect, 'ex6.api.replicas': 'pass' as const } }));
    expect(missingVerdicts(onlyPassing, CHECK_IDS)).toEqual(['ex6.api.replicas is asserted passing but never not passing']);
    expect(missingVerdicts(asserted, [...CHECK_IDS, 'ex6.cache.deployment'])).toEqual(['ex6.cache.deployment is asserted nowhere']);
  });

  it('grades scenario files written by someone else and writes the JSON report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-grade-scenarios-'));
    writeFileSync(
      join(dir, 'only-azure.yaml'),
      [
        'user: outsider01',
        'description: created the cluster and the registry, nothing else',
        'azure:',
        '  clusters: [{ name: k8s }]',
        '  registries: [{ name: outsiderreg, adminUserEnabled: true, images: ["myapp:v1.0"] }]',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out.json');
    const r = await runCli(['demo', '--scenarios', dir, '--reporter', `json=${out}`], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(3); // no VM: incomplete
    const report = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    const status = Object.fromEntries(report.students[0].checks.map((c) => [c.id, c.status]));
    expect(report.students[0].user).toBe('outsider01');
    expect(status).toMatchObject({
      'ex3.cluster.exists': 'pass',
      'ex4.registry.exists': 'pass',
      'ex4.image.myapp': 'pass',
      'ex4.image.myapi': 'fail',
      'ex1.vm.reachable': 'error',
      'ex6.myapp.deployment': 'fail',
    });
  }, 120_000);

  it('exits 0 when every graded student passed and 1 when one is below the pass mark', async () => {
    const perfect = await runCli(['demo', '--scenarios', join(BUILT_IN_CLASS, '01-perfect.yaml')], { timeoutMs: 60_000 });
    expect(perfect.code, perfect.stderr).toBe(0);
    const required = Object.values(loadProfile(undefined, ALL_CHECKS).checks).reduce((sum, c) => sum + (c.enabled ? c.points : 0), 0);
    expect(perfect.stdout).toMatch(new RegExp(`labuser01\\s+${required}/${required} \\(100(\\.0)?%\\)`));
    const mixed = await runCli(['demo', '--scenarios', join(BUILT_IN_CLASS, '01-perfect.yaml'), '--scenarios', join(BUILT_IN_CLASS, '08-barely-started.yaml')], { timeoutMs: 60_000 });
    expect(mixed.code, mixed.stderr).toBe(1);
    // One student's console report lists checks in lab order.
    const ids = [...perfect.stdout.matchAll(/^\s+\S+ (ex\d\.[a-z0-9.]+)/gm)].map((m) => m[1]);
    expect(ids).toEqual([...CHECK_IDS]);
  }, 120_000);

  it('rejects a malformed scenario with the file and the key (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-grade-bad-scenario-'));
    writeFileSync(join(dir, 'bad.yaml'), 'user: labuser99\nazure:\n  registries:\n    - name: reg99\n      sku: Gold\n');
    const r = await runCli(['demo', '--scenarios', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'bad.yaml')}: azure.registries[0].sku: expected one of Basic, Standard, Premium, got "Gold"`);

    writeFileSync(join(dir, 'bad.yaml'), 'user: labuser99\nfaults:\n  vm: explode\n');
    const r2 = await runCli(['demo', '--scenarios', dir]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('faults.vm: expected one of refuse, hang, bad-password, got "explode"');

    writeFileSync(join(dir, 'bad.yaml'), 'user: labuser99\nvms: {}\n');
    const r3 = await runCli(['demo', '--scenarios', dir]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('bad.yaml: vms: unknown key');
  }, 60_000);
});
