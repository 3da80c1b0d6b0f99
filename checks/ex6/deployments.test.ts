/** Exercise 6's Deployments: the image pushed, the env the lab sets, and myapp's replica count as the profile asks. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../sandbox/scenario.js';
import { loadProfile } from '../../core/profile.js';
import { myapiYaml, myappYaml, REGISTRY, scenario } from '../../test/support/kube-scenarios.js';
import { gradeWithSim, type SimStudent } from '../../test/support/kube-student.js';

let sim: SimStudent | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ONLY = ['ex6.myapp.deployment', 'ex6.myapi.deployment'];
const { expect: lab } = loadProfile();
const APP_IMAGE = `${REGISTRY}.azurecr.io/myapp:v1.0`;

async function run(s: Scenario) {
  const graded = await gradeWithSim(s, { only: ONLY });
  sim = graded.sim;
  return graded.by;
}

const withApply = (apply: string) => scenario({ kubernetes: { apply } });

describe('Exercise 6 Deployments', () => {
  it("pass as the lab writes them: myapp's replicas, API_BASE_URL, both images from the student's registry", async () => {
    const by = await run(scenario());
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'pass', evidence: { deployment: 'myapp', image: APP_IMAGE, replicas: `${lab.app.replicas}/${lab.app.replicas}` } });
    expect(by['ex6.myapi.deployment']).toMatchObject({ status: 'pass', evidence: { deployment: 'myapi', replicas: '1/1' } });
  });

  it.each([lab.app.replicas - 1, lab.app.replicas + 1])("myapp asking for %i replicas is not the lab's count (more is as wrong as fewer)", async (replicas) => {
    const by = await run(withApply(`${myappYaml(APP_IMAGE, replicas)}---\n${myapiYaml()}`));
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-604', found: String(replicas), expected: String(lab.app.replicas), evidence: { replicas } });
  });

  it("myapi's replica count is the student's choice here (ex6.api.replicas judges it)", async () => {
    const by = await run(withApply(`${myappYaml()}---\n${myapiYaml(undefined, 3)}`));
    expect(by['ex6.myapi.deployment']).toMatchObject({ status: 'pass', evidence: { replicas: '3/3' } });
  });

  it.each([
    ['a wrong value', '"http://myapi:9090"', 'http://myapi:9090'],
    ['a wrong host', '"http://localhost:8080"', 'http://localhost:8080'],
  ])('API_BASE_URL with %s fails with what was found', async (_what, yamlValue, found) => {
    const by = await run(withApply(`${myappYaml().replace('"http://myapi:8080"', yamlValue)}---\n${myapiYaml()}`));
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-603', found, expected: lab.app.env.API_BASE_URL, evidence: { API_BASE_URL: found } });
  });

  it('API_BASE_URL missing fails as not set', async () => {
    const noEnv = myappYaml().replace(/\s+env:\n\s+- name: API_BASE_URL\n\s+value: "http:\/\/myapi:8080"\n/, '\n');
    expect(noEnv).not.toContain('API_BASE_URL');
    const by = await run(withApply(`${noEnv}---\n${myapiYaml()}`));
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-603', found: 'not set', evidence: { API_BASE_URL: null } });
  });

  it('an image from another registry fails with the expected name', async () => {
    const by = await run(withApply(`${myappYaml('someoneelse.azurecr.io/myapp:v1.0')}---\n${myapiYaml()}`));
    expect(by['ex6.myapp.deployment']).toMatchObject({ status: 'fail', code: 'LG-602', found: 'someoneelse.azurecr.io/myapp:v1.0', expected: APP_IMAGE });
  });
});
