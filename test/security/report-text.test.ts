/**
 * Student text in every report: bounded and on its line. A student whose image name, compose service,
 * docker answer, Helm value and greetings carry newlines, U+2028/U+2029/U+0085 and bidirectional
 * overrides (hostile/spoofing) forged check lines in the console ("✓ ex6.myapp.deployment 2/2 FORGED
 * PASS") and in Markdown; a 100 KB image name made 400 KB messages and a 200 KB `docker --version` a
 * 200 KB one. Checks quote student text as excerpts (checks/text.ts) and the engine bounds every result
 * (core/student-text.ts), so in every report each check takes the lines the grader wrote and no more,
 * and no message needed the engine's last-resort cut.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeStudents } from '../../core/result-spool.js';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import { CHECK_IDS } from '../../checks/index.js';
import type { CheckResult, RunResult, StudentResult } from '../../core/model.js';
import { RESULT_TEXT_LIMITS } from '../../core/student-text.js';
import { detailLines, shownStatus } from '../../reporters/format.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios, type Scenario } from '../../sandbox/scenario.js';
import { allStrings, BUILT_IN, gradeRequest, hostileScenario, timed } from './support.js';

const SPOOFING = 'hostile-spoofing';
const LONG_IMAGE = 'longimage';
const LONG_DOCKER = 'longdocker';
const ESCAPED_DOCKER = 'escdocker';
const HOSTILE_USERS = [SPOOFING, LONG_IMAGE, LONG_DOCKER, ESCAPED_DOCKER];
const FORMATS = ['json', 'junit', 'markdown', 'csv', 'html'] as const;

/** What ends a line for some reader, drives a terminal or reorders text: never in a student's one-line text. */
// eslint-disable-next-line no-control-regex
const OFF_THE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
/** The same, less the newline a hint's snippet is written with. */
// eslint-disable-next-line no-control-regex
const OFF_THE_LINE_IN_HINT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

const [perfect] = loadScenarios([join(BUILT_IN, '01-perfect.yaml')], CHECK_IDS);

/** The perfect student under another name (their own cluster and registry), changed by `change`. */
function studentLike(user: string, change: (s: Scenario) => void): Scenario {
  const s = JSON.parse(JSON.stringify(perfect).replaceAll('labuser01', user).replaceAll('aks01', `aks-${user}`)) as Scenario;
  s.expect = {};
  s.expectDetail = {};
  change(s);
  return s;
}

const scenarios = [
  hostileScenario('spoofing'),
  studentLike(LONG_IMAGE, (s) => {
    s.kubernetes!.apply = s.kubernetes!.apply.replace(`image: ${LONG_IMAGE}acr.azurecr.io/myapp:v1.0`, `image: ${LONG_IMAGE}acr.azurecr.io/${'m'.repeat(100_000)}:v1.0`);
  }),
  studentLike(LONG_DOCKER, (s) => void (s.vm!.docker = `Docker version ${'9'.repeat(200_000)}, build afdd53b`)),
  studentLike(ESCAPED_DOCKER, (s) => void (s.vm!.docker = `Podman ${'A\u001b[31m'.repeat(25_000)}`)),
];

let sandbox: Sandbox;
let run: RunResult;
let consoleText = '';
const reports: Record<string, string> = {};

beforeAll(async () => {
  expect(scenarios[1].kubernetes!.apply.length).toBeGreaterThan(100_000);
  sandbox = await startSandbox(scenarios);
  const dir = mkdtempSync(join(tmpdir(), 'lab-grade-report-text-'));
  const out: string[] = [];
  const request = gradeRequest({
    // One student at a time: the console prints each student's block whole.
    concurrency: 1,
    reports: [...FORMATS.map((format) => ({ format, file: join(dir, `report.${format}`) })), { format: 'console' }],
  });
  const outcome = await timed(120_000, () => gradeAndReport(sandbox.config, request, { stdout: { write: (t) => void out.push(t), color: false, isTTY: false }, notices: NO_NOTICES }));
  run = { ...outcome.value.run, students: [...wholeStudents(outcome.value.run)] };
  consoleText = out.join('');
  for (const f of FORMATS) reports[f] = readFileSync(join(dir, `report.${f}`), 'utf8');
}, 130_000);
afterAll(() => sandbox?.stop());

const student = (user: string): StudentResult => run.students.find((s) => s.user === user)!;
const shown = (s: StudentResult): CheckResult[] => s.checks.filter((c) => !['pass', 'not-earned', 'info'].includes(shownStatus(c, s.checks)));
/** The lines a detail takes: one, or a hint's own lines (the grader writes snippets on several). */
const linesOf = (detail: string): number => (detail.startsWith('hint: ') ? detail.split('\n').length : 1);

