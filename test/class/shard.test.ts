/**
 * Shards and a hung student: `--shard 1/3`, `2/3`, `3/3` merged equal the unsharded run, and a student
 * whose VM and cluster hang ends `incomplete` at its deadline while the others finish.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradeOutcome } from '../../app/grading.js';
import { packagePath } from '../../core/paths.js';
import { parseShard } from '../../core/shard.js';
import { classRun, gradeConfig } from '../support/grading.js';
import { CHECK_IDS } from '../../checks/index.js';
import { writeSandboxConfig } from '../../app/demo.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import type { JsonDocument } from '../../reporters/json.js';
import { runCli } from '../support/cli.js';
import { verdictDifferences, verdictsOf, writeClass, type GeneratedClass } from '../support/class.js';

const runtime = { minHttpRetryMs: 300 };
const HUNG = 3;
/**
 * The hung student's SSH and Kubernetes reads give up after 6 s, long before the deadline: every hung
 * read ends the same way whatever the machine's load (a race with the deadline would not), and the
 * other students have a deadline with room on two busy cores.
 */
const PROBE_TIMEOUT_MS = 6_000;
const DEADLINE_S = 30;

describe('a class with a hung student, sharded', () => {
  let cls: GeneratedClass;
  let sandbox: Sandbox;
  let whole: GradeOutcome;
  let wallMs = 0;
  let config: Sandbox['config'];
  beforeAll(async () => {
    cls = writeClass(12, { faultsFor: (i) => (i === HUNG ? { vm: 'hang', kube: 'hang' } : undefined) });
    sandbox = await startSandbox(loadScenarios([cls.dir], CHECK_IDS));
    config = { ...sandbox.config, timeoutsMs: { ...sandbox.config.timeoutsMs, vm: PROBE_TIMEOUT_MS, kube: PROBE_TIMEOUT_MS } };
    const t0 = Date.now();
    whole = await gradeConfig(config, { studentTimeoutSeconds: DEADLINE_S, runtime });
    wallMs = Date.now() - t0;
  }, 60_000);
  afterAll(() => sandbox?.stop());

  /** The class graded as shards 1/3, 2/3 and 3/3, once, for whichever test asks first. */
  let shards: Promise<string[]> | undefined;
  const shardReports = () =>
    (shards ??= (async () => {
      const files: string[] = [];
      for (const i of [1, 2, 3]) {
        const file = join(cls.dir, `shard-${i}.json`);
        await gradeConfig(config, { studentTimeoutSeconds: DEADLINE_S, classRun: classRun({ preflight: false, shard: parseShard(`${i}/3`) }), reports: [{ format: 'json', file }], runtime });
        files.push(file);
      }
      return files;
    })());

  it('the hung student ends incomplete within --student-timeout while the others finish', () => {
    const hung = whole.run.students[HUNG];
    expect(hung.user).toBe(cls.users[HUNG]);
    expect(hung.status).toBe('incomplete');
    // The VM's and the cluster's reads could not be made (LG-011, LG-014); the deadline never had to end it.
    expect(new Set(hung.checks.filter((c) => c.status === 'error').map((c) => c.code))).toEqual(new Set(['LG-011', 'LG-014']));
    expect(hung.durationMs).toBeLessThan(DEADLINE_S * 1_000);
    expect(wallMs).toBeLessThan(60_000);
    const others = whole.run.students.filter((s) => s.user !== hung.user);
    expect(others.filter((s) => s.status === 'graded').length).toBe(others.filter((s) => cls.templateOf.get(s.user) !== 'labuser10').length);
  });

  it('shards 1/3, 2/3 and 3/3, merged, equal the unsharded run', async () => {
    const files = await shardReports();
    const sizes = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as JsonDocument).students.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(12);
    const merged = join(cls.dir, 'merged.json');
    const r = await runCli(['merge', ...files, '-r', `json=${merged}`, '-r', 'console']);
    expect(r.code).toBe(3); // the hung student is incomplete, as unsharded
    expect(r.stdout).toContain('Class: 12 students');
    const doc = JSON.parse(readFileSync(merged, 'utf8')) as JsonDocument;
    expect(doc.students.map((s) => s.user)).toEqual([...cls.users].sort());
    expect(verdictDifferences(verdictsOf(doc.students), verdictsOf(whole.run.students))).toEqual([]);
  }, 60_000);

  it('each shard records which it is; merge warns of a missing shard with how many of the roster it lacks, and refuses a shard twice', async () => {
    const files = await shardReports();
    const docs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as JsonDocument & { shard?: { index: number; count: number } });
    expect(docs.map((d) => d.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    const schema = JSON.parse(readFileSync(packagePath('reporters', 'result.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(docs[1]), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...docs[1], shard: { index: 0, count: 3 } })).toBe(false);
    const config = writeSandboxConfig(sandbox, join(cls.dir, 'class'));

    const gap = await runCli(['merge', files[0], files[2], '--config', config, '-r', 'console']);
    expect(gap.code).toBe(3);
    const inShard2 = docs[1].students.length;
    expect(gap.stderr).toContain(`lab-grade: warning: shard 2/3 is missing: ${inShard2} student${inShard2 === 1 ? '' : 's'} of the roster ${inShard2 === 1 ? 'is' : 'are'} not in the merged report`);
    const noRoster = await runCli(['merge', files[0], files[2]]);
    expect(noRoster.stderr).toContain('lab-grade: warning: shard 2/3 is missing: its students are not in the merged report');
    const whole = await runCli(['merge', ...files]);
    expect(whole.stderr).not.toContain('missing');

    const again = join(cls.dir, 'shard-1-again.json');
    writeFileSync(again, JSON.stringify({ ...docs[0], students: [] }));
    const twice = await runCli(['merge', files[0], again, files[1], files[2]]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`lab-grade: ${again}: is shard 1/3 like ${files[0]}: each shard once (one merged twice, or graded twice?)\n`);

    const otherSplit = join(cls.dir, 'shard-of-4.json');
    writeFileSync(otherSplit, JSON.stringify({ ...docs[1], shard: { index: 2, count: 4 } }));
    const split = await runCli(['merge', files[0], otherSplit]);
    expect(split.code).toBe(2);
    expect(split.stderr).toContain(`${otherSplit}: is shard 2/4, but ${files[0]} is shard 1/3: not slices of one split of the class`);
  }, 60_000);

  it('merge refuses a student in two files and files of different labs (exit 2)', async () => {
    const file = join(cls.dir, 'whole.json');
    await gradeConfig(config, { studentTimeoutSeconds: DEADLINE_S, users: [cls.users[0], cls.users[1]], reports: [{ format: 'json', file }], runtime });
    const twice = await runCli(['merge', file, file]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`student ${cls.users[0]} is also in ${file}`);
    const other = join(cls.dir, 'other-lab.json');
    writeFileSync(other, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as JsonDocument), lab: 'another-lab', students: [] }));
    const labs = await runCli(['merge', file, other]);
    expect(labs.code).toBe(2);
    expect(labs.stderr).toMatch(/other-lab\.json: is a result of lab "another-lab"/);
  }, 30_000);
});
