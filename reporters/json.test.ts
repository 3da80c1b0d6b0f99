import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadClassSmall, render, TITLE } from '../fixtures/results/support.js';
import { runInfoFor } from './replay.js';
import { renderJson, toJsonDocument, writeJson, type JsonDocument } from './json.js';

const schema = JSON.parse(readFileSync(new URL('./result.schema.json', import.meta.url), 'utf8')) as object;
// strict: an unknown keyword or a sloppy schema fails here rather than in a consumer's validator.
const validate = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);

function valid(doc: unknown): boolean {
  return validate(doc) as boolean;
}

describe('json reporter', () => {
  it('writes a document that validates against result.schema.json', async () => {
    const doc: unknown = JSON.parse(await render('json', loadClassSmall()));
    expect(valid(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it("carries the profile's pass mark and bonus cap, a partial run's selection, and each result's reason code", async () => {
    const doc = JSON.parse(await render('json', loadClassSmall(), { info: { only: ['ex6', 'ex7.helm.release'] } })) as JsonDocument;
    expect(valid(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ passMark: 70, bonusCap: 5, only: ['ex6', 'ex7.helm.release'] });
    expect(doc.students[1].checks.find((c) => c.id === 'ex3.cluster.exists')!.code).toBe('LG-302');
    expect(doc.students[1].checks.find((c) => c.id === 'ex1.vm.reachable')!.code).toBeNull();
    // A result replayed without run info (an old file) has none of them rather than made-up ones.
    const bare = JSON.parse(await render('json', loadClassSmall(), { withInfo: false })) as JsonDocument;
    expect(valid(bare)).toBe(true);
    expect(bare).not.toHaveProperty('passMark');
    expect(bare).not.toHaveProperty('only');
  });

  it('draws no verdict for a partial run: every student passed null, the selection recorded', async () => {
    // labuser07 passes at 70 % with every check; only ex6 and ex7 of them say nothing of the pass mark.
    const run = loadClassSmall();
    expect(run.students.find((s) => s.user === 'labuser07')!.passed).toBe(true);
    const doc = JSON.parse(await render('json', run, { info: { only: ['ex6', 'ex7.helm.release'] } })) as JsonDocument;
    expect(valid(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.only).toEqual(['ex6', 'ex7.helm.release']);
    expect(doc.students.map((s) => s.passed)).toEqual(run.students.map(() => null));
    // The whole document, written at once, says the same.
    expect(toJsonDocument(run, runInfoFor(run, { title: TITLE, passMark: 70, only: ['ex6'] })).students.map((s) => s.passed)).toEqual(run.students.map(() => null));
    const whole = JSON.parse(await render('json', run)) as JsonDocument;
    expect(whole.students.map((s) => s.passed)).toEqual(run.students.map((s) => s.passed));
  });

  it('keeps the version and generatedAt of the RunResult', async () => {
    const doc = JSON.parse(await render('json', loadClassSmall())) as { grader: { version: string }; generatedAt: string };
    expect(doc.grader.version).toBe('0.1.0');
    expect(doc.generatedAt).toBe('2025-11-29T10:15:00.000Z');
  });

  it('is written a student at a time, the same bytes as the whole document stringified', () => {
    const run = loadClassSmall();
    const withBigint = { ...run, students: run.students.map((s, i) => (i === 0 ? { ...s, checks: s.checks.map((c) => ({ ...c, evidence: { big: 10n, text: 'a\nb' } })) } : s)) };
    for (const r of [run, withBigint, { ...run, students: [] }]) {
      const pieces: string[] = [];
      writeJson(r, undefined, (text) => pieces.push(text));
      const whole = JSON.stringify(toJsonDocument(r), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
      expect(pieces.join('')).toBe(whole);
      expect(renderJson(r)).toBe(whole);
      // The head, each student, the end: no piece holds the class.
      expect(pieces.length).toBe(r.students.length ? r.students.length + 2 : 1);
    }
  });

  it('is indented by two spaces and ends with a newline', async () => {
    const text = await render('json', loadClassSmall());
    expect(text.startsWith('{\n  "lab": ')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('writes a missing hint or blockedBy as null, never leaves the key out', () => {
    const check = toJsonDocument(loadClassSmall()).students[0].checks[0];
    expect(check).toHaveProperty('hint', null);
    expect(check).toHaveProperty('blockedBy', null);
  });

  it('writes a bigint in evidence as a string instead of throwing', async () => {
    const run = loadClassSmall();
    run.students[0].checks[0].evidence = { bytes: 12n };
    await expect(render('json', run)).resolves.toContain('"bytes": "12"');
  });

  // Untyped views, to write what the types forbid.
  const student = (d: JsonDocument) => d.students[0] as unknown as Record<string, unknown>;
  const check = (d: JsonDocument) => d.students[0].checks[0] as unknown as Record<string, unknown>;
  const broken: Array<[string, (doc: JsonDocument) => void]> = [
    ['a missing required field', (d) => delete check(d).hint],
    ['an unknown check status', (d) => (check(d).status = 'warn')],
    ['an unknown student status', (d) => (student(d).status = 'done')],
    ['a missing grader version', (d) => delete (d.grader as Partial<JsonDocument['grader']>).version],
    ['a negative score', (d) => (d.students[0].score = -1)],
    ['a percent above 100', (d) => (d.students[0].percent = 120)],
    ['a date that is not ISO 8601', (d) => (d.generatedAt = 'yesterday')],
    ['evidence that is not an object', (d) => (check(d).evidence = 'ok')],
    ['a check id outside the rubric scheme', (d) => (d.students[0].checks[0].id = 'Docker works')],
    ['a verdict in a partial run', (d) => (d.only = ['ex6'])],
    ['no verdict outside a partial run', (d) => (student(d).passed = null)],
    ['an empty selection', (d) => Object.assign(d, { only: [], students: d.students.map((s) => ({ ...s, passed: null })) })],
  ];
  it.each(broken)('rejects a document with %s', (_label, breakIt) => {
    const doc = toJsonDocument(loadClassSmall());
    breakIt(doc);
    expect(valid(doc)).toBe(false);
  });

  it('accepts extra fields (the contract may grow)', () => {
    const doc = { ...toJsonDocument(loadClassSmall()), roster: 'class.csv' };
    expect(valid(doc)).toBe(true);
  });
});
