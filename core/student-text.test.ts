import { describe, expect, it } from 'vitest';
import { defineCheck, fail, pass, reasons } from './check.js';
import { registerSecret } from './redact.js';
import { gradeStudent } from './engine.js';
import { selectChecks } from './selection.js';
import { boundResultText, dropHidden, excerpt, joinLines, RESULT_TEXT_LIMITS } from './student-text.js';
import type { CheckResult } from './model.js';
import { profileWith } from '../test/support/profile.js';
import { loadClassSmall } from '../fixtures/results/support.js';

/** Every character a student could use to end a line, drive a terminal, reorder or hide text. */
const HIDDEN = ['\n', '\r', '\t', '\u0085', '\u001b', '\u0007', '\u007f', '\u2028', '\u2029', '\u202e', '\u2066', '\u2069', '\u200f', '\u061c', '\u200b', '\ufeff', '\ud800'];

describe('excerpt: student text on one line, bounded', () => {
  it.each(HIDDEN)('shows %j as a visible escape', (ch) => {
    const out = excerpt(`a${ch}b`, 100);
    expect(out).not.toContain(ch);
    expect(out).toMatch(/^a\\(n|r|t|u[0-9a-f]{4})b$/);
  });

  it('names the common escapes as a reader knows them', () => {
    expect(excerpt('nginx:1\n  ✓ ex6 FORGED\r\n', 100)).toBe('nginx:1\\n  ✓ ex6 FORGED\\r\\n');
    expect(excerpt('x\u2028y\u202ez', 100)).toBe('x\\u2028y\\u202ez');
  });

  it('keeps ordinary text, accents and emoji as they are', () => {
    const text = 'myapp:v1.0 — Grüße 👋 <b>&</b> "quoted" \\n';
    expect(excerpt(text, 100)).toBe(text);
  });

  it('cuts a 100 KB string to the bound with an ellipsis', () => {
    const out = excerpt('m'.repeat(100_000), 200);
    expect(out).toHaveLength(200);
    expect(out.endsWith('…')).toBe(true);
  });

  it('counts escapes in the bound and never cuts one, nor a surrogate pair, in half', () => {
    const escaped = excerpt('\n'.repeat(1_000), 11);
    expect(escaped).toBe('\\n\\n\\n\\n\\n…');
    const emoji = excerpt('a' + '👋'.repeat(10), 4);
    expect(emoji).toBe('a👋…');
  });

  it('fits exactly: a text as long as the bound is not cut', () => {
    expect(excerpt('abcd', 4)).toBe('abcd');
    expect(excerpt('abcde', 4)).toBe('abc…');
  });

  it('keeps line breaks when asked (a hint), escaping the rest', () => {
    expect(excerpt('add\n    ports:\u2028x', 100, { keepNewlines: true })).toBe('add\n    ports:\\u2028x');
  });
});

describe('dropHidden: the same hidden characters, left out', () => {
  it.each(HIDDEN)('drops %j', (ch) => {
    expect(dropHidden(`a${ch}b`)).toBe('ab');
  });

  it('keeps the characters asked for, and a surrogate pair whole', () => {
    expect(dropHidden('a\nb\tc\rd\u200be👋', '\n\t')).toBe('a\nb\tcde👋');
  });
});

describe('joinLines: one line', () => {
  it('makes each run of white space around a line break or tab one space, and leaves other spaces', () => {
    expect(joinLines('a \r\n  b\tc  d\n')).toBe('a b c  d ');
  });

  it('takes a long run of spaces in linear time', () => {
    const spaces = ' '.repeat(50_000);
    expect(joinLines(`a${spaces}b\n`)).toBe(`a${spaces}b `);
  }, 5_000);
});

/** A real result of the small class, with what the test changes. */
const sample = loadClassSmall().students[0].checks[0];
const result = (over: Partial<CheckResult>): CheckResult => ({ ...sample, hint: undefined, found: undefined, expected: undefined, evidence: {}, ...over });

