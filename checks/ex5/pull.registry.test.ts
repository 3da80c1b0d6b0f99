/** ex5.pull.authorized on hand-built snapshots: the student's registry by the one rule (checks/kube/context.ts). */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { CheckDef } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import { kubeSnapshot, runKubeCheck } from '../../test/support/kube-check.js';
import '../facts.js';
import { pullAuthorized } from './pull.js';

const profile = loadProfile();
const IMAGE = 'labuser07acr.azurecr.io/myapp:v1.0';
const pod: V1Pod = { metadata: { name: 'myapp', namespace: 'default' }, spec: { containers: [{ name: 'myapp', image: IMAGE }] } };

describe("ex5.pull.authorized and the student's registry", () => {
  it("ex5.pull.authorized with no registry known names the profile's registry domain", async () => {
    const china = { ...profile, expect: { ...profile.expect, registryDomain: 'azurecr.cn' } };
    const v = await runKubeCheck(pullAuthorized as CheckDef<'kube'>, kubeSnapshot({ pods: [pod] }), { facts: {}, profile: china });
    expect(v).toMatchObject({ code: 'LG-512', message: 'no Azure registry is known for you (Exercise 4) and no pod uses an image from one (*.azurecr.cn)' });
  });
});
