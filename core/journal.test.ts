import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { profileWith } from '../test/support/profile.js';
import { ConfigError } from './errors.js';
import { describeHolder, type LockHolder } from './file-lock.js';
import {
  defaultJournalPath,
  gradingDifference,
  judgementOf,
  openJournal,
  parseJournalLine,
  planResume,
  profileHash,
  readJournal,
  scanJournal,
  type JournalHeader,
  type JournalHeaderFields,
  type JournalStudentLine,
} from './journal.js';
import { packagePath } from './paths.js';
import type { StudentResult } from './model.js';
import type { LabProfile } from './profile.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'lab-grade-journal-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const header = { lab: 'aks-greetings', profile: 'built-in', version: '0.1.0', startedAt: '2025-01-01T00:00:00.000Z', only: [], checks: ['ex1.vm.reachable'], profileHash: 'a'.repeat(64) };
const student = (user: string, status: StudentResult['status']): StudentResult => ({ user, status, score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5 });
const targets = ['a', 'b', 'c', 'd'].map((user) => ({ user, resourceGroup: `${user}-rg` }));

describe('journal', () => {
  it('one header, then one fsynced JSON line per student, read back', () => {
    const file = join(dir, 'one', 'j.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.append(student('b', 'incomplete'));
    j.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['header', 'student', 'student']);
    const back = readJournal(file);
    expect(back.header?.lab).toBe('aks-greetings');
    expect([...back.students.keys()]).toEqual(['a', 'b']);
  });

  it('a torn last line is ignored with a warning, and cut off before appending again', () => {
    const file = join(dir, 'torn.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.close();
    appendFileSync(file, '{"type":"student","student":{"user":"b","sta');
    const torn = readJournal(file);
    expect(torn.warnings.join()).toMatch(/last line is incomplete/);
    expect([...torn.students.keys()]).toEqual(['a']);
    const again = openJournal(file, header);
    again.append(student('b', 'graded'));
    again.close();
    const fixed = readJournal(file);
    expect(fixed.warnings).toEqual([]);
    expect([...fixed.students.keys()]).toEqual(['a', 'b']);
    expect(readFileSync(file, 'utf8').match(/"type":"header"/g)).toHaveLength(1);
  });

  it('--resume keeps graded students and regrades incomplete and missing ones; --rerun-incomplete only the incomplete', () => {
    const file = join(dir, 'resume.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'));
    j.append(student('b', 'incomplete'));
    j.append(student('c', 'incomplete'));
    j.append(student('c', 'graded')); // regraded later: the last line wins
    j.close();
    const resume = planResume(readJournal(file), targets, { onlyJournaled: false });
    expect([...resume.settled.keys()].sort()).toEqual(['a', 'c']);
    expect(resume.targets.map((t) => t.user)).toEqual(['a', 'b', 'c', 'd']);
    const rerun = planResume(readJournal(file), targets, { onlyJournaled: true });
    expect(rerun.targets.filter((t) => !rerun.settled.has(t.user)).map((t) => t.user)).toEqual(['b']);
  });

  it('a later header under other rules (a --regrade) starts over: a student not regraded yet is not settled by the old rules', () => {
    const file = join(dir, 'regraded.jsonl');
    const onlyEx1 = { ...header, only: ['ex1'], checks: ['ex1.vm.reachable'] };
    const every = { ...header, only: [], checks: ['ex1.vm.reachable', 'ex6.app.e2e'] };
    writeFileSync(
      file,
      [
        { type: 'header', ...onlyEx1 },
        { type: 'student', student: student('a', 'graded') },
        { type: 'student', student: student('b', 'graded') },
        { type: 'header', ...every },
        { type: 'student', student: student('a', 'graded') },
      ]
        .map((l) => JSON.stringify(l) + '\n')
        .join(''),
    );
    const read = readJournal(file);
    expect(read.header).toMatchObject({ only: [] });
    expect([...read.students.keys()]).toEqual(['a']);
    expect([...planResume(read, targets, { onlyJournaled: false }).settled.keys()]).toEqual(['a']);
  });

  it('a line that does not fit on the disk is taken back: the next one starts a line of its own (a full 12 KiB tmpfs: a page each for the lock, another file and the journal)', () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    const script = `
      import { openJournal, readJournal } from ${JSON.stringify(packagePath('core', 'journal.ts'))};
      const file = process.env.FULL + '/j.jsonl';
      const j = openJournal(file, ${JSON.stringify(header)});
      const big = { user: 'b', status: 'graded', score: 1, maxScore: 2, bonus: 0, percent: 50, passed: false, checks: [], durationMs: 5, note: 'x'.repeat(20000) };
      const { writeFileSync, unlinkSync } = await import('node:fs');
      writeFileSync(process.env.FULL + '/other', 'x'.repeat(4096));
      j.append({ ...big, user: 'a', note: '' });
      try { j.append(big); } catch (err) { console.log('append:', err.code); }
      unlinkSync(process.env.FULL + '/other'); // room again: the next student fits
      j.append({ ...big, user: 'c', note: '' });
      j.close();
      console.log('students:', [...readJournal(file).students.keys()].join());`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=12k tmpfs "$FULL" && "$NODE" --import tsx --input-type=module -e "$SCRIPT"'], {
      // The source, through tsx (resolved from the package folder), not dist/: no build needed, and a mutation run's sandbox has no dist/.
      cwd: packagePath(),
      encoding: 'utf8',
      env: { ...process.env, FULL: full, NODE: process.execPath, SCRIPT: script },
    });
    expect(r.stdout, r.stderr).toBe('append: ENOSPC\nstudents: a,c\n');
  });

  it('refuses, without reading it forever, a journal that is a device, a pipe, a folder or a file whose size lies (/proc)', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const refused: Array<[string, string]> = [
      ['/dev/zero', 'must be a regular file; this is a character device'],
      ['/dev/full', 'must be a regular file; this is a character device'],
      [fifo, 'must be a regular file; this is a named pipe'],
      [dir, 'must be a regular file; this is a folder'],
      ['/proc/self/status', 'has more content than its size (0 bytes) says: a special file (like those in /proc or /sys)'],
    ];
    for (const [file, why] of refused) {
      expect(() => openJournal(file, header), file).toThrow(`${file}: the journal ${why}`);
      expect(() => readJournal(file), file).toThrow(`${file}: the journal ${why}`);
    }
  });

  it('refuses a journal of another lab, and a file that is not a journal', () => {
    const other = join(dir, 'other.jsonl');
    const j = openJournal(other, { ...header, lab: 'another-lab' });
    j.start();
    j.close();
    expect(() => openJournal(other, header, { resume: { regrade: false } })).toThrow(/journal is of lab "another-lab"/);
    const junk = join(dir, 'junk.jsonl');
    writeFileSync(junk, 'hello\n');
    expect(() => readJournal(junk)).toThrow(/not JSON/);
  });
});

