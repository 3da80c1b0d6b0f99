/** `lab-grade merge` judges merged results by the pass mark they carry, without needing the profile named. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClassSmall, TITLE } from '../fixtures/results/support.js';
import { renderJson } from '../reporters/json.js';
import { bufferOutput, runInfoFor } from '../reporters/replay.js';
import { collectedNotices } from '../test/support/notices.js';
import { mergeReports } from './merge.js';
import { defineCheck, pass } from '../core/check.js';
import type { ClassConfig } from '../core/config.js';
import { loadProfile } from '../core/profile.js';
import { creditTitle, type CreditMode } from '../live/credit.js';
import { checklistMessages } from '../reporters/checklist.messages.js';
import { CREDIT_COLUMN, FIXED_COLUMNS } from '../reporters/csv.js';
import { REPORT_FORMATS, type ReportFormat } from '../reporters/formats.js';
import { openLedger } from '../live/ledger.js';
import type { JsonDocument } from '../reporters/json.js';
import type { RunResult } from '../core/model.js';
import { scoreStudent } from '../core/score.js';
import { grade } from './grading.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-merge-'));

/** A shard's JSON report of some students of the small class, judged with this pass mark. */
function shard(name: string, users: string[], passMark: number, bonusCap: number | undefined = 5): string {
  const run = loadClassSmall();
  run.students = run.students.filter((s) => users.includes(s.user));
  const file = join(dir, name);
  writeFileSync(file, renderJson(run, runInfoFor(run, { title: TITLE, passMark, ...(bonusCap === undefined ? {} : { bonusCap }) })));
  return file;
}

/** A partial run's students of the small class: their checks of the selection only, scored as that run scores them. */
function partialRun(users: string[], only: string[]): RunResult {
  const run = loadClassSmall();
  const selected = (id: string) => only.some((o) => id === o || id.startsWith(`${o}.`));
  run.students = run.students
    .filter((s) => users.includes(s.user))
    .map((s) =>
      scoreStudent(
        s.user,
        s.checks.filter((c) => selected(c.id)),
        loadProfile(),
        s.durationMs,
      ),
    );
  return run;
}

/** A partial run's JSON report (`--only`), judged with the built-in pass mark. */
function partialShard(name: string, users: string[], only: string[]): string {
  const run = partialRun(users, only);
  const file = join(dir, name);
  writeFileSync(file, renderJson(run, runInfoFor(run, { title: TITLE, passMark: 70, bonusCap: 5, only })));
  return file;
}

/** A class run's journal of some students of the small class, its header judged with this pass mark and bonus cap (and graded with `only`, when given). */
function journal(name: string, users: string[], passMark: number, bonusCap: number | null = 5, only?: string[]): string {
  const run = only ? partialRun(users, only) : loadClassSmall();
  const header = {
    type: 'header',
    lab: run.lab,
    profile: 'variant.yaml',
    version: '0.1.0',
    startedAt: run.generatedAt,
    title: TITLE,
    passMark,
    bonusCap,
    ...(only ? { only, checks: [], profileHash: 'x' } : {}),
  };
  const lines = run.students.filter((s) => users.includes(s.user)).map((student) => ({ type: 'student', student }));
  const file = join(dir, name);
  writeFileSync(file, [header, ...lines].map((l) => JSON.stringify(l) + '\n').join(''));
  return file;
}

describe('merge', () => {
  it('uses the pass mark and title the JSON reports carry', async () => {
    const out = bufferOutput();
    const code = await mergeReports([shard('a.json', ['labuser07'], 90), shard('b.json', ['labuser08', 'labuser09'], 90)], [{ format: 'console' }], undefined, {
      stdout: out,
      notices: collectedNotices(),
    });
    expect(out.text()).toContain(`${TITLE} (aks-greetings) — 3 students, pass mark 90%`);
    // 91.2 % passes at 90 %; the merged JSON keeps the codes, so the summary still counts by them.
    expect(out.text()).toMatch(/labuser07 {2}31\/34 \(91\.2%\) \+3 bonus {2}PASSED \(pass mark 90%\)/);
    expect(out.text()).toContain('2× LG-226');
    expect(code).toBe(3);
  });

  it('refuses results judged by different pass marks, naming the file', async () => {
    const a = shard('c.json', ['labuser07'], 70);
    const b = shard('d.json', ['labuser08'], 60);
    await expect(mergeReports([a, b], [{ format: 'console' }], undefined, { stdout: bufferOutput(), notices: collectedNotices() })).rejects.toThrow(
      `${b}: was judged with pass mark 60% and bonus cap 5, but ${a} with 70% and 5: not one class`,
    );
  });

  it("labels journals by the pass mark and bonus cap their header records (a variant's, not the built-in 70 % and 5)", async () => {
    const out = bufferOutput();
    await mergeReports([journal('e.jsonl', ['labuser07'], 95, 0), journal('f.jsonl', ['labuser08'], 95, 0)], [{ format: 'json' }], undefined, { stdout: out, notices: collectedNotices() });
    expect(JSON.parse(out.text())).toMatchObject({ title: TITLE, passMark: 95, bonusCap: 0 });
    await expect(
      mergeReports([journal('g.jsonl', ['labuser07'], 95), shard('h.json', ['labuser08'], 70)], [{ format: 'console' }], undefined, { stdout: bufferOutput(), notices: collectedNotices() }),
    ).rejects.toThrow('was judged with pass mark 70% and bonus cap 5, but');
  });
});

