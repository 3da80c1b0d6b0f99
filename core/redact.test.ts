import { describe, expect, it } from 'vitest';
import { knownSecretCount, redact, redactText, registerSecret } from './redact.js';

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

  it.each(['token', 'accessToken', 'refresh_token', 'password', 'clientSecret', 'credential', 'authorization', 'client-key', 'private_key', 'apiKey'])(
    'masks the value of a key named %s, whatever the value looks like',
    (key) => {
      expect(redact({ [key]: 'plain', user: 'labuser07' })).toEqual({ [key]: '[redacted]', user: 'labuser07' });
    },
  );

  it.each([
    ['Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig', 'Authorization: Bearer [redacted]'],
    ['Authorization: Basic dXNlcjpzM2NyM3Q=', 'Authorization: Basic [redacted]'],
    ['curl -H "Authorization: Bearer abcdefgh12" twice: Bearer abcdefgh12', 'curl -H "Authorization: Bearer [redacted]" twice: Bearer [redacted]'],
  ])('masks a credential by its shape, unregistered: %s', (text, masked) => {
    expect(redactText(text)).toBe(masked);
  });

  it('masks tokens and URL passwords by their shape, and leaves words alone', () => {
    expect(redactText('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig')).toBe('Authorization: Bearer [redacted]');
    expect(redactText('https://admin:hunter22@registry.example')).toBe('https://admin:[redacted]@registry.example');
    expect(redactText('A Basic container registry exists')).toBe('A Basic container registry exists');
  });

  it('keeps a bounded list over a day of registry tokens: the newest are masked, the oldest forgotten', () => {
    const token = (i: number) => `token-${String(i).padStart(6, '0')}-of-a-long-workshop`;
    for (let i = 0; i < 25_000; i++) registerSecret(token(i));
    expect(knownSecretCount()).toBeLessThanOrEqual(10_000);
    expect(redactText(`pull with ${token(24_999)}`)).toBe('pull with [redacted]');
    expect(redactText(`pull with ${token(0)}`)).toBe(`pull with ${token(0)}`);
    // Registered again, a secret is the newest once more and outlives the ones after it.
    registerSecret(token(16_000));
    for (let i = 25_000; i < 34_999; i++) registerSecret(token(i));
    expect(redactText(token(16_000))).toBe('[redacted]');
    expect(redactText(token(16_001))).toBe(token(16_001));
  });
});
