/** Exercise 4 step 2: the container registry, discovered in the resource group, with its admin user. */
import { defineCheck, fail, pass, reasons, type CheckContext, type Reason, type Verdict } from '../../core/check.js';
import type { RegistryFacts } from '../../probes/types.js';
import { chosenRegistry, discoverRegistry } from '../discovery.js';

const noRegistryMessage = (rg: string) => `no container registry in resource group ${rg}`;
const noRegistryHint = (rg: string, sku: string) => `Exercise 4 step 2: \`az acr create --name <registry name> --resource-group ${rg} --sku ${sku.toLowerCase()}\``;

const EXISTS = reasons({
  groupMissing: ['LG-401', 'the resource group does not exist', 'absent'],
  noRegistry: ['LG-402', 'no container registry in the resource group', 'absent'],
});

export const registryExists = defineCheck({
  id: 'ex4.registry.exists',
  exercise: 4,
  passes: 'a registry is in the resource group (SKU Basic; another SKU passes with a note; with several, chosen by evidence)',
  title: (p) => `A ${p.expect.registrySku} container registry exists`,
  points: { points: 2 },
  needs: ['azure'],
  dependsOn: [],
  provides: ['registry'],
  reasons: EXISTS,
  async run(ctx) {
    const rg = ctx.target.resourceGroup;
    const { registrySku, registryDomain } = ctx.profile.expect;
    const found = await discoverRegistry(ctx);
    if (!found) {
      // A missing group says so (ex3.cluster.exists says it too, but Exercise 4 may be graded alone).
      const group = await ctx.probes.azure.resourceGroup();
      if (!group.exists) return fail(EXISTS.groupMissing, `resource group ${rg} not found`, noRegistryHint(rg, registrySku), { evidence: { resourceGroup: rg, exists: false }, outcome: 'needs-fix' });
      return fail(EXISTS.noRegistry, noRegistryMessage(rg), noRegistryHint(rg, registrySku), { evidence: { resourceGroup: rg, candidates: [] }, outcome: 'needs-fix' });
    }
    const r = found.chosen;
    const notes: string[] = [];
    if (r.sku && r.sku.toLowerCase() !== registrySku.toLowerCase()) notes.push(`its SKU is ${r.sku}, not the lab's ${registrySku}: that works too (it only costs more)`);
    if (!r.loginServer.endsWith(`.${registryDomain.toLowerCase()}`)) notes.push(`its login server ${r.loginServer} is not under ${registryDomain}`);
    const found1 = `registry ${r.name} (${r.loginServer}) found${found.candidates.length > 1 ? ` (${found.reason})` : ''}`;
    return pass(
      [found1, ...notes].join('; '),
      {
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
      },
      { facts: { registry: found } },
    );
  },
});

/** The registry ex4.registry.exists chose, or a fail verdict when there is none any more. */
export async function withRegistry(ctx: CheckContext<'azure'>, gone: Reason, run: (r: RegistryFacts) => Promise<Verdict> | Verdict): Promise<Verdict> {
  const found = await chosenRegistry(ctx);
  const rg = ctx.target.resourceGroup;
  if (!found) return fail(gone, noRegistryMessage(rg), noRegistryHint(rg, ctx.profile.expect.registrySku), { outcome: 'needs-fix' });
  return run(found.chosen);
}

const ADMIN = reasons({
  gone: ['LG-411', 'the registry is gone'],
  off: ['LG-412', 'the registry admin user is disabled'],
});

export const registryAdmin = defineCheck({
  id: 'ex4.registry.admin',
  exercise: 4,
  passes: 'its admin user is enabled',
  title: () => 'The registry admin user is enabled',
  points: { points: 1 },
  needs: ['azure'],
  dependsOn: ['ex4.registry.exists'],
  uses: ['registry'],
  reasons: ADMIN,
  run(ctx) {
    return withRegistry(ctx, ADMIN.gone, (r) => {
      const evidence = { registry: r.name, adminUserEnabled: r.adminUserEnabled };
      if (r.adminUserEnabled) return pass(`the admin user of ${r.name} is enabled`, evidence);
      const rg = ctx.target.resourceGroup;
      return fail(
        ADMIN.off,
        `the admin user of ${r.name} is disabled`,
        `Exercise 4 step 2: \`az acr update -n ${r.name} -g ${rg} --admin-enabled true\`, then \`az acr credential show -n ${r.name} -g ${rg}\` for the password`,
        { evidence, outcome: 'needs-fix', found: 'disabled', expected: 'enabled' },
      );
    });
  },
});
