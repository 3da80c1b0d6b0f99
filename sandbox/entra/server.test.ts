/**
 * The fake Entra token service with the real `@azure/identity` ClientSecretCredential (authorityHost
 * here, instance discovery off, the sandbox CA): tokens whose audience is the requested resource,
 * signed with the directory's key, and the AADSTS errors Entra answers with.
 */
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../ca.js';
import { startEntra, type EntraServer } from './server.js';

const TENANT = '3f8a2c71-5d4e-4b9a-8c06-7e1d2f3a4b5c';
const APP = { clientId: '6b1e9c4d-2a7f-4e38-9d05-c8b3a1f2e4d6', clientSecret: 'sandbox-secret-1234567890', objectId: '0e4d7a92-3b1c-4f68-a5d9-2c7e8b1f3a60' };

describe('fake Entra token service', () => {
  let entra: EntraServer;
  let ca: string;
  const credential = (secret = APP.clientSecret, clientId = APP.clientId) =>
    new ClientSecretCredential(TENANT, clientId, secret, { authorityHost: entra.url, disableInstanceDiscovery: true, tlsOptions: { ca }, retryOptions: { maxRetries: 0 } } as ConstructorParameters<
      typeof ClientSecretCredential
    >[3]);

  beforeAll(async () => {
    const sandboxCa = await createCa();
    ca = sandboxCa.certPem;
    entra = await startEntra({ tls: await sandboxCa.issue({ ips: ['127.0.0.1'] }), tenantId: TENANT, applications: [APP], extraResources: ['https://127.0.0.1:4443'] });
  });
  afterAll(() => entra?.close());

  it('issues a token per resource whose audience is that resource, signed by the directory', async () => {
    const cred = credential();
    const earlier = entra.requests.length; // other tests' requests, when they ran first
    for (const [scope, aud] of [
      ['https://management.azure.com/.default', 'https://management.azure.com'],
      ['https://graph.microsoft.com/.default', 'https://graph.microsoft.com'],
      ['6dae42f8-4368-4678-94ff-3960e28e3630/.default', '6dae42f8-4368-4678-94ff-3960e28e3630'],
      ['https://127.0.0.1:4443/.default', 'https://127.0.0.1:4443'],
    ]) {
      const t = await cred.getToken(scope);
      const claims = entra.signer.verify(t!.token);
      expect(claims).toMatchObject({ aud, appid: APP.clientId, oid: APP.objectId, tid: TENANT, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' });
      expect(t!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60_000);
    }
    expect(entra.requests.map((r) => `${r.method} ${r.url}`)).toContain(`GET /${TENANT}/v2.0/.well-known/openid-configuration`);
    // One POST per resource (MSAL adds its request id as a query).
    const tokenCalls = entra.requests
      .slice(earlier)
      .filter((r) => r.url.split('?')[0] === `/${TENANT}/oauth2/v2.0/token`)
      .map((r) => `${r.method} ${r.status}`);
    expect(tokenCalls).toEqual(['POST 200', 'POST 200', 'POST 200', 'POST 200']);
  });

  it('a token altered or signed by another key does not verify', async () => {
    const t = (await credential().getToken('https://management.azure.com/.default'))!.token;
    const [h, p, sig] = t.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, aud: '6dae42f8-4368-4678-94ff-3960e28e3630' })).toString('base64url')}.${sig}`;
    expect(entra.signer.verify(t)).toMatchObject({ aud: claims.aud });
    expect(entra.signer.verify(forged)).toBeUndefined();
    expect(entra.signer.verify('not.a.token')).toBeUndefined();
  });

  it('answers a wrong secret, an unknown application and an unknown resource with their AADSTS errors', async () => {
    await expect(credential('wrong').getToken('https://management.azure.com/.default')).rejects.toThrow(/AADSTS7000215: Invalid client secret provided/);
    await expect(credential(APP.clientSecret, '11111111-2222-4333-8444-555555555555').getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS700016: Application with identifier '11111111-2222-4333-8444-555555555555' was not found/,
    );
    await expect(credential().getToken('https://vault.azure.net/.default')).rejects.toThrow(/AADSTS500011: The resource principal named https:\/\/vault\.azure\.net was not found/);
  });
});