describe('merge of a partial run (--only)', () => {
  // labuser07's ex1 and ex2: 5 of 7 points, 71.4 %, which a whole run at 70 % would call PASSED; ex2.compose.ports fails.
  const ONLY = ['ex1', 'ex2'];

  it('draws no pass-mark verdict from JSON reports and exits as a partial run does', async () => {
    expect(partialRun(['labuser07'], ONLY).students[0]).toMatchObject({ score: 5, maxScore: 7, passed: true });
    const files = [partialShard('partial-a.json', ['labuser07'], ONLY), partialShard('partial-b.json', ['labuser08'], ['ex2', 'ex1'])];
    const out = bufferOutput();
    const code = await mergeReports(files, [{ format: 'console' }], undefined, { stdout: out, notices: collectedNotices() });
    expect(out.text()).toContain('only ex1 ex2 (a partial run: no pass-mark verdict)');
    expect(out.text()).toMatch(/labuser07 {2}5\/7 points of the selected checks \+1 bonus {2}PARTIAL \(only ex1 ex2\): 1 failing, no pass-mark verdict/);
    expect(out.text()).not.toMatch(/PASSED|pass mark 70%/);
    // A selected required check fails: 1, as `--only` exits.
    expect(code).toBe(1);
    const json = bufferOutput();
    await mergeReports(files, [{ format: 'json' }], undefined, { stdout: json, notices: collectedNotices() });
    const doc = JSON.parse(json.text()) as JsonDocument;
    expect(doc.only).toEqual(ONLY);
    expect(doc.students.map((s) => s.passed)).toEqual([null, null]);
  });

  it("reads the selection from a journal's header", async () => {
    const out = bufferOutput();
    const code = await mergeReports([journal('partial.jsonl', ['labuser07'], 70, 5, ONLY)], [{ format: 'csv' }], undefined, { stdout: out, notices: collectedNotices() });
    const [header, row] = out
      .text()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(row[header.indexOf('passed')]).toBe('partial');
    expect(code).toBe(1);
  });

  it('refuses to merge a partial run with a whole one, or with another selection, naming both files', async () => {
    const partial = partialShard('partial-c.json', ['labuser07'], ONLY);
    const whole = shard('whole-c.json', ['labuser08'], 70);
    const merge = (files: string[]) => mergeReports(files, [{ format: 'console' }], undefined, { stdout: bufferOutput(), notices: collectedNotices() });
    await expect(merge([partial, whole])).rejects.toThrow(`${whole}: was graded with every check, but ${partial} with --only ex1 --only ex2: merge results graded with one selection`);
    await expect(merge([whole, partial])).rejects.toThrow(`${partial}: was graded with --only ex1 --only ex2, but ${whole} with every check`);
    const other = journal('partial-other.jsonl', ['labuser09'], 70, 5, ['ex1']);
    await expect(merge([partial, other])).rejects.toThrow(`${other}: was graded with --only ex1, but ${partial} with --only ex1 --only ex2`);
  });

  it('refuses to score a partial run with credit over time (it counts every check of the lab), naming the file', async () => {
    const credit = (file: string) => mergeReports([file], [{ format: 'console' }], undefined, { stdout: bufferOutput(), notices: collectedNotices() }, { credit: 'earned' });
    const partial = partialShard('partial-credit.json', ['labuser07'], ONLY);
    await expect(credit(partial)).rejects.toThrow(`${partial}: was graded with --only ex1 --only ex2 (a partial run): credit over time counts every check of the lab; merge it without --credit`);
    const journaled = journal('partial-credit.jsonl', ['labuser07'], 70, 5, ONLY);
    await expect(credit(journaled)).rejects.toThrow(`${journaled}: was graded with --only ex1 --only ex2 (a partial run)`);
  });
});

