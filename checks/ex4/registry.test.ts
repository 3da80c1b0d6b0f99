/** Exercise 4 step 2 on a stand-in ARM probe: the registry is found in the resource group, with its admin user; each reason code where it is not. */
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../core/check.js';
import type { RegistryFacts } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { discovered, LAB_REGISTRY, standInAzure, type AzureStandIn } from '../../test/support/lab-azure.js';
import '../facts.js';
import { registryAdmin, registryExists } from './registry.js';

const FOUND: Partial<Facts> = { registry: discovered(LAB_REGISTRY) };
const exists = (azure: AzureStandIn) => runWith(registryExists, { azure: standInAzure(azure) });
const admin = (registries: RegistryFacts[]) => runWith(registryAdmin, { azure: standInAzure({ registries }) }, { facts: FOUND });

describe('ex4.registry.exists', () => {
  it('passes on the only registry of the group and hands it on as the registry fact', async () => {
    expect(await exists({ registries: [LAB_REGISTRY] })).toMatchObject({
      status: 'pass',
      evidence: { registry: 'labuser07acr', loginServer: 'labuser07acr.azurecr.io', candidates: ['labuser07acr'] },
      facts: { registry: { chosen: LAB_REGISTRY, candidates: ['labuser07acr'], reason: 'the only container registry in the resource group' } },
    });
  });

  it('a registry of another SKU passes, with a note saying so', async () => {
    const premium = { ...LAB_REGISTRY, sku: 'Premium' };
    expect(await exists({ registries: [premium] })).toMatchObject({
      status: 'pass',
      evidence: { sku: 'Premium', notes: ["its SKU is Premium, not the lab's Basic: that works too (it only costs more)"] },
    });
  });

  it('no resource group fails with LG-401 (not started)', async () => {
    expect(await exists({ groupExists: false })).toMatchObject({ status: 'fail', code: 'LG-401', outcome: 'needs-fix', evidence: { resourceGroup: 'labuser07-rg', exists: false } });
  });

  it('a resource group without a registry fails with LG-402 (not started)', async () => {
    expect(await exists({})).toMatchObject({ status: 'fail', code: 'LG-402', outcome: 'needs-fix', evidence: { resourceGroup: 'labuser07-rg', candidates: [] } });
  });
});

describe('ex4.registry.admin', () => {
  it('passes when the admin user of the registry found is enabled', async () => {
    expect(await admin([LAB_REGISTRY])).toMatchObject({ status: 'pass', evidence: { registry: 'labuser07acr', adminUserEnabled: true } });
  });

  it('a disabled admin user fails with LG-412', async () => {
    expect(await admin([{ ...LAB_REGISTRY, adminUserEnabled: false }])).toMatchObject({ status: 'fail', code: 'LG-412', outcome: 'needs-fix', found: 'disabled', expected: 'enabled' });
  });

  it('a registry gone since ex4.registry.exists found it fails with LG-411', async () => {
    expect(await admin([])).toMatchObject({ status: 'fail', code: 'LG-411', outcome: 'needs-fix' });
  });
});