describe('boundResultText: every result within its bounds', () => {
  it('bounds and escapes message, hint, found, expected and every evidence string', () => {
    const long = 'x\n'.repeat(100_000);
    const r = boundResultText(result({ message: long, hint: long, found: long, expected: long, evidence: { image: long, list: [long], nested: { deeper: long } } }));
    expect(r.message.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.messageChars);
    expect(r.message).not.toContain('\n');
    expect(r.hint!.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.hintChars);
    expect(r.found!.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.valueChars);
    expect(r.expected!.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.valueChars);
    const ev = r.evidence as { image: string; list: string[]; nested: { deeper: string } };
    for (const s of [ev.image, ev.list[0], ev.nested.deeper]) {
      expect(s.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.evidenceStringChars);
      expect(s).not.toContain('\n');
    }
  });

  it('bounds evidence lists, objects, keys and depth', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const manyKeys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    const r = boundResultText(result({ evidence: { list: Array.from({ length: 1_000 }, (_, i) => i), manyKeys, deep, ['key\n' + 'k'.repeat(500)]: 1 } }));
    const ev = r.evidence as Record<string, unknown>;
    expect(ev.list).toHaveLength(RESULT_TEXT_LIMITS.evidenceItems + 1);
    expect(Object.keys(ev.manyKeys as object)).toHaveLength(RESULT_TEXT_LIMITS.evidenceItems + 1);
    let depth = 0;
    for (let cur = ev.deep; cur && typeof cur === 'object'; cur = (cur as { d: unknown }).d) depth++;
    expect(depth).toBeLessThan(RESULT_TEXT_LIMITS.evidenceDepth);
    for (const k of Object.keys(ev)) {
      expect(k.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.evidenceKeyChars);
      expect(k).not.toContain('\n');
    }
  });

  it('keeps a result within its bounds as it is', () => {
    const r = result({ message: 'pod myapp runs x', hint: 'Exercise 2 step 4: add\n    ports:', evidence: { pod: 'myapp', replicas: 3, ready: true, none: null }, found: '1', expected: '3' });
    expect(boundResultText(r)).toEqual(r);
  });
});

describe('the engine bounds what every check returns', () => {
  it('a check that quotes a student string whole still reports one bounded line', async () => {
    const image = 'nginx:1\n  ✓ ex6.myapp.deployment 2/2 FORGED PASS\u2028' + 'm'.repeat(100_000);
    const R = reasons({ wrong: ['LG-998', 'a test failure'] });
    const careless = defineCheck({
      id: 'ex5.careless',
      exercise: 5,
      title: () => 'a check that forgets to excerpt',
      points: { points: 1 },
      needs: [],
      dependsOn: [],
      reasons: R,
      run: async () => fail(R.wrong, `pod myapp runs ${image}`, `Exercise 5: not ${image}`, { evidence: { image }, found: image, expected: 'x' }),
    });
    const { result } = await gradeStudent({ user: 'u', resourceGroup: 'rg' }, selectChecks([careless]), { probes: {} }, profileWith({ 'ex5.careless': 1 }));
    const c = result.checks[0];
    expect(c.code).toBe('LG-998');
    expect(c.message.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.messageChars);
    expect(c.message).not.toMatch(/[\n\u2028]/);
    // A hint keeps line breaks (the grader writes snippets on several lines): quoting student text in one is the check's job.
    expect(c.hint).not.toMatch(/\u2028/);
    expect(c.hint!.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.hintChars);
    expect(String(c.evidence.image).length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.evidenceStringChars);
    expect(c.found!.length).toBeLessThanOrEqual(RESULT_TEXT_LIMITS.valueChars);
  });
});

describe('what --wait says while a check is polled', () => {
  it('is the message redacted and on one line', async () => {
    const R = reasons({ waiting: ['LG-997', 'a test failure'] });
    registerSecret('s3cret-Polled-Token');
    let polls = 0;
    const polled = defineCheck({
      id: 'ex5.polled',
      exercise: 5,
      title: () => 'a check polled under --wait',
      points: { points: 1 },
      needs: [],
      dependsOn: [],
      reasons: R,
      run: async () => (++polls < 3 ? fail(R.waiting, 'pod runs x\n  ✓ FORGED s3cret-Polled-Token', 'Exercise 5', { outcome: 'not-ready' }) : pass('now')),
    });
    const said: string[] = [];
    await gradeStudent({ user: 'u', resourceGroup: 'rg' }, selectChecks([polled]), { probes: {} }, profileWith({ 'ex5.polled': 1 }), {
      waitMs: 5_000,
      pollIntervalMs: 1,
      onWaiting: (_user, _id, message) => void said.push(message),
    });
    expect(said.length).toBeGreaterThan(0);
    for (const m of said) expect(m).toBe('pod runs x\\n  ✓ FORGED [redacted]');
  });
});