/** A class config with this roster (and `credit:` when given). */
function classConfig(name: string, users: string[], credit?: 'earned' | 'final'): string {
  const file = join(dir, name);
  writeFileSync(file, `roster: [${users.join(', ')}]\n${credit ? `credit: ${credit}\n` : ''}`);
  return file;
}

/** A workshop's ledger of some students of the small class, graded in two rounds. */
function ledger(name: string, users: string[]): string {
  const run = loadClassSmall();
  const file = join(dir, name);
  const l = openLedger(file, { lab: run.lab, profile: 'built-in', version: '0.1.0', startedAt: run.generatedAt });
  for (const round of [1, 2]) for (const student of run.students.filter((s) => users.includes(s.user))) l.append(student, round);
  l.close();
  return file;
}

describe('merge --config lists students in roster order, as every report does', () => {
  const users = (out: ReturnType<typeof bufferOutput>) => (JSON.parse(out.text()) as JsonDocument).students.map((s) => s.user);

  it('shards and journals, whatever order the files and names are in; a student the roster no longer names comes last', async () => {
    const config = classConfig('roster-order.yaml', ['labuser09', 'labuser07']);
    const files = [shard('order-a.json', ['labuser07', 'labuser08'], 70), journal('order-b.jsonl', ['labuser09'], 70)];
    const out = bufferOutput();
    await mergeReports(files, [{ format: 'json' }], undefined, { stdout: out, notices: collectedNotices() }, { configFile: config });
    expect(users(out)).toEqual(['labuser09', 'labuser07', 'labuser08']);
    // Without the class config there is no roster: by user name.
    const byName = bufferOutput();
    await mergeReports(files, [{ format: 'json' }], undefined, { stdout: byName, notices: collectedNotices() });
    expect(users(byName)).toEqual(['labuser07', 'labuser08', 'labuser09']);
  });

  it('with credit over time too', async () => {
    const config = classConfig('roster-order-credit.yaml', ['labuser08', 'labuser07'], 'earned');
    const out = bufferOutput();
    await mergeReports([ledger('order.jsonl', ['labuser07', 'labuser08'])], [{ format: 'json' }], undefined, { stdout: out, notices: collectedNotices() }, { configFile: config });
    expect(users(out)).toEqual(['labuser08', 'labuser07']);
  });

  it('reads no credential of the config: its secrets may be absent where the results are merged', async () => {
    const config = join(dir, 'with-secrets.yaml');
    writeFileSync(config, 'roster: [labuser08, labuser07]\nvm:\n  host: "{user}.vm.example"\n  password: {env: LAB_GRADE_TEST_MERGE_ABSENT_PASSWORD}\n');
    const out = bufferOutput();
    await mergeReports([ledger('secrets.jsonl', ['labuser07', 'labuser08'])], [{ format: 'json' }], undefined, { stdout: out, notices: collectedNotices() }, { configFile: config });
    expect(users(out)).toEqual(['labuser08', 'labuser07']);
  });
});