describe('the results: student text bounded and on one line', () => {
  it('every message, found, expected and evidence string of the hostile students is one line; hints keep only their own line breaks', () => {
    for (const user of HOSTILE_USERS) {
      for (const c of student(user).checks) {
        for (const text of [c.message, c.found ?? '', c.expected ?? '', ...allStrings(c.evidence)])
          expect({ user, id: c.id, offTheLine: OFF_THE_LINE.test(text) }).toEqual({ user, id: c.id, offTheLine: false });
        expect({ user, id: c.id, offTheLine: OFF_THE_LINE_IN_HINT.test(c.hint ?? '') }).toEqual({ user, id: c.id, offTheLine: false });
      }
    }
  });

  it('the planted forgeries reached the results, escaped (the scenario tests what it means to)', () => {
    const messages = student(SPOOFING).checks.map((c) => c.message);
    for (const id of ['ex1.docker.installed', 'ex2.compose.valid', 'ex5.pod.running', 'ex6.myapp.deployment', 'ex7.helm.registry']) {
      expect(student(SPOOFING).checks.find((c) => c.id === id)!.status).toBe('fail');
    }
    expect(messages.filter((m) => m.includes('FORGED') || m.includes('forged')).length).toBeGreaterThanOrEqual(5);
  });

  it('long student strings are excerpted where they are quoted: no message, evidence string or value needed the last-resort cut', () => {
    for (const user of [LONG_IMAGE, LONG_DOCKER, ESCAPED_DOCKER]) {
      for (const c of student(user).checks) {
        // A text the engine had to cut is exactly as long as its bound.
        expect({ user, id: c.id, message: c.message.length < RESULT_TEXT_LIMITS.messageChars }).toEqual({ user, id: c.id, message: true });
        for (const s of allStrings(c.evidence)) expect({ user, id: c.id, evidence: s.length < RESULT_TEXT_LIMITS.evidenceStringChars }).toEqual({ user, id: c.id, evidence: true });
        for (const v of [c.found, c.expected].filter((x) => x !== undefined)) expect({ user, id: c.id, value: v!.length < RESULT_TEXT_LIMITS.valueChars }).toEqual({ user, id: c.id, value: true });
      }
    }
    const ids = (user: string) => Object.fromEntries(student(user).checks.map((c) => [c.id, c]));
    // The checks that quote them saw them.
    expect(ids(LONG_IMAGE)['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-602' });
    expect(ids(LONG_IMAGE)['ex5.pod.running'].status).toBe('fail');
    expect(ids(LONG_DOCKER)['ex1.docker.installed'].status).toBe('pass');
    expect(ids(ESCAPED_DOCKER)['ex1.docker.installed']).toMatchObject({ status: 'fail', code: 'LG-112' });
  });

  it('the JSON report stays small: no student string is carried whole', () => {
    expect(reports.json.length).toBeLessThan(HOSTILE_USERS.length * 60 * 1024);
    expect(Math.max(...allStrings(JSON.parse(reports.json)).map((s) => s.length))).toBeLessThan(RESULT_TEXT_LIMITS.hintChars);
    expect(reports.json).not.toMatch(/[\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('every report: each check takes the lines the grader wrote, no forged line', () => {
  it('console: a student takes a header, a line per shown check and its details, a summary and a blank line', () => {
    const lines = consoleText.split('\n');
    for (const user of HOSTILE_USERS) {
      const start = lines.indexOf(user);
      const end = lines.indexOf('', start);
      const s = student(user);
      const expected = 1 + shown(s).reduce((n, c) => n + 1 + detailLines(c).reduce((m, d) => m + linesOf(d), 0), 0) + 1;
      expect({ user, lines: end - start }).toEqual({ user, lines: expected });
    }
  });

  it('markdown: a table row per shown check, each cell broken only where the grader broke it', () => {
    for (const user of HOSTILE_USERS) {
      const s = student(user);
      const block = reports.markdown.split(`### ${user}:`)[1].split('\n### ')[0];
      const rows = block.split('\n').filter((l) => l.startsWith('| '));
      // Heading and separator, then one row per shown check.
      expect({ user, rows: rows.length }).toEqual({ user, rows: 2 + shown(s).length });
      shown(s).forEach((c, i) => {
        const breaks = rows[2 + i].split('<br>').length;
        expect({ user, id: c.id, breaks }).toEqual({ user, id: c.id, breaks: detailLines(c).reduce((m, d) => m + linesOf(d), 0) });
      });
    }
  });

  it("JUnit: no failure's or error's message attribute breaks a line", () => {
    const messages = [...reports.junit.matchAll(/<(?:failure|error) message="([^"]*)"/g)].map((m) => m[1]);
    expect(messages.length).toBeGreaterThanOrEqual(5);
    for (const m of messages) expect(m).not.toMatch(/&#10;|&#13;|[\u2028\u2029\u0085]/);
  });

  it('CSV: one record per student, each on one line', () => {
    expect(reports.csv.split('\r\n').filter(Boolean)).toHaveLength(1 + run.students.length);
    expect(reports.csv.replaceAll('\r\n', '')).not.toMatch(OFF_THE_LINE);
  });

  it('HTML: no line or paragraph separator, bidirectional control or terminal escape', () => {
    expect(reports.html).toContain(SPOOFING);
    // eslint-disable-next-line no-control-regex
    expect(reports.html).not.toMatch(/[\u001b\u0085\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });
});
