/** Exercise 7's checks on the releases students really leave behind (inline scenarios, simulated cluster). */
import { afterEach, describe, expect, it } from 'vitest';
import { myapiYaml, myappYaml, scenario } from '../../test/support/kube-scenarios.js';
import type { Scenario } from '../../sandbox/scenario.js';
import { gradeWithSim, type SimStudent } from '../../test/support/kube-student.js';

let sim: SimStudent | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(s: Scenario) {
  const graded = await gradeWithSim(s, { only: ['ex7'] });
  sim = graded.sim;
  return graded.by;
}

const apply = `${myappYaml()}---\n${myapiYaml()}`;

describe('Exercise 7 checks', () => {
  it("fails a release that pulls from someone else's registry", async () => {
    const by = await run(scenario({ kubernetes: { apply, helm: [{ name: 'greetings', chart: 'greetings-0.3.0', values: { registry: 'labuser99acr.azurecr.io' } }] } }));
    expect(by['ex7.helm.release'].status).toBe('pass');
    expect(by['ex7.helm.registry']).toMatchObject({
      status: 'fail',
      message: 'the release greetings sets registry=labuser99acr.azurecr.io, not your registry labuser07acr.azurecr.io',
      evidence: { registry: 'labuser99acr.azurecr.io', yours: 'labuser07acr.azurecr.io' },
    });
    // The command to run names the student's own registry.
    expect(by['ex7.helm.registry'].hint).toBe(
      'Exercise 7 step 5: in greetings/k8s/helm run `helm upgrade greetings . --set registry=labuser07acr.azurecr.io` (Helm renders the release again with your registry).',
    );
  });

  it('fails a release that did not deploy, naming its status', async () => {
    const by = await run(scenario({ kubernetes: { apply, helm: [{ name: 'greetings', chart: 'greetings-0.3.0', status: 'failed', values: { registry: 'labuser07acr.azurecr.io' } }] } }));
    expect(by['ex7.helm.release']).toMatchObject({ status: 'fail', message: expect.stringMatching(/^the release greetings \(chart greetings-0\.3\.0, revision 1, failed, Helm 3 Secret/) });
    expect(by['ex7.helm.registry'].status).toBe('blocked');
  });

  it('ignores releases of other charts', async () => {
    const by = await run(scenario({ kubernetes: { apply, helm: [{ name: 'greetings', chart: 'nginx-ingress-1.2.3', values: {} }] } }));
    expect(by['ex7.helm.release']).toMatchObject({ status: 'fail', code: 'LG-702', message: expect.stringMatching(/no Helm release of chart greetings \(looked at 1 Helm 3 release Secret/) });
    // Both install lines, Helm 3's and the lab's Helm 2 one, run as printed for this student.
    expect(by['ex7.helm.release'].hint).toContain('`helm install greetings . --set registry=labuser07acr.azurecr.io`');
    expect(by['ex7.helm.release'].hint).toContain('`helm install . --set registry=labuser07acr.azurecr.io`');
  });

  it('fails Helm 2 tiller without the cluster-admin binding', async () => {
    const by = await run(scenario({ kubernetes: { apply, helm: [{ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, values: { registry: 'labuser07acr.azurecr.io' }, tiller: false }] } }));
    expect(by['ex7.helm.release'].evidence).toMatchObject({ helm: 2, release: 'wobbly-panda' });
    expect(by['ex7.helm.registry'].status).toBe('pass');
    expect(by['ex7.tiller']).toMatchObject({ status: 'fail', message: 'no ServiceAccount tiller in kube-system' });
    expect(by['ex7.tiller'].hint).toMatch(/kubectl create clusterrolebinding tiller --clusterrole cluster-admin/);
  });
});
