import { beforeEach, describe, expect, it, vi } from 'vitest';

type Redaction = typeof import('./redact.js');
let redact: Redaction['redact'];
let redactText: Redaction['redactText'];
let registerSecret: Redaction['registerSecret'];

/**
 * Each test gets a fresh copy of the module: no secret registered by another test, and its patterns
 * built again, so a mutation run (which does not reload a module per mutant) sees a changed pattern.
 */
beforeEach(async () => {
  vi.resetModules();
  ({ redact, redactText, registerSecret } = await import('./redact.js'));
});

describe('redaction', () => {
  it('masks every registered secret wherever it occurs, the longer of two overlapping first, and short values never', () => {
    registerSecret('s3cr3t-admin-password');
    registerSecret('s3cr3t');
    registerSecret('abc'); // too short to be told from ordinary text
    expect(redactText('login s3cr3t-admin-password then s3cr3t, and abc')).toBe('login [redacted] then [redacted], and abc');
    expect(redact({ note: 'x s3cr3t y', nested: [{ v: 'ps3cr3t-admin-passwordq' }], password: 'anything' })).toEqual({
      note: 'x [redacted] y',
      nested: [{ v: 'p[redacted]q' }],
      password: '[redacted]',
    });
  });

  it('masks a registered secret at every occurrence, not only the first', () => {
    registerSecret('r3pEated-Secret-value');
    expect(redactText('r3pEated-Secret-value, again r3pEated-Secret-value and r3pEated-Secret-value')).toBe('[redacted], again [redacted] and [redacted]');
  });

  it.each(['token', 'accessToken', 'refresh_token', 'password', 'clientSecret', 'credential', 'authorization', 'client-key', 'private_key', 'privateKey', 'apiKey', 'api-key', 'pass'])(
    'masks the value of a key named %s, whatever the value looks like',
    (key) => {
      expect(redact({ [key]: 'plain', user: 'labuser07' })).toEqual({ [key]: '[redacted]', user: 'labuser07' });
    },
  );

  it.each([
    ['Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig', 'Authorization: Bearer [redacted]'],
    ['Authorization: Basic dXNlcjpzM2NyM3Q=', 'Authorization: Basic [redacted]'],
    ['curl -H "Authorization: Bearer abcdefgh12" twice: Bearer abcdefgh12', 'curl -H "Authorization: Bearer [redacted]" twice: Bearer [redacted]'],
    ['Bearer  two-spaces-token', 'Bearer [redacted]'],
    ['Bearer abcDefGhijk', 'Bearer [redacted]'], // letters only, but two capitals: not a word
  ])('masks a credential by its shape, unregistered: %s', (text, masked) => {
    expect(redactText(text)).toBe(masked);
  });

  it('masks tokens and URL passwords by their shape, and leaves words alone', () => {
    expect(redactText('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig')).toBe('Authorization: Bearer [redacted]');
    expect(redactText('https://admin:hunter22@registry.example')).toBe('https://admin:[redacted]@registry.example');
    expect(redactText('A Basic container registry exists')).toBe('A Basic container registry exists');
  });

  it.each(['A Basic containerRegistry exists', 'Basic Authentication is off'])('leaves words alone, one capital or none: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('masks the longer of two overlapping secrets whole, whichever was registered first', () => {
    registerSecret('k8s-pw');
    registerSecret('k8s-pw-and-more');
    expect(redactText('use k8s-pw-and-more')).toBe('use [redacted]');
  });

  it('masks a secret of the shortest length at the very end of a text', () => {
    registerSecret('zq9!x7');
    expect(redactText('ends with zq9!x7')).toBe('ends with [redacted]');
  });

  it('tells apart secrets whose first characters make the same number, at the start, the middle and the end of a text', () => {
    // "Aa" and "BB" weigh the same in the prefix's base-31 arithmetic: the two prefixes share a number.
    registerSecret('zzzzAa-first-secret');
    registerSecret('zzzzBB-other-secret');
    expect(redactText('zzzzAa-first-secret zzzzBB-not-a-secret zzzzBB-other-secret')).toBe('[redacted] zzzzBB-not-a-secret [redacted]');
    expect(redactText('zzzzAa zzzzBB')).toBe('zzzzAa zzzzBB');
    registerSecret('zq9!x7');
    expect(redactText('zq9!x7')).toBe('[redacted]');
    expect(redactText('zq9!x')).toBe('zq9!x');
  });

  it('masks numbers under secret keys, objects through their toJSON, and stops at a depth of 20', () => {
    expect(redact({ pin: 7, password: 123456 })).toEqual({ pin: 7, password: '[redacted]' });
    // A secret-named key holding an object is searched, not hidden whole: what is not secret in it stays readable.
    expect(redact({ credentials: { user: 'labuser07', password: 'p' } })).toEqual({ credentials: { user: 'labuser07', password: '[redacted]' } });
    const withJson = { toJSON: () => ({ token: 'abc', user: 'labuser07' }) };
    expect(redact({ outer: withJson })).toEqual({ outer: { token: '[redacted]', user: 'labuser07' } });
    type Deep = { next?: Deep; leaf?: string };
    const deep = (n: number): Deep => (n === 0 ? { leaf: 'end' } : { next: deep(n - 1) });
    const walk = (d: unknown, n: number): unknown => (n === 0 ? d : walk((d as Deep).next, n - 1));
    expect(walk(redact(deep(19)), 19)).toEqual({ leaf: 'end' });
    expect(walk(redact(deep(30)), 21)).toBe('[too deep]');
  });

  it('keeps no value shorter than six characters, and counts each secret once', () => {
    // The oldest of exactly 10 000 distinct secrets is still known: the one registered twice took one
    // place, and the values too short to keep none.
    registerSecret('the-oldest-secret');
    registerSecret('abcde');
    registerSecret(undefined);
    registerSecret('');
    expect(redactText('abcde')).toBe('abcde');
    registerSecret('abcdef');
    registerSecret('abcdef');
    for (let i = 0; i < 9_998; i++) registerSecret(`secret-${i}`);
    expect(redactText('abcdef the-oldest-secret')).toBe('[redacted] [redacted]');
    registerSecret('one-more-secret');
    expect(redactText('the-oldest-secret')).toBe('the-oldest-secret');
  });

  it('masks the secrets the text holds, not one that masking another would write', () => {
    const long = 'w'.repeat(20);
    registerSecret(long);
    registerSecret('qxjv7k[redacted]');
    expect(redactText(`qxjv7k${long}`)).toBe('qxjv7k[redacted]');
  });

  it('keeps a bounded list over a day of registry tokens: the newest 10 000 are masked, the oldest forgotten', () => {
    const token = (i: number) => `token-${String(i).padStart(6, '0')}-of-a-long-workshop`;
    for (let i = 0; i < 25_000; i++) registerSecret(token(i));
    expect(redactText(`pull with ${token(24_999)}`)).toBe('pull with [redacted]');
    expect(redactText(`pull with ${token(15_000)}`)).toBe('pull with [redacted]');
    expect(redactText(`pull with ${token(14_999)}`)).toBe(`pull with ${token(14_999)}`);
    expect(redactText(`pull with ${token(0)}`)).toBe(`pull with ${token(0)}`);
    // Registered again, a secret is the newest once more and outlives the ones after it.
    registerSecret(token(16_000));
    for (let i = 25_000; i < 34_999; i++) registerSecret(token(i));
    expect(redactText(token(16_000))).toBe('[redacted]');
    expect(redactText(token(16_001))).toBe(token(16_001));
  });
});