describe('which credit a report was scored with', () => {
  it("merge without --credit scores by the class config's credit when -c names one", async () => {
    const out = bufferOutput();
    const config = classConfig('earned.yaml', ['labuser07', 'labuser08'], 'earned');
    await mergeReports([ledger('workshop.jsonl', ['labuser07', 'labuser08'])], [{ format: 'json' }], undefined, { stdout: out, notices: collectedNotices() }, { configFile: config });
    const doc = JSON.parse(out.text()) as JsonDocument;
    expect(doc.title).toBe(creditTitle(TITLE, 'earned'));
    expect(doc.students.map((s) => s.credit)).toEqual(['earned', 'earned']);
    // --credit wins over the config's.
    const final = bufferOutput();
    await mergeReports([ledger('workshop-2.jsonl', ['labuser07'])], [{ format: 'json' }], undefined, { stdout: final, notices: collectedNotices() }, { configFile: config, credit: 'final' });
    expect((JSON.parse(final.text()) as JsonDocument).students[0].credit).toBe('final');
  });

  it('every report format of merge --credit says which credit it scored with', async () => {
    const file = ledger('every-format.jsonl', ['labuser07', 'labuser08']);
    /** What names the credit in each format: the title, a column, a property, the score line. */
    const says: Record<ReportFormat, (text: string, mode: CreditMode) => boolean> = {
      console: (text, mode) => text.includes(creditTitle(TITLE, mode)),
      markdown: (text, mode) => text.includes(creditTitle(TITLE, mode)),
      html: (text, mode) => text.includes(`<h1>${creditTitle(TITLE, mode)}</h1>`),
      json: (text, mode) => {
        const doc = JSON.parse(text) as JsonDocument;
        return doc.title === creditTitle(TITLE, mode) && doc.students.every((s) => s.credit === mode);
      },
      csv: (text, mode) => {
        const [header, ...rows] = text
          .trimEnd()
          .split('\r\n')
          .map((l) => l.split(','));
        const column = header.indexOf(CREDIT_COLUMN);
        return column === FIXED_COLUMNS.length && rows.length === 2 && rows.every((r) => r[column] === mode);
      },
      junit: (text, mode) => text.split(`<property name="credit" value="${mode}"/>`).length - 1 === 2,
      checklist: (text, mode) => text.split(checklistMessages.credit(mode)).length - 1 === 2,
    };
    // Without --credit (and no class config) a ledger is scored as live scores it: earned.
    for (const format of REPORT_FORMATS) {
      for (const [credit, mode] of [
        ['earned', 'earned'],
        ['final', 'final'],
        [undefined, 'earned'],
      ] as const) {
        const out = bufferOutput();
        await mergeReports([file], [{ format }], undefined, { stdout: out, notices: collectedNotices() }, credit ? { credit } : {});
        expect(says[format](out.text(), mode), `${format} ${credit ?? '(no --credit)'}:\n${out.text().slice(0, 400)}`).toBe(true);
        expect(says[format](out.text(), mode === 'earned' ? 'final' : 'earned'), `${format} ${credit ?? '(no --credit)'}`).toBe(false);
      }
    }
  });

  it('merge of a ledger without --credit or a config credit scores it with earned credit, as live does, not by its latest round alone', async () => {
    const run = loadClassSmall();
    const latest = run.students.find((s) => s.user === 'labuser07')!;
    // Round 1 had every check passing; round 2 (the latest line) fails Exercise 7's registry check.
    const allPassing = { ...latest, checks: latest.checks.map((c) => ({ ...c, status: 'pass' as const })) };
    const file = join(dir, 'no-credit.jsonl');
    const l = openLedger(file, { lab: run.lab, profile: 'built-in', version: '0.1.0', startedAt: run.generatedAt });
    l.append(allPassing, 1, new Date('2026-01-05T10:00:00Z'));
    l.append(latest, 2, new Date('2026-01-05T10:02:00Z'));
    l.close();
    const out = bufferOutput();
    const notices = collectedNotices();
    await mergeReports([file], [{ format: 'json' }], undefined, { stdout: out, notices });
    const doc = JSON.parse(out.text()) as JsonDocument;
    expect(doc.title).toBe(creditTitle(loadProfile().title, 'earned'));
    const student = doc.students[0];
    expect(student.credit).toBe('earned');
    expect(student.round).toBe(2);
    expect(student.checks.find((c) => c.id === 'ex7.helm.registry')).toMatchObject({ status: 'pass', earnedAt: '2026-01-05T10:00:00.000Z', earnedRound: 1, now: { status: 'fail' } });
    expect(notices.text()).toContain(`${file} is a ledger of lab-grade live: scored with earned credit`);
    // A class run's journal (no rounds) is still merged as one grading, with no credit.
    const single = bufferOutput();
    await mergeReports([journal('no-rounds.jsonl', ['labuser07'], 70)], [{ format: 'json' }], undefined, { stdout: single, notices: collectedNotices() });
    expect((JSON.parse(single.text()) as JsonDocument).students[0].credit).toBeUndefined();
  });

  it('a class run names the credit its class config chooses: for one grading, earned is the same as final', async () => {
    const titles: string[] = [];
    const check = defineCheck({ id: 'ex1.fake.ok', exercise: 1, title: () => 'fine', points: { points: 1 }, needs: [], dependsOn: [], reasons: {}, run: async () => pass('fine') });
    const config = (credit?: 'earned' | 'final'): ClassConfig => ({
      file: '(test)',
      roster: [{ user: 'a1' }],
      resourceGroup: '{user}-rg',
      kubernetes: { source: 'azure' },
      network: { connectTo: {}, loopbackOnly: true },
      timeoutsMs: {},
      ...(credit ? { credit } : {}),
    });
    for (const credit of ['earned', 'final', undefined] as const) {
      await grade({ config: config(credit), profile: loadProfile(), catalogue: [check] }, { reporters: [{ onRunStart: (info) => void titles.push(info.title) }], notices: collectedNotices() });
    }
    const title = loadProfile().title;
    expect(titles).toEqual([creditTitle(title, 'earned', { gradings: 'one' }), creditTitle(title, 'final', { gradings: 'one' }), title]);
  });
});
