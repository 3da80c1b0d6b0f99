/**
 * Exercise 4 steps 3–5 on stand-in ARM and registry probes: myapp:v1.0 and myapi:v1.0 are in the
 * registry Exercise 4 found, read through its own API; each reason code where they are not.
 */
import { describe, expect, it } from 'vitest';
import type { CheckDef, Facts } from '../../core/check.js';
import type { RegistryFacts, RegistryProbe, TagList } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { discovered, LAB_REGISTRY, LOGIN_SERVER, standInAzure } from '../../test/support/lab-azure.js';
import '../facts.js';
import { myapiPushed, myappPushed } from './images.js';

const FOUND: Partial<Facts> = { registry: discovered(LAB_REGISTRY) };
const DIGEST = 'sha256:5d8f3c0b7a1e9f2d4c6b8a0e1f3d5c7b9a1e3f5d7c9b1a3e5f7d9c1b3a5e7f90';

/** A registry that holds `repositories` (name -> tags; absent: the repository does not exist). */
function registryHolding(repositories: Record<string, string[]>): RegistryProbe {
  return {
    tags: async (loginServer, repository): Promise<TagList> => {
      if (loginServer !== LOGIN_SERVER) throw new Error(`asked ${loginServer}, not the registry found`);
      return { repository, exists: repository in repositories, tags: repositories[repository] ?? [], auth: 'basic-admin' };
    },
    manifestDigest: async (_server, repository, tag) => (repositories[repository]?.includes(tag) ? DIGEST : undefined),
  };
}
const pushed = (check: CheckDef<'azure' | 'registry'>, repositories: Record<string, string[]>, registries: RegistryFacts[] = [LAB_REGISTRY]) =>
  runWith(check, { azure: standInAzure({ registries }), registry: registryHolding(repositories) }, { facts: FOUND });

describe.each([
  { check: myappPushed, repo: 'myapp', gone: 'LG-421', noRepository: 'LG-422', noTag: 'LG-423' },
  { check: myapiPushed, repo: 'myapi', gone: 'LG-431', noRepository: 'LG-432', noTag: 'LG-433' },
])('$check.id', ({ check, repo, gone, noRepository, noTag }) => {
  it(`passes when ${repo}:v1.0 is in the registry, with its digest and how it was read`, async () => {
    expect(await pushed(check, { [repo]: ['latest', 'v1.0'] })).toMatchObject({
      status: 'pass',
      message: `${LOGIN_SERVER}/${repo}:v1.0 is in the registry (read with the admin user (Basic auth))`,
      evidence: { repository: repo, tag: 'v1.0', repositoryExists: true, digest: DIGEST, auth: 'basic-admin' },
    });
  });

  it(`a registry gone since ex4.registry.exists found it fails with ${gone}`, async () => {
    expect(await pushed(check, { [repo]: ['v1.0'] }, [])).toMatchObject({ status: 'fail', code: gone, outcome: 'needs-fix' });
  });

  it(`a registry without repository ${repo} fails with ${noRepository} (not started)`, async () => {
    expect(await pushed(check, { other: ['v1.0'] })).toMatchObject({ status: 'fail', code: noRepository, outcome: 'needs-fix', expected: `${repo}:v1.0` });
  });

  it(`${repo} pushed without the tag v1.0 fails with ${noTag}, found the tags it has`, async () => {
    expect(await pushed(check, { [repo]: ['latest', 'v0.9'] })).toMatchObject({ status: 'fail', code: noTag, outcome: 'needs-fix', found: 'latest, v0.9', expected: 'v1.0' });
  });

  it(`${repo} without any tag fails with ${noTag}, found none`, async () => {
    expect(await pushed(check, { [repo]: [] })).toMatchObject({ status: 'fail', code: noTag, found: 'none', expected: 'v1.0' });
  });
});
