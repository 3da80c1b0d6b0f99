/**
 * Differential test: the registry stand-in and Debian's real `docker-registry` (distribution 2.8),
 * holding the same images (one tag pushed twice), give the same answers to the same questions
 * (./conformance.ts), the older manifest by digest included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { createCa } from '../ca.js';
import { imageContent, imageDigest } from '../images.js';
import { startDockerRegistry, type DockerRegistry } from '../../test/support/docker-registry.js';
import { RegistryClient } from '../../test/support/registry-client.js';
import { askRegistry, type RegistryAnswers, type RegistryQuestions } from '../../test/support/registry-conformance.js';
import { NetworkPolicy } from '../../probes/net.js';
import { startRegistry, type RegistryServer } from './server.js';

const NAME = 'difftestacr';
const IMAGES = ['myapp:v1.0', 'myapp:v2.0', 'myapi:v1.0', 'team1/web:latest'];
/** pushed a second time after the first round: the tag moves to a new manifest */
const REPUSHED = ['myapp:v1.0'];
const QUESTIONS: RegistryQuestions = { repo: 'myapp', tag: 'v1.0', missingRepo: 'nope', missingTag: 'v9.9', olderDigest: imageDigest(NAME, 'myapp', 'v1.0', 0) };

describe('registry stand-in vs Debian docker-registry', () => {
  let standIn: RegistryServer;
  let htpasswd: DockerRegistry;
  let token: DockerRegistry;
  let agent: Agent;
  const answers: Record<'standIn' | 'htpasswd' | 'token', RegistryAnswers | undefined> = { standIn: undefined, htpasswd: undefined, token: undefined };

  beforeAll(async () => {
    const ca = await createCa();
    const [acrLeaf, localLeaf] = await Promise.all([ca.issue({ dns: ['*.azurecr.io'] }), ca.issue({ dns: ['localhost'], ips: ['127.0.0.1'] })]);
    [standIn, htpasswd, token] = await Promise.all([
      startRegistry({
        tls: acrLeaf,
        aadToken: 'unused',
        registries: [{ name: NAME, adminUserEnabled: true, images: IMAGES, repushed: REPUSHED, user: 'diff', faults: { registry: null, latencyMs: 0 } }],
      }),
      startDockerRegistry({ tls: localLeaf, auth: 'htpasswd' }),
      startDockerRegistry({ tls: localLeaf, auth: 'token' }),
    ]);
    agent = new NetworkPolicy({ connectTo: { [`${NAME}.azurecr.io:443`]: `127.0.0.1:${standIn.port}` }, loopbackOnly: true }).dispatcher({ ca: ca.certPem });
    const clients = {
      standIn: new RegistryClient({ baseUrl: `https://${NAME}.azurecr.io`, dispatcher: agent, ...standIn.adminCredentials(NAME) }),
      htpasswd: new RegistryClient({ baseUrl: htpasswd.url, dispatcher: agent, username: htpasswd.username, password: htpasswd.password }),
      token: new RegistryClient({ baseUrl: token.url, dispatcher: agent, username: token.username, password: token.password }),
    };
    for (const real of [clients.htpasswd, clients.token]) {
      for (const ref of IMAGES) {
        const [repo, tag] = ref.split(':');
        expect(await real.push(repo, tag, imageContent(NAME, repo, tag))).toBe(imageDigest(NAME, repo, tag));
      }
      for (const ref of REPUSHED) {
        const [repo, tag] = ref.split(':');
        expect(await real.push(repo, tag, imageContent(NAME, repo, tag, 1))).toBe(imageDigest(NAME, repo, tag, 1));
      }
    }
    for (const k of ['standIn', 'htpasswd', 'token'] as const) answers[k] = await askRegistry(clients[k], QUESTIONS);
  });

  afterAll(async () => {
    await Promise.all([standIn?.close(), htpasswd?.stop(), token?.stop()]);
    await agent?.close();
  });

  it('answers like a real registry with token auth, challenge included', () => {
    expect(answers.standIn).toEqual(answers.token);
  });

  it('answers like a real registry with Basic auth, except the challenge scheme (ACR always challenges with Bearer)', () => {
    const { base, tagsChallenge, ...data } = answers.standIn!;
    const { base: realBase, tagsChallenge: realTags, ...realData } = answers.htpasswd!;
    expect(data).toEqual(realData);
    expect([base.status, tagsChallenge.status, realBase.status, realTags.status]).toEqual([401, 401, 401, 401]);
    expect([base.scheme, realBase.scheme]).toEqual(['bearer', 'basic']);
  });

  it('the answers are the expected ones, not merely equal', () => {
    const a = answers.standIn!;
    expect(a.base).toEqual({ status: 401, scheme: 'bearer', params: ['realm', 'service'], scope: null });
    expect(a.tagsChallenge).toEqual({ status: 401, scheme: 'bearer', params: ['realm', 'scope', 'service'], scope: 'repository:myapp:pull' });
    expect(a.catalog.body).toEqual({ repositories: ['myapi', 'myapp', 'team1/web'] });
    expect(a.tags.body).toEqual({ name: 'myapp', tags: ['v1.0', 'v2.0'] });
    expect(a.manifestHead.digest).toBe(imageDigest(NAME, 'myapp', 'v1.0', 1));
    expect(a.olderManifest).toEqual({ get: { status: 200, digest: QUESTIONS.olderDigest, bodyDigest: QUESTIONS.olderDigest }, headStatus: 200 });
    expect(a.manifestGet.bodyDigest).toBe(a.manifestGet.digest);
    expect(a.missingRepoTags).toEqual({ status: 404, codes: ['NAME_UNKNOWN'] });
    expect(a.missingTagManifest).toEqual({ status: 404, codes: ['MANIFEST_UNKNOWN'] });
    expect(a.manifestNoAccept).toEqual({ status: 404, codes: ['MANIFEST_UNKNOWN'] });
  });
});
