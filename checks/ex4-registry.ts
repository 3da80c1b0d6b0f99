/** Exercise 4: the container registry and the pushed images. */
import { fail, pass, type CheckContext, type CheckDef } from '../core/check.js';
import type { Evidence, Verdict } from '../core/model.js';
import type { RegistryFacts } from '../probes/types.js';
import { chosenRegistry, discoverRegistry } from './discovery.js';
import { ex4Messages as m } from './ex4-registry.messages.js';

async function registryExists(ctx: CheckContext): Promise<Verdict> {
  const rg = ctx.target.resourceGroup;
  const { registrySku, registryDomain } = ctx.profile.expect;
  const found = await discoverRegistry(ctx);
  if (!found) {
    // A missing group says so (ex3.cluster.exists says it too, but Exercise 4 may be graded alone).
    const group = await ctx.probes.azure!.resourceGroup();
    if (!group.exists) return fail(`resource group ${rg} not found`, m.noRegistryHint(rg, registrySku), { resourceGroup: rg, exists: false }, true);
    return fail(m.noRegistry(rg), m.noRegistryHint(rg, registrySku), { resourceGroup: rg, candidates: [] }, true);
  }
  const r = found.chosen;
  const notes: string[] = [];
  if (r.sku && r.sku.toLowerCase() !== registrySku.toLowerCase()) notes.push(m.otherSku(r.sku, registrySku));
  if (!r.loginServer.endsWith(`.${registryDomain.toLowerCase()}`)) notes.push(m.otherDomain(r.loginServer, registryDomain));
  return pass([m.found(r.name, r.loginServer, found.candidates.length, found.reason), ...notes].join('; '), {
    resourceGroup: rg,
    registry: r.name,
    loginServer: r.loginServer,
    registryId: r.id,
    sku: r.sku ?? null,
    adminUserEnabled: r.adminUserEnabled,
    candidates: found.candidates,
    reason: found.reason,
    ...(found.podsUnavailable ? { podsUnavailable: found.podsUnavailable } : {}),
    ...(notes.length ? { notes } : {}),
  });
}

async function withRegistry(ctx: CheckContext, run: (r: RegistryFacts) => Promise<Verdict> | Verdict): Promise<Verdict> {
  const found = await chosenRegistry(ctx);
  if (!found) return fail(m.noRegistry(ctx.target.resourceGroup), m.noRegistryHint(ctx.target.resourceGroup, ctx.profile.expect.registrySku), {}, true);
  return run(found.chosen);
}

function registryAdmin(ctx: CheckContext): Promise<Verdict> {
  return withRegistry(ctx, (r) => {
    const evidence = { registry: r.name, adminUserEnabled: r.adminUserEnabled };
    return r.adminUserEnabled ? pass(m.adminOn(r.name), evidence) : fail(m.adminOff(r.name), m.adminOffHint(r.name, ctx.target.resourceGroup), evidence, true);
  });
}

/** A check that `<registry>/<repository>:<tag>` was pushed, read through the registry's own API. */
function imagePushed(workload: 'app' | 'api') {
  return (ctx: CheckContext): Promise<Verdict> =>
    withRegistry(ctx, async (r) => {
      const repo = ctx.profile.expect[workload].image;
      const tag = ctx.profile.expect.tag;
      const list = await ctx.probes.registry!.tags(r.loginServer, repo);
      const evidence: Evidence = { registry: r.name, loginServer: r.loginServer, repository: repo, tag, repositoryExists: list.exists, tagsSeen: list.tags.slice(0, 50), auth: list.auth };
      if (!list.exists) return fail(m.noRepository(r.loginServer, repo), m.pushHint(r.loginServer, tag), evidence, true);
      if (!list.tags.includes(tag)) return fail(m.noTag(r.loginServer, repo, tag, list.tags), m.pushHint(r.loginServer, tag), evidence, true);
      const digest = await ctx.probes.registry!.manifestDigest(r.loginServer, repo, tag);
      return pass(`${m.pushed(r.loginServer, repo, tag)} (read with ${m.authMode(list.auth)})`, { ...evidence, digest: digest ?? null });
    });
}

export const ex4Checks: CheckDef[] = [
  { id: 'ex4.registry.exists', exercise: 4, title: 'A Basic container registry exists', needs: ['azure'], dependsOn: [], run: registryExists },
  { id: 'ex4.registry.admin', exercise: 4, title: 'The registry admin user is enabled', needs: ['azure'], dependsOn: ['ex4.registry.exists'], run: registryAdmin },
  { id: 'ex4.image.myapp', exercise: 4, title: 'myapp:v1.0 is pushed', needs: ['azure', 'registry'], dependsOn: ['ex4.registry.exists'], run: imagePushed('app') },
  { id: 'ex4.image.myapi', exercise: 4, title: 'myapi:v1.0 is pushed', needs: ['azure', 'registry'], dependsOn: ['ex4.registry.exists'], run: imagePushed('api') },
];
