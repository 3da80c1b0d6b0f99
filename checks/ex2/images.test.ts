/** Exercise 2 step 6 on a stand-in VM: `docker image ls` lists the myapp and myapi images, whatever registry prefix they carry. */
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../probes/types.js';
import { runWith } from '../../test/support/check-run.js';
import { standInVm } from '../../test/support/lab-vm.js';
import { imagesBuilt } from './images.js';

const listing = (answer: Partial<CommandResult>) => runWith(imagesBuilt, { vm: standInVm({ commands: { dockerImages: answer } }) });

describe('ex2.images.built', () => {
  it('passes when both repositories are listed, under any registry', async () => {
    expect(await listing({ stdout: 'myapp:latest\nlabuser07acr.azurecr.io/myapp:v1.0\nlabuser07acr.azurecr.io/myapi:v1.0\nmaven:3.3-jdk-8\n' })).toMatchObject({
      status: 'pass',
      evidence: { images: ['myapp:latest', 'labuser07acr.azurecr.io/myapp:v1.0', 'labuser07acr.azurecr.io/myapi:v1.0'] },
    });
  });

  it('a missing image fails with LG-232, found what is listed of the two', async () => {
    expect(await listing({ stdout: 'myapp:latest\nmyapi-old:latest\ntomcat:8.5-jre8-alpine\n' })).toMatchObject({
      status: 'fail',
      code: 'LG-232',
      found: 'myapp:latest',
      expected: 'myapp, myapi',
      evidence: { listed: 3 },
    });
  });

  it('no image at all fails with LG-232, found none', async () => {
    expect(await listing({ stdout: '' })).toMatchObject({ status: 'fail', code: 'LG-232', found: 'none' });
  });

  it('`docker image ls` failing after `docker info` worked is the error LG-231, not a failure of the student', async () => {
    expect(await listing({ code: 1, stderr: 'Error response from daemon: open /var/lib/docker/image/overlay2/repositories.json: permission denied' })).toMatchObject({
      status: 'error',
      code: 'LG-231',
      evidence: { command: "docker image ls --format '{{.Repository}}:{{.Tag}}'", exitCode: 1 },
    });
  });
});
