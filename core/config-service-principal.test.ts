/** The class config's `azure.credential: servicePrincipal`: required keys, secrets never inline, errors naming file and key. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClassConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-sp-config-'));
const TENANT = '3f8a2c71-5d4e-4b9a-8c06-7e1d2f3a4b5c';
const CLIENT = '6b1e9c4d-2a7f-4e38-9d05-c8b3a1f2e4d6';
// Every test may name this secret file, in whatever order they run.
writeFileSync(join(dir, 'secret'), 'from-a-file\n');
const load = (azure: string[]) => {
  const file = join(dir, 'class.yaml');
  writeFileSync(file, ['roster: [labuser01]', 'azure:', '  subscription: 11111111-2222-3333-4444-555555555555', ...azure.map((l) => `  ${l}`)].join('\n'));
  return loadClassConfig(file);
};
const errorOf = (azure: string[]): string => {
  try {
    load(azure);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('class config: a service principal credential', () => {
  it('reads tenant, client id, the secret from a file or the environment, and the authority', () => {
    const a = load(['credential: servicePrincipal', `tenant: ${TENANT}`, `clientId: ${CLIENT}`, 'clientSecret: { file: secret }', 'authorityHost: https://login.microsoftonline.us/']).azure!;
    expect(a.credential).toBe('servicePrincipal');
    expect(a.servicePrincipal).toMatchObject({ tenantId: TENANT, clientId: CLIENT, authorityHost: 'https://login.microsoftonline.us' });
    expect(a.servicePrincipal!.clientSecret.reveal()).toBe('from-a-file');
    process.env.LAB_GRADE_TEST_SP_SECRET = 'from-the-env';
    const b = load(['credential: servicePrincipal', `tenant: ${TENANT}`, `clientId: ${CLIENT}`, 'clientSecret: { env: LAB_GRADE_TEST_SP_SECRET }']).azure!;
    expect([b.servicePrincipal!.clientSecret.reveal(), b.servicePrincipal!.authorityHost]).toEqual(['from-the-env', 'https://login.microsoftonline.com']);
    delete process.env.LAB_GRADE_TEST_SP_SECRET;
  });

  it('names the file and the key of what is missing or wrong', () => {
    expect(errorOf(['credential: servicePrincipal', `clientId: ${CLIENT}`, 'clientSecret: { file: secret }'])).toMatch(/class\.yaml.*azure\.tenant.*required/);
    expect(errorOf(['credential: servicePrincipal', `tenant: ${TENANT}`, 'clientSecret: { file: secret }'])).toMatch(/class\.yaml.*azure\.clientId.*required/);
    expect(errorOf(['credential: servicePrincipal', `tenant: ${TENANT}`, `clientId: ${CLIENT}`])).toMatch(/class\.yaml.*azure\.clientSecret.*required/);
    expect(errorOf(['credential: servicePrincipal', `tenant: ${TENANT}`, `clientId: ${CLIENT}`, 'clientSecret: s3cret'])).toMatch(/azure\.clientSecret.*must not be written in the config/);
    expect(errorOf(['credential: servicePrincipal', `tenant: ${TENANT}`, 'clientId: lab-grade', 'clientSecret: { file: secret }'])).toMatch(/azure\.clientId.*GUID.*"lab-grade"/);
    expect(errorOf(['credential: servicePrincipal', `tenant: ${TENANT}`, `clientId: ${CLIENT}`, 'clientSecret: { file: secret }', 'authorityHost: http://login.example'])).toMatch(
      /azure\.authorityHost.*https/,
    );
    expect(errorOf(['credential: token', `tenant: ${TENANT}`, 'token: { file: secret }'])).toMatch(/azure\.tenant.*unknown key/);
  });
});
