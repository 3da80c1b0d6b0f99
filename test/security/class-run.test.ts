/**
 * One full class, as `lab-grade demo` grades it: the built-in class plus every hostile scenario, with
 * every reporter writing to a file, the console to captured stdout, a --journal file, and stderr and
 * console.* captured.
 * - Secrets: no token, password or kubeconfig credential the simulated lab issued (nor the base64 of
 *   `user:password` that Basic auth sends, nor any secret's base64) appears anywhere.
 * - Reports: student-controlled strings (greetings, compose service names and images, HTTP bodies) are
 *   escaped in JUnit XML and Markdown (and HTML, neutralised in CSV, when those reporters exist), carry
 *   no terminal control characters, and no evidence carries more than a short excerpt.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { wholeStudents } from '../../core/result-spool.js';
import { runDemo } from '../../app/demo.js';
import { stderrNotices } from '../../app/io.js';
import type { RunResult } from '../../core/model.js';
import { REPORT_FORMATS } from '../../reporters/index.js';
import type { Sandbox } from '../../sandbox/lab.js';
import { allStrings, BUILT_IN, captureStd, gradeRequest, HOSTILE, timed, watchConnections } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-security-'));
const names = [...REPORT_FORMATS];
const outputs: Record<string, string> = {};
let sandbox: Sandbox;
let run: RunResult;
let stdout = '';
let stderr = '';
let journal = '';
const watch = watchConnections();

beforeAll(async () => {
  const std = captureStd();
  const console: string[] = [];
  try {
    const outcome = await timed(30_000, () =>
      runDemo(
        gradeRequest({
          concurrency: 8,
          classRun: { preflight: false, progress: false, journal: { file: join(dir, 'journal.jsonl'), auto: false } },
          reports: [...names.map((n) => ({ format: n, file: join(dir, `report.${n}`) })), { format: 'console' }],
        }),
        [BUILT_IN, HOSTILE],
        { stdout: { write: (t) => void console.push(t), color: false, isTTY: false }, notices: stderrNotices(false) },
      ),
    );
    sandbox = outcome.value.sandbox;
    run = { ...outcome.value.run, students: [...wholeStudents(outcome.value.run)] };
  } finally {
    std.restore();
    watch.stop();
  }
  stdout = console.join('') + std.stdout();
  stderr = std.stderr();
  for (const n of names) outputs[n] = readFileSync(join(dir, `report.${n}`), 'utf8');
  journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
}, 40_000);

const everything = () => [stdout, stderr, journal, ...Object.values(outputs)].join('\n\u0000\n');

describe('a full class with hostile students', () => {
  it('grades every student, never crashing, and touches nothing outside 127.0.0.0/8', () => {
    const users = run.students.map((s) => s.user);
    expect(users).toContain('labuser01');
    expect(users).toContain('hostile-strings');
    expect(users.filter((u) => u.startsWith('hostile-'))).toHaveLength(readdirSync(HOSTILE).filter((f) => f.endsWith('.yaml')).length);
    for (const s of run.students) for (const c of s.checks) expect(c.message).not.toMatch(/could not grade: (TypeError|RangeError|ReferenceError)/);
    expect(watch.outsideLoopback()).toEqual([]);
    expect(watch.towards('169.254.169.254')).toEqual([]);
  });

  it("gives the hostile scenarios' expected verdicts", () => {
    for (const scenario of sandbox.scenarios.filter((s) => s.user.startsWith('hostile-'))) {
      const checks = run.students.find((s) => s.user === scenario.user)!.checks;
      const got = Object.fromEntries(checks.map((c) => [c.id, c.status]));
      const why = checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`);
      expect({ user: scenario.user, ...Object.fromEntries(Object.keys(scenario.expect).map((id) => [id, got[id]])) }, why.join('; ')).toEqual({ user: scenario.user, ...scenario.expect });
    }
  });
});

describe('secrets never leave the grader', () => {
  const forms = (): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');
    for (const secret of sandbox.secrets()) out.push([`secret ${secret.slice(0, 4)}…`, secret], [`base64 of secret ${secret.slice(0, 4)}…`, b64(secret)]);
    for (const s of sandbox.scenarios) {
      for (const r of s.azure.registries) {
        const c = sandbox.registry.adminCredentials(r.name);
        out.push([`Basic auth of ${r.name}`, b64(`${c.username}:${c.password}`)]);
      }
      const vmPassword = sandbox.config.vm!.password!.reveal();
      out.push([`Basic-style ${s.user}:<vm password>`, b64(`${s.user}:${vmPassword}`)]);
    }
    return out;
  };

  it('the simulated lab issued the secrets this test looks for', () => {
    expect(sandbox.secrets().length).toBeGreaterThan(10);
    expect(names).toEqual(expect.arrayContaining(['console', 'json', 'junit', 'markdown', 'csv', 'html']));
    for (const n of names) expect(outputs[n].length).toBeGreaterThan(100);
    expect(journal.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(run.students.length);
  });

  it('no secret, in any form, in any report, the journal, stdout, stderr or console output', () => {
    const text = everything();
    const leaks = forms().filter(([, value]) => text.includes(value));
    expect(leaks.map(([what]) => what)).toEqual([]);
  });

  it('reports do not over-redact: an ordinary title like "A Basic container registry exists" stays readable', () => {
    expect(outputs.json).toContain('blocked by ex4.registry.exists (A Basic container registry exists)');
    expect(everything()).not.toContain('A Basic [redacted]');
  });
});

describe('student-controlled strings in reports', () => {
  const HOSTILE_MARKUP = ["<script>alert('greeting')</script>", "<script>alert('image')</script>", "<img src=x onerror=alert('svc')>"];

  it('JUnit XML is well-formed and carries the hostile strings as text, escaped', () => {
    const xml = outputs.junit;
    expect(XMLValidator.validate(xml)).toBe(true);
    for (const raw of [...HOSTILE_MARKUP, ']]><injected', '<injected attr', '<x/>']) expect(xml).not.toContain(raw);
    const parsed = JSON.stringify(new XMLParser({ ignoreAttributes: false, processEntities: true, htmlEntities: true }).parse(xml));
    // Escaped, not dropped: the parser gives the student's text back.
    expect(parsed).toContain("alert('image')");
    expect(parsed).toContain("alert('greeting')");
  });

  it('Markdown shows markup as text (entities), never as HTML', () => {
    const md = outputs.markdown;
    for (const raw of [...HOSTILE_MARKUP, '<x/>', '<injected']) expect(md).not.toContain(raw);
    expect(md).toContain("&lt;script&gt;alert('image')&lt;/script&gt;");
  });

  it('console and files carry no terminal control characters (ESC, BEL, CSI, OSC)', () => {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
    expect(stdout).not.toMatch(control);
    for (const n of names) expect({ reporter: n, control: control.test(outputs[n]) }).toEqual({ reporter: n, control: false });
    expect(stdout).toContain('hostile-strings');
  });

  it('no report carries a bidirectional override (the student sees text reordered, a reader would not); JSON shows them escaped', () => {
    const bidi = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
    // The greeting reached the reports: its letters are there, its direction controls are not (JSON names them).
    expect(JSON.parse(outputs.json).students.flatMap((s: { checks: unknown[] }) => allStrings(s.checks))).toContain('\\u202egnp.exe\\u2066reversed\\u2069\\u200f');
    expect(stdout).not.toMatch(bidi);
    for (const n of names) expect({ reporter: n, bidi: bidi.test(outputs[n]) }).toEqual({ reporter: n, bidi: false });
    // In the evidence (JSON text), the escapes the grader wrote for them.
    expect(outputs.html).toContain('gnp.exe\\\\u2066reversed');
  });

  it('HTML escapes markup; CSV neutralises formulas', () => {
    expect(outputs.html).toContain('<html');
    for (const raw of HOSTILE_MARKUP) expect(outputs.html).not.toContain(raw);
    const lines = outputs.csv.split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('JSON keeps the data intact and escapes control characters; every string is short', () => {
    expect(outputs.json).not.toContain('\u001b');
    const report = JSON.parse(outputs.json) as unknown;
    const strings = allStrings(report);
    expect(strings).toContain("<script>alert('greeting')</script>");
    // The endless HTTP body, the 50 KB of brackets, the alias bomb: none shows up beyond an excerpt.
    expect(Math.max(...strings.map((s) => s.length))).toBeLessThan(2_000);
    const huge = run.students.find((s) => s.user === 'hostile-http-huge')!.checks.find((c) => c.id === 'ex6.app.e2e')!;
    expect(String(huge.evidence.excerpt).length).toBeLessThanOrEqual(120);
  });
});