/** A journal file written line by line as given (JSON values, or raw text for a line that is not JSON). */
const writeJournal = (name: string, ...lines: unknown[]): string => {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''));
  return file;
};
const headerLine = (fields: Partial<JournalHeaderFields> = {}) => ({ type: 'header', ...header, ...fields });
const studentLine = (user: string, status: StudentResult['status'] = 'graded') => ({ type: 'student', student: student(user, status) });
/** A header of an earlier lab-grade: no selection, checks or profile hash recorded. */
const oldHeader = (startedAt: string) => ({ type: 'header', lab: 'aks-greetings', version: '0.0.9', startedAt });
const grading = (checks: string[], only: string[] = [], hash = 'a'.repeat(64), allowDisruptive = false) => ({ only, checks, profileHash: hash, allowDisruptive });
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('did not throw');
};
/** The descriptors this process holds open on `file`. */
const openFdsOn = (file: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
const holder = (host: string, pid: number): LockHolder => ({ pid, host, startedAt: '2025-01-01T09:30:00.000Z', token: 'feedc0de' });
const lockedBy = (file: string, h: LockHolder) => writeFileSync(`${file}.lock`, JSON.stringify(h));
const headerCount = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"type":"header"')).length;

describe('what a journal records of the profile', () => {
  it('judgementOf: the title, the pass mark and the bonus cap (null when there is none)', () => {
    const profile = profileWith({ 'ex1.vm.reachable': 2 }, { title: 'AKS greetings', passMark: 55, bonusCap: 7 });
    expect(judgementOf(profile)).toEqual({ title: 'AKS greetings', passMark: 55, bonusCap: 7 });
    expect(judgementOf({ ...profile, bonusCap: Infinity })).toEqual({ title: 'AKS greetings', passMark: 55, bonusCap: null });
  });

  it('profileHash: sha256 of the rules as canonical JSON (keys sorted, undefined keys dropped, arrays in order), without the file and the title', () => {
    const rules = {
      passMark: 60,
      lab: 'aks-greetings',
      checks: { 'ex2.b': { points: 1, bonus: 0, enabled: true }, 'ex1.a': { enabled: false, points: 2, bonus: 0 } },
      bonusCap: 10,
      expect: { tag: 'v1', pullRoles: ['AcrPull', 'Reader'], nodes: 2, hostPort: undefined, helm: { chart: 'greetings', brokenDefaultRegistry: '' }, env: [{ b: null, a: true }] },
    };
    const canonical =
      '{"bonusCap":10,"checks":{"ex1.a":{"bonus":0,"enabled":false,"points":2},"ex2.b":{"bonus":0,"enabled":true,"points":1}},' +
      '"expect":{"env":[{"a":true,"b":null}],"helm":{"brokenDefaultRegistry":"","chart":"greetings"},"nodes":2,"pullRoles":["AcrPull","Reader"],"tag":"v1"},"lab":"aks-greetings","passMark":60}';
    const profile = { file: '/labs/aks.yaml', title: 'AKS greetings', ...rules } as unknown as LabProfile;
    expect(profileHash(profile)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('profileHash: the same rules in another key order, file or title hash alike; other points or another array order do not', () => {
    const profile = profileWith({ 'ex1.vm.reachable': 2, 'ex6.app.e2e': 3 });
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const hash = profileHash(profile);
    expect(profileHash(reversed(profile) as LabProfile)).toBe(hash);
    expect(profileHash({ ...profile, file: '/elsewhere/copy.yaml', title: 'Another title' })).toBe(hash);
    expect(profileHash({ ...profile, checks: { ...profile.checks, 'ex6.app.e2e': { points: 4, bonus: 0, enabled: true } } })).not.toBe(hash);
    const roles = profile.expect.pullRoles;
    expect(roles.length).toBeGreaterThan(1);
    expect(profileHash({ ...profile, expect: { ...profile.expect, pullRoles: [...roles].reverse() } })).not.toBe(hash);
  });
});

describe('gradingDifference', () => {
  it('the same checks in any order under the same profile: no difference', () => {
    expect(gradingDifference(grading(['ex2.b', 'ex1.a']), grading(['ex1.a', 'ex2.b']))).toBeUndefined();
    expect(gradingDifference(grading(['ex1.a', 'ex2.b']), grading(['ex2.b', 'ex1.a']))).toBeUndefined();
    // No profile hash recorded: the profile cannot be compared, the checks can.
    expect(gradingDifference({ only: [], checks: ['ex1.a'] }, grading(['ex1.a'], [], 'b'.repeat(64)))).toBeUndefined();
  });

  it('a journal of an earlier version (no checks recorded) counts as every check', () => {
    expect(gradingDifference({}, grading(['ex1.a', 'ex2.b']))).toBeUndefined();
    const why = gradingDifference({ profile: 'built-in' }, grading(['ex1.a', 'ex1.b'], ['ex1', 'ex1.b']));
    expect(why).toBe('the journal was written by an earlier lab-grade that did not record its selection: it is taken as every check, this run grades --only ex1 --only ex1.b');
  });

  it('another --only selection names both selections', () => {
    expect(gradingDifference(grading(['ex1.a'], ['ex1']), grading(['ex1.a', 'ex2.b']))).toContain('graded with --only ex1, this run grades every check');
    expect(gradingDifference(grading(['ex1.a', 'ex2.b']), grading(['ex2.b'], ['ex2']))).toContain('graded with every check, this run grades --only ex2');
  });

  it('the same selection over other checks (a new version, another profile) names the checks added and gone', () => {
    const before = grading(['ex1.a', 'ex1.b'], ['ex1']);
    expect(gradingDifference(before, grading(['ex1.a', 'ex1.c', 'ex1.d'], ['ex1']))).toContain('graded 2 checks, this run 3 (new: ex1.c, ex1.d; gone: ex1.b)');
    expect(gradingDifference(before, grading(['ex1.a', 'ex1.b', 'ex1.c'], ['ex1']))).toContain('graded 2 checks, this run 3 (new: ex1.c)');
    expect(gradingDifference(before, grading(['ex1.a'], ['ex1']))).toContain('graded 2 checks, this run 1 (gone: ex1.b)');
    expect(gradingDifference(before, grading(['ex1.c'], ['ex1']))).toContain('(new: ex1.c; gone: ex1.a, ex1.b)');
    // As many checks, not the same ones.
    expect(gradingDifference(before, grading(['ex1.a', 'ex1.c'], ['ex1']))).toContain('(new: ex1.c; gone: ex1.b)');
    // A header that recorded its checks but not its selection: every check.
    expect(gradingDifference({ checks: ['ex1.a'] }, grading(['ex1.a', 'ex2.b']))).toContain('(new: ex2.b)');
  });

  it('another profile names both profiles by name and the start of their hash', () => {
    const [was, is] = ['0123456789abcdef'.repeat(4), 'fedcba9876543210'.repeat(4)];
    const why = gradingDifference({ ...grading(['ex1.a'], [], was), profile: 'built-in' }, grading(['ex1.a'], [], is));
    expect(why).toContain('another lab profile (built-in, 0123456789ab), this run uses unnamed, fedcba987654:');
    expect(why).not.toContain(was);
    expect(gradingDifference(grading(['ex1.a'], [], was), { ...grading(['ex1.a'], [], is), profile: 'variant.yaml' })).toContain('(unnamed, 0123456789ab), this run uses variant.yaml, fedcba987654');
  });
});

describe('gradingDifference of --allow-disruptive', () => {
  it('graded with --allow-disruptive and resumed without (or the reverse) names both; a header that did not record it is not compared', () => {
    const checks = ['ex6.selfheal'];
    expect(gradingDifference(grading(checks, [], 'a'.repeat(64), true), grading(checks))).toBe(
      'the journal was graded with --allow-disruptive, this run grades without --allow-disruptive: ex6.selfheal would be graded for some students and skipped for others',
    );
    expect(gradingDifference(grading(checks), grading(checks, [], 'a'.repeat(64), true), 'ledger')).toContain(
      'the ledger was graded without --allow-disruptive, this run grades with --allow-disruptive',
    );
    expect(gradingDifference(grading(checks, [], 'a'.repeat(64), true), grading(checks, [], 'a'.repeat(64), true))).toBeUndefined();
    const { allowDisruptive: _unrecorded, ...earlier } = grading(checks);
    expect(gradingDifference(earlier, grading(checks, [], 'a'.repeat(64), true))).toBeUndefined();
  });

  it('--resume with another --allow-disruptive is refused like another --only; a later header with another value starts over', () => {
    const file = join(dir, 'disruptive.jsonl');
    const j = openJournal(file, { ...header, allowDisruptive: true });
    j.append(student('a', 'graded'));
    j.close();
    expect(() => openJournal(file, { ...header, allowDisruptive: false }, { resume: { regrade: false } })).toThrow(
      `${file}: the journal was graded with --allow-disruptive, this run grades without --allow-disruptive: ex6.selfheal would be graded for some students and skipped for others; pass --regrade to grade everyone again`,
    );
    const regraded = openJournal(file, { ...header, allowDisruptive: false }, { resume: { regrade: true } });
    regraded.start();
    regraded.close();
    expect(readJournal(file).students.size).toBe(0);
  });
});

describe('reading a journal', () => {
  it('parseJournalLine: a header, a student line, other JSON, or undefined when it is not JSON', () => {
    const other = { type: 'other' };
    const cases: Array<[string, unknown]> = [
      ['{"type":"header","lab":"aks","later":1}', { type: 'header', lab: 'aks', later: 1 }],
      ['{"type":"student","student":{"user":"a","checks":[]}}', { type: 'student', student: { user: 'a', checks: [] } }],
      ['{"type":"header"', undefined],
      ['null', other],
      ['5', other],
      ['"header"', other],
      ['{"type":"header"}', other],
      ['{"type":"header","lab":5}', other],
      ['{"type":"other","lab":"aks"}', other],
      ['{"type":"student"}', other],
      ['{"type":"student","student":null}', other],
      ['{"type":"student","student":{"checks":[]}}', other],
      ['{"type":"student","student":{"user":1,"checks":[]}}', other],
      ['{"type":"student","student":{"user":"a"}}', other],
      ['{"type":"student","student":{"user":"a","checks":{}}}', other],
      ['{"type":"result","student":{"user":"a","checks":[]}}', other],
    ];
    for (const [line, expected] of cases) expect(parseJournalLine(line), line).toEqual(expected);
  });

  it('scanJournal: blank lines are skipped but counted, each student comes with its line number and header, a later header needs no onHeader', () => {
    const file = writeJournal('scan.jsonl', headerLine(), '', '   ', studentLine('a'), headerLine({ startedAt: '2025-01-02T00:00:00.000Z' }), studentLine('b'));
    const seen: Array<[string, number, string | undefined]> = [];
    const scan = scanJournal(file, (line, lineNo, h) => seen.push([line.student.user, lineNo, h?.startedAt]));
    expect(seen).toEqual([
      ['a', 4, '2025-01-01T00:00:00.000Z'],
      ['b', 6, '2025-01-02T00:00:00.000Z'],
    ]);
    expect(scan).toEqual({ header: headerLine({ startedAt: '2025-01-02T00:00:00.000Z' }), warnings: [], validLength: statSync(file).size });
    expect(openFdsOn(file)).toEqual([]);
  });

  it('refuses a damaged line, a line that is neither a header nor a student, and a header of another lab, naming the line', () => {
    const notJson = writeJournal('not-json.jsonl', headerLine(), studentLine('a'), '{"type":"student",');
    expect(() => readJournal(notJson)).toThrow(`${notJson}: line 3 is not JSON`);
    expect(openFdsOn(notJson)).toEqual([]);
    for (const neither of [{ type: 'result', user: 'a' }, null]) {
      const file = writeJournal('neither.jsonl', headerLine(), neither);
      expect(() => readJournal(file)).toThrow(`${file}: line 2: expected a header or a student line`);
    }
    const otherLab = writeJournal('other-lab.jsonl', headerLine(), studentLine('a'), headerLine({ lab: 'other-lab' }));
    expect(() => readJournal(otherLab)).toThrow(`${otherLab}: line 3: lab other-lab differs from aks-greetings above`);
  });

  it('counts the lines of each student and keeps the last; a later header under the same rules, or of an earlier version, keeps them', () => {
    const pairs = [
      [headerLine(), headerLine({ startedAt: '2025-01-02T00:00:00.000Z' })],
      [oldHeader('2024-12-01T00:00:00.000Z'), oldHeader('2024-12-02T00:00:00.000Z')],
    ];
    for (const [first, second] of pairs) {
      const file = writeJournal('counts.jsonl', first, studentLine('a'), studentLine('b', 'incomplete'), second, studentLine('b', 'graded'));
      const read = readJournal(file);
      expect([...read.lines]).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      expect(read.students.get('b')?.status).toBe('graded');
      expect(read.header?.startedAt).toBe(second.startedAt);
    }
  });

  it('readJournal hands every student line to visit, those before a --regrade header too', () => {
    const file = writeJournal('visit.jsonl', headerLine(), studentLine('a'), headerLine({ checks: ['ex6.app.e2e'] }), studentLine('b'));
    const seen: Array<[string, number, string[] | undefined]> = [];
    const read = readJournal(file, (line, lineNo, h) => seen.push([line.student.user, lineNo, h?.checks]));
    expect(seen).toEqual([
      ['a', 2, ['ex1.vm.reachable']],
      ['b', 4, ['ex6.app.e2e']],
    ]);
    expect([...read.students.keys()]).toEqual(['b']);
  });

  it('a line longer than the read buffer (split over several chunks) is read whole; a torn tail over a chunk boundary is left out', () => {
    const note = 'x'.repeat(2.5 * 2 ** 20);
    const big = { type: 'student', student: { ...student('a', 'graded'), note } };
    const file = writeJournal('big.jsonl', headerLine(), big, studentLine('b'));
    const size = statSync(file).size;
    const whole = readJournal(file);
    expect([...whole.students.keys()]).toEqual(['a', 'b']);
    expect((whole.students.get('a') as StudentResult & { note: string }).note).toBe(note);
    expect(whole.validLength).toBe(size);
    expect(whole.warnings).toEqual([]);

    appendFileSync(file, `{"type":"student","student":{"user":"c","note":"${'y'.repeat(2 ** 20)}`);
    const torn = readJournal(file);
    expect([...torn.students.keys()]).toEqual(['a', 'b']);
    expect(torn.validLength).toBe(size);
    expect(torn.warnings).toEqual([`${file}: the last line is incomplete (the run was killed while writing it): ignored`]);
  });

  it('what the reused read buffer holds beyond the bytes read is never taken for a line (newlines or zeros alike)', () => {
    const file = writeJournal('stale.jsonl', headerLine(), studentLine('a'));
    const complete = statSync(file).size;
    appendFileSync(file, '{"type":"student","stud');
    const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
    for (const fill of [0x0a, 0x00]) {
      // Buffer.allocUnsafe may return memory with anything in it.
      const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size) => allocUnsafe(size).fill(fill));
      try {
        const read = readJournal(file);
        expect([...read.students.keys()], `fill ${fill}`).toEqual(['a']);
        expect(read.validLength).toBe(complete);
        expect(read.warnings).toHaveLength(1);
      } finally {
        spy.mockRestore();
      }
    }
  });
});

describe('opening a journal', () => {
  it('a new journal: nothing read, nothing written until start; close twice releases the lock once and throws nothing', () => {
    const file = join(dir, 'new', 'j.jsonl');
    const j = openJournal(file, header);
    expect(j.file).toBe(file);
    expect(j.contents).toEqual({ students: new Map(), lines: new Map(), warnings: [], validLength: 0 });
    expect(existsSync(`${file}.lock`)).toBe(true);
    j.close();
    j.close();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('close closes the file and releases the lock, once', () => {
    const file = join(dir, 'closed.jsonl');
    const j = openJournal(file, header);
    j.append(student('a', 'graded'), { round: 2, at: '2025-01-01T10:00:00.000Z' });
    expect(openFdsOn(file)).toHaveLength(1);
    j.close();
    expect(openFdsOn(file)).toEqual([]);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(() => j.close()).not.toThrow();
    const again = openJournal(file, header, { resume: { regrade: false } });
    expect(again.contents.students.get('a')).toEqual(student('a', 'graded'));
    again.close();
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[1])).toEqual({ type: 'student', round: 2, at: '2025-01-01T10:00:00.000Z', student: student('a', 'graded') });
  });

  it('writes a bigint as its digits', () => {
    const file = join(dir, 'bigint.jsonl');
    const j = openJournal(file, header);
    const withBigint = { ...student('a', 'graded'), checks: [{ id: 'ex1.vm.reachable', evidence: { bytes: 12345678901234567890n } }] } as unknown as StudentResult;
    j.append(withBigint);
    j.close();
    const [line] = readFileSync(file, 'utf8').split('\n').slice(1);
    expect((JSON.parse(line) as JournalStudentLine).student.checks[0].evidence).toEqual({ bytes: '12345678901234567890' });
  });

  it('a journal in use by a run on this host is refused with its holder and the hint; one on another host also names the lock to delete', () => {
    const file = join(dir, 'in-use.jsonl');
    const here = holder(hostname(), process.ppid);
    lockedBy(file, here);
    const local = errorOf(() => openJournal(file, header));
    expect(local.message).toBe(`journal ${file} is in use by lab-grade ${describeHolder(here)}; wait for it or pass another --journal`);
    expect(local.key).toBeUndefined();
    const elsewhere = holder('grader-7', 4242);
    lockedBy(file, elsewhere);
    const remote = errorOf(() => openJournal(file, header, { inUseHint: 'wait for it to finish' }));
    expect(remote.message).toBe(`journal ${file} is in use by lab-grade ${describeHolder(elsewhere)}; wait for it to finish (if that run is gone, delete ${file}.lock)`);
    expect(existsSync(file)).toBe(false);
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8'))).toEqual(elsewhere);
  });

  it('a journal given through a symbolic link meets the lock its target holds (two runs of one journal under two names)', () => {
    const file = join(dir, 'linked-target.jsonl');
    writeFileSync(file, '');
    const link = join(dir, 'linked-name.jsonl');
    symlinkSync(file, link);
    const first = openJournal(file, header);
    try {
      const second = errorOf(() => openJournal(link, header));
      expect(second.message).toContain(`journal ${link} is in use by lab-grade pid ${process.pid}`);
      expect(existsSync(`${link}.lock`)).toBe(false);
    } finally {
      first.close();
    }
    const third = openJournal(link, header);
    expect(existsSync(`${file}.lock`)).toBe(true);
    third.close();
  });

  it('the lock of a process that is gone is taken over with a warning, before the warning of a torn line', () => {
    const file = writeJournal('stale-lock.jsonl', headerLine(), studentLine('a'));
    appendFileSync(file, '{"type":"stud');
    const gone = holder(hostname(), 2147483646);
    lockedBy(file, gone);
    const j = openJournal(file, header);
    expect(j.contents.warnings).toEqual([
      `journal ${file} was locked by lab-grade ${describeHolder(gone)}; that process is gone: lock taken over`,
      `${file}: the last line is incomplete (the run was killed while writing it): ignored`,
    ]);
    j.close();
  });

  it('a journal that cannot be created names the file and the error code, as an error of --journal', () => {
    const notADir = writeJournal('plain-file');
    const file = join(notADir, 'sub', 'j.jsonl');
    const err = errorOf(() => openJournal(file, header));
    expect(err.message).toBe(`--journal: cannot write the journal ${file} (ENOTDIR)`);
    expect(err.key).toBe('--journal');
  });

  it('a journal removed before start is reported with its error code', () => {
    const file = writeJournal('removed.jsonl', headerLine(), studentLine('a'));
    const j = openJournal(file, header);
    unlinkSync(file);
    expect(() => j.start()).toThrow(`--journal: cannot write the journal ${file} (ENOENT)`);
    j.close();
  });

  it('--resume of a journal that does not exist is refused, and the lock released', () => {
    const file = join(dir, 'missing.jsonl');
    expect(() => openJournal(file, header, { resume: { regrade: false } })).toThrow(`${file}: cannot read the journal (ENOENT)`);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('--resume under another --shard (or none) is refused, --regrade too: one journal holds one shard; the same shard resumes', () => {
    const file = writeJournal('shard-1of3.jsonl', headerLine({ shard: { index: 1, count: 3 } }), studentLine('a'));
    const resume = { resume: { regrade: false } };
    expect(() => openJournal(file, { ...header, shard: { index: 2, count: 3 } }, resume)).toThrow(
      `${file}: the journal was graded for shard 1/3, this run grades shard 2/3; each shard resumes its own journal`,
    );
    expect(() => openJournal(file, header, { resume: { regrade: true } })).toThrow(
      `${file}: the journal was graded for shard 1/3, this run grades the whole roster (no --shard); each shard resumes its own journal`,
    );
    const whole = writeJournal('whole.jsonl', headerLine(), studentLine('a'));
    expect(() => openJournal(whole, { ...header, shard: { index: 1, count: 3 } }, resume)).toThrow(`${whole}: the journal was graded for the whole roster (no --shard), this run grades shard 1/3`);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const same = openJournal(file, { ...header, shard: { index: 1, count: 3 } }, resume);
    same.close();
  });

  it('a continued ledger (a workshop) of other rules or of another shard is refused, naming the ledger and --ledger; a plain run of another shard on it too', () => {
    const ledger = { continues: true, naming: { noun: 'ledger', flag: '--ledger' } } as const;
    const file = writeJournal('ledger-other-rules.jsonl', headerLine(), studentLine('a'));
    expect(() => openJournal(file, { ...header, checks: ['ex1.vm.reachable', 'ex6.app.e2e'] }, ledger)).toThrow(
      `${file}: the ledger graded 1 checks, this run 2 (new: ex6.app.e2e); continue it under the rules it was graded with, or pass another --ledger to start a new one`,
    );
    const sharded = writeJournal('ledger-shard.jsonl', headerLine({ shard: { index: 1, count: 2 } }), studentLine('a'));
    expect(() => openJournal(sharded, { ...header, shard: { index: 2, count: 2 } }, ledger)).toThrow(
      `${sharded}: the ledger was graded for shard 1/2, this run grades shard 2/2; each shard continues its own ledger`,
    );
    expect(existsSync(`${sharded}.lock`)).toBe(false);
    // Neither resumed nor continued, a run still appends under the file's header: its students would be merged as the other shard's.
    expect(() => openJournal(sharded, { ...header, shard: { index: 2, count: 2 } })).toThrow(
      `${sharded}: the journal was graded for shard 1/2, this run grades shard 2/2; each shard writes its own journal`,
    );
    expect(existsSync(`${sharded}.lock`)).toBe(false);
    const sameShard = openJournal(sharded, { ...header, shard: { index: 1, count: 2 } });
    expect(sameShard.contents.warnings).toEqual([]);
    sameShard.close();
    const old = writeJournal('ledger-old.jsonl', oldHeader('2024-12-01T00:00:00.000Z'), studentLine('a'));
    const continued = openJournal(old, header, ledger);
    expect(continued.contents.warnings).toEqual([
      `${old} was written by an earlier lab-grade that did not record its selection or lab profile: continued as every check; its profile cannot be compared`,
    ]);
    continued.close();
  });

  it('--resume under the same rules appends after the results, without a new header or a warning', () => {
    const file = writeJournal('same-rules.jsonl', headerLine(), studentLine('a'));
    const j = openJournal(file, { ...header, checks: [...header.checks] }, { resume: { regrade: false } });
    expect(j.contents.warnings).toEqual([]);
    j.append(student('b', 'graded'));
    j.close();
    expect(headerCount(file)).toBe(1);
    expect([...readJournal(file).students.keys()]).toEqual(['a', 'b']);
  });

  it('--resume under other rules is refused with the difference and the way out (--regrade), and the lock released', () => {
    const file = writeJournal('other-rules.jsonl', headerLine(), studentLine('a'));
    const err = errorOf(() => openJournal(file, { ...header, checks: ['ex1.vm.reachable', 'ex6.app.e2e'] }, { resume: { regrade: false } }));
    expect(err.message).toContain(`${file}: the journal graded 1 checks, this run 2 (new: ex6.app.e2e)`);
    expect(err.message).toContain('pass --regrade');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('--regrade under other rules, or the same, starts over after a new header', () => {
    for (const checks of [['ex1.vm.reachable', 'ex6.app.e2e'], header.checks]) {
      const file = writeJournal('regrade.jsonl', headerLine(), studentLine('a'));
      const j = openJournal(file, { ...header, checks }, { resume: { regrade: true } });
      expect(j.contents.warnings).toEqual([]);
      j.start();
      j.close();
      expect(headerCount(file)).toBe(2);
      expect(readJournal(file).header?.checks).toEqual(checks);
    }
  });

  it('a new run (no --resume) on a journal of other rules appends a header of its own', () => {
    const file = writeJournal('plain-other-rules.jsonl', headerLine(), studentLine('a'));
    const j = openJournal(file, { ...header, profileHash: 'b'.repeat(64) });
    j.append(student('b', 'graded'));
    j.close();
    expect(headerCount(file)).toBe(2);
    expect([...readJournal(file).students.keys()]).toEqual(['b']);
  });

  it('a journal of an earlier version (no selection recorded) is resumed as every check with a warning; --only needs --regrade', () => {
    const file = writeJournal('old.jsonl', oldHeader('2024-12-01T00:00:00.000Z'), studentLine('a'));
    const resumed = openJournal(file, header, { resume: { regrade: false } });
    expect(resumed.contents.warnings).toHaveLength(1);
    expect(resumed.contents.warnings[0]).toBe(`${file} was written by an earlier lab-grade that did not record its selection or lab profile: resumed as every check; its profile cannot be compared`);
    resumed.start();
    resumed.close();
    expect(headerCount(file)).toBe(1);

    const plain = openJournal(file, header);
    expect(plain.contents.warnings).toEqual([]);
    plain.close();

    const onlyEx1 = { ...header, only: ['ex1'] };
    expect(() => openJournal(file, onlyEx1, { resume: { regrade: false } })).toThrow('this run grades --only ex1; pass --regrade');
    const regraded = openJournal(file, onlyEx1, { resume: { regrade: true } });
    expect(regraded.contents.warnings).toEqual([]);
    regraded.start();
    regraded.close();
    expect(headerCount(file)).toBe(2);
  });

  it('a header that does not record what it grades (a ledger) is never compared with the journal', () => {
    const { checks: _checks, only: _only, profileHash: hash, ...bare } = header;
    for (const fields of [bare, { ...bare, profileHash: hash }, { ...bare, only: [], profileHash: hash }]) {
      const file = writeJournal('ledger.jsonl', headerLine(), studentLine('a'));
      const j = openJournal(file, fields, { resume: { regrade: false } });
      expect(j.contents.warnings).toEqual([]);
      j.append(student('b', 'graded'));
      j.close();
      expect(headerCount(file)).toBe(1);
    }
  });

  it('openJournal hands the lines already there to visit', () => {
    const file = writeJournal('open-visit.jsonl', headerLine(), studentLine('a'), studentLine('b'));
    const seen: Array<[string, number, JournalHeader | undefined]> = [];
    openJournal(file, header, { visit: (line, lineNo, h) => seen.push([line.student.user, lineNo, h]) }).close();
    expect(seen).toEqual([
      ['a', 2, headerLine()],
      ['b', 3, headerLine()],
    ]);
  });
});

describe('defaultJournalPath and planResume', () => {
  const now = new Date('2025-01-02T03:04:05.678Z');

  it('names the kind, the time to the millisecond, the shard and the pid', () => {
    expect(defaultJournalPath({ now, pid: 1234, shard: { index: 2, count: 3 } })).toBe('.lab-grade/journal-20250102T030405.678Z-shard2of3-pid1234.jsonl');
    expect(defaultJournalPath({ now, pid: 1234, kind: 'live' })).toBe('.lab-grade/live-20250102T030405.678Z-pid1234.jsonl');
  });

  it('by default: a journal, now, of this process', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(now);
      expect(defaultJournalPath()).toBe(`.lab-grade/journal-20250102T030405.678Z-pid${process.pid}.jsonl`);
    } finally {
      vi.useRealTimers();
    }
  });

  it('--regrade settles nobody', () => {
    const file = writeJournal('plan-regrade.jsonl', headerLine(), studentLine('a'), studentLine('b'));
    const plan = planResume(readJournal(file), targets, { onlyJournaled: false, regrade: true });
    expect(plan.settled.size).toBe(0);
    expect(plan.targets).toEqual(targets);
  });
});
