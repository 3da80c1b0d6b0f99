/**
 * Exercise 2 steps 3–4 on a stand-in VM: the compose file as Compose reads it. Each reason code of both
 * checks, with what was found and what the lab wants; the scenarios (fixtures/scenarios/vm) grade the
 * same checks over SSH.
 */
import { describe, expect, it } from 'vitest';
import { runWith } from '../../test/support/check-run.js';
import { LAB_COMPOSE, labClone, standInVm } from '../../test/support/lab-vm.js';
import { composePorts, composeValid } from './compose.js';

const withCompose = (compose: string) => ({ vm: standInVm({ home: labClone(compose) }) });
/** The lab's compose file with `from` replaced by `to` (which must be there). */
const changed = (from: string, to: string) => {
  if (!LAB_COMPOSE.includes(from)) throw new Error(`the lab's compose file has no ${from}`);
  return LAB_COMPOSE.replace(from, to);
};
const NO_COMPOSE = { vm: standInVm({ home: labClone(undefined, { 'greetings/docker-compose.yaml': undefined }) }) };
const BROKEN = changed('    build: myapp/.', '\tbuild: myapp/.');

describe('ex2.compose.valid', () => {
  it("passes on the lab's compose file", async () => {
    expect(await runWith(composeValid, withCompose(LAB_COMPOSE))).toMatchObject({ status: 'pass', evidence: { file: '~/greetings/docker-compose.yaml' } });
  });

  it('no compose file fails with LG-211 (not started)', async () => {
    expect(await runWith(composeValid, NO_COMPOSE)).toMatchObject({ status: 'fail', code: 'LG-211', outcome: 'needs-fix' });
  });

  it('a compose file over 1 000 lines fails with LG-216, decided before it is parsed', async () => {
    expect(await runWith(composeValid, withCompose(LAB_COMPOSE + '#\n'.repeat(1_000)))).toMatchObject({ status: 'fail', code: 'LG-216', outcome: 'needs-fix' });
  });

  it('a compose file that is not YAML fails with LG-212', async () => {
    expect(await runWith(composeValid, withCompose(BROKEN))).toMatchObject({ status: 'fail', code: 'LG-212', outcome: 'needs-fix' });
  });

  it('a compose file without service app fails with LG-213', async () => {
    expect(await runWith(composeValid, withCompose(changed('  app:', '  web:')))).toMatchObject({ status: 'fail', code: 'LG-213', outcome: 'needs-fix' });
  });

  it('a service built from another folder fails with LG-214, naming both folders', async () => {
    expect(await runWith(composeValid, withCompose(changed('build: myapp/.', 'build: frontend/.')))).toMatchObject({
      status: 'fail',
      code: 'LG-214',
      outcome: 'needs-fix',
      found: 'frontend/.',
      expected: 'myapp',
    });
  });

  it('a service that builds nothing fails with LG-214, found none', async () => {
    expect(await runWith(composeValid, withCompose(changed('    build: myapi/.\n', '')))).toMatchObject({ status: 'fail', code: 'LG-214', found: 'none', expected: 'myapi' });
  });

  it("an image not named with REGISTRY and TAG fails with LG-215, naming the lab's", async () => {
    expect(await runWith(composeValid, withCompose(changed('"${REGISTRY}myapp:${TAG-latest}"', 'myapp:v1.0')))).toMatchObject({
      status: 'fail',
      code: 'LG-215',
      found: 'myapp:v1.0',
      expected: '${REGISTRY}myapp:${TAG-latest}',
    });
  });
});

describe('ex2.compose.ports', () => {
  it('passes on 80:8080, found and expected alike', async () => {
    expect(await runWith(composePorts, withCompose(LAB_COMPOSE))).toMatchObject({ status: 'pass', found: '80:8080', expected: '80:8080' });
  });

  it('no compose file fails with LG-221, following from ex2.compose.valid', async () => {
    expect(await runWith(composePorts, NO_COMPOSE)).toMatchObject({ status: 'fail', code: 'LG-221', outcome: 'needs-fix', causedBy: 'ex2.compose.valid' });
  });

  it('a compose file over 32 KiB fails with LG-227, following from ex2.compose.valid', async () => {
    expect(await runWith(composePorts, withCompose(LAB_COMPOSE + `# ${'x'.repeat(33 * 1024)}\n`))).toMatchObject({ status: 'fail', code: 'LG-227', outcome: 'needs-fix' });
  });

  it('a compose file that is not YAML fails with LG-222, following from ex2.compose.valid', async () => {
    expect(await runWith(composePorts, withCompose(BROKEN))).toMatchObject({ status: 'fail', code: 'LG-222', outcome: 'needs-fix', causedBy: 'ex2.compose.valid' });
  });

  it('a compose file without service app fails with LG-223, following from ex2.compose.valid', async () => {
    expect(await runWith(composePorts, withCompose(changed('  app:', '  web:')))).toMatchObject({ status: 'fail', code: 'LG-223', outcome: 'needs-fix', causedBy: 'ex2.compose.valid' });
  });

  it('80:8080 published on the loopback address only fails with LG-224', async () => {
    expect(await runWith(composePorts, withCompose(changed('- 80:8080', '- 127.0.0.1:80:8080')))).toMatchObject({
      status: 'fail',
      code: 'LG-224',
      outcome: 'needs-fix',
      found: '127.0.0.1:80:8080',
      expected: '80:8080',
    });
  });

  it('80:8080 on every address besides the loopback one passes', async () => {
    const both = changed('- 80:8080', '- 127.0.0.1:80:8080\n      - 0.0.0.0:80:8080');
    expect(await runWith(composePorts, withCompose(both))).toMatchObject({ status: 'pass', found: '0.0.0.0:80:8080' });
  });

  it('no ports fails with LG-225, found none', async () => {
    expect(await runWith(composePorts, withCompose(changed('    ports:\n      - 80:8080\n', '')))).toMatchObject({ status: 'fail', code: 'LG-225', found: 'none', expected: '80:8080' });
  });

  it('another mapping fails with LG-226, naming it', async () => {
    expect(await runWith(composePorts, withCompose(changed('- 80:8080', '- 8080:8080')))).toMatchObject({ status: 'fail', code: 'LG-226', found: '8080:8080', expected: '80:8080' });
  });
});
