/** Exercise 6's Services, on what students leave: the lab's objects, none, or none after Exercise 7 step 2. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { Scenario } from '../../sandbox/scenario.js';
import { myapiYaml, myappYaml, REGISTRY, scenario } from '../../test/support/kube-scenarios.js';
import { gradeWithSim, type SimStudent } from '../../test/support/kube-student.js';

let sim: SimStudent | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(s: Scenario) {
  const graded = await gradeWithSim(s, { only: ['ex6.myapp.service', 'ex6.myapi.service'] });
  sim = graded.sim;
  return graded.by;
}

/** The lab's two files without their Services: the Deployments stay. */
const deploymentsOnly = parseAllDocuments(`${myappYaml()}---\n${myapiYaml()}`)
  .map((d) => d.toJS() as { kind?: string })
  .filter((o) => o.kind !== 'Service')
  .map((o) => stringify(o))
  .join('---\n');

describe('Exercise 6 Services', () => {
  it('pass with the lab objects: the LoadBalancer has its address, myapi its endpoints', async () => {
    const by = await run(scenario());
    expect(by['ex6.myapp.service']).toMatchObject({ status: 'pass', evidence: { type: 'LoadBalancer', externalIP: expect.any(String) } });
    expect(by['ex6.myapi.service']).toMatchObject({ status: 'pass', evidence: { type: 'ClusterIP' } });
  });

  it('never created: missing, with the file to apply', async () => {
    const by = await run(scenario({ kubernetes: { apply: deploymentsOnly } }));
    expect(by['ex6.myapp.service']).toMatchObject({ status: 'fail', code: 'LG-631', outcome: 'needs-fix' });
    expect(by['ex6.myapi.service']).toMatchObject({ status: 'fail', code: 'LG-621', outcome: 'needs-fix' });
  });

  it('removed by Exercise 7 step 2 with a Helm install that failed: named as such, with both ways back and your registry', async () => {
    const by = await run(
      scenario({
        kubernetes: {
          apply: deploymentsOnly,
          helm: [{ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, status: 'failed', tiller: true, values: { registry: `${REGISTRY}.azurecr.io` } }],
        },
      }),
    );
    for (const [id, code] of [
      ['ex6.myapp.service', 'LG-637'],
      ['ex6.myapi.service', 'LG-627'],
    ] as const) {
      expect(by[id], id).toMatchObject({ status: 'fail', code, outcome: 'needs-fix', evidence: { exercise7: expect.arrayContaining(['Helm release wobbly-panda is failed']) } });
      expect(by[id].hint, id).toContain('`kubectl apply -f myapp.yaml -f myapi.yaml`');
      // A failed release keeps its name: Helm 2 installs again only after `helm delete --purge`.
      expect(by[id].hint, id).toContain('`helm delete --purge wobbly-panda`');
      expect(by[id].hint, id).toContain(`\`helm install . --name wobbly-panda --set registry=${REGISTRY}.azurecr.io\``);
    }
  });
});
