/** Exercise 2 step 1 on a stand-in VM: the clone is there with its Dockerfiles and compose file, or the reason code says what is not. */
import { describe, expect, it } from 'vitest';
import { runWith } from '../../test/support/check-run.js';
import { labClone, standInVm } from '../../test/support/lab-vm.js';
import { repoCloned } from './repo.js';

const graded = (home: Record<string, string>) => runWith(repoCloned, { vm: standInVm({ home }) });

describe('ex2.repo.cloned', () => {
  it('passes on a full clone, naming the compose file Compose uses', async () => {
    expect(await graded(labClone())).toMatchObject({
      status: 'pass',
      message: "~/greetings holds the app's Dockerfiles and docker-compose.yaml",
      evidence: { repo: '~/greetings', composeFiles: ['docker-compose.yaml'], missingDockerfiles: [] },
    });
  });

  it('no ~/greetings fails with LG-201 (not started)', async () => {
    expect(await graded({ 'notes.txt': 'hello' })).toMatchObject({ status: 'fail', code: 'LG-201', outcome: 'needs-fix' });
  });

  it('a file named greetings is no clone: LG-201', async () => {
    expect(await graded({ greetings: 'not a folder' })).toMatchObject({ status: 'fail', code: 'LG-201' });
  });

  it('a clone without a Dockerfile fails with LG-202, naming it as found', async () => {
    expect(await graded(labClone(undefined, { 'greetings/myapi/Dockerfile': undefined }))).toMatchObject({
      status: 'fail',
      code: 'LG-202',
      outcome: 'needs-fix',
      found: 'myapi/Dockerfile',
      evidence: { missingDockerfiles: ['myapi/Dockerfile'], composeFiles: ['docker-compose.yaml'] },
    });
  });

  it('a clone without any compose file fails with LG-202, naming the files Compose looks for', async () => {
    expect(await graded(labClone(undefined, { 'greetings/docker-compose.yaml': undefined }))).toMatchObject({
      status: 'fail',
      code: 'LG-202',
      found: 'a compose file (docker-compose.yaml, docker-compose.yml, compose.yaml, compose.yml)',
    });
  });
});
