/** Exercise 1 step 4: Docker is installed on the VM and the lab user may use it. */
import { defineCheck, fail, pass, reasons } from '../../core/check.js';
import { excerpt, firstLine } from '../text.js';
import { runOnVm } from './vm.js';

const INSTALL_DOCKER_URL = 'https://docs.docker.com/install/linux/docker-ce/ubuntu/';

const NOT_FOUND = /command not found|No such file or directory/i;
const DOCKER_VERSION = /Docker version [^\s,]+(?:, build \S+)?/;
// CLIs up to 28 say "the Docker daemon socket", 29 and later "the docker API".
const PERMISSION_DENIED = /permission denied while trying to connect to the docker (daemon|API)/i;
// CLIs up to 28 say "Cannot connect to the Docker daemon", 29 and later "failed to connect to the docker
// API … if the daemon is running".
const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|failed to connect to the docker API .*if the daemon is running/i;

const INSTALLED = reasons({
  missing: ['LG-111', 'Docker is not installed', 'absent'],
  unexpected: ['LG-112', '`docker --version` does not print a Docker version'],
});

export const dockerInstalled = defineCheck({
  id: 'ex1.docker.installed',
  exercise: 1,
  passes: '`docker --version` prints a Docker version',
  title: () => 'Docker is installed on the VM',
  points: { points: 1 },
  needs: ['vm'],
  dependsOn: ['ex1.vm.reachable'],
  reasons: INSTALLED,
  async run(ctx) {
    const { result, evidence } = await runOnVm(ctx, 'dockerVersion');
    const matched = DOCKER_VERSION.exec(result.stdout)?.[0];
    const version = matched && excerpt(matched, 100);
    if (result.code === 0 && version) return pass(`Docker is installed: ${version}`, evidence, { found: version });
    const answer = firstLine(result.stderr || result.stdout);
    if (result.code === 127 || NOT_FOUND.test(result.stderr)) {
      return fail(
        INSTALLED.missing,
        `Docker is not installed on the VM: \`docker --version\` answers "${answer}"`,
        `Exercise 1 step 4 expects Docker on the lab VM (a prerequisite of the lab: ${INSTALL_DOCKER_URL}). Ask your instructor, or install it and run \`docker --version\` again.`,
        { evidence, outcome: 'needs-fix', found: answer, expected: 'Docker version …' },
      );
    }
    return fail(
      INSTALLED.unexpected,
      `\`docker --version\` exited with code ${result.code} and did not print a Docker version: "${answer}"`,
      'Exercise 1 step 4: `docker --version` should print "Docker version …". Check that `docker` on your PATH is the Docker CLI.',
      { evidence, outcome: 'needs-fix', found: answer, expected: 'Docker version …' },
    );
  },
});

const USABLE = reasons({
  permission: ['LG-121', 'the lab user may not use the Docker daemon'],
  daemonDown: ['LG-122', 'the Docker daemon is not running'],
  other: ['LG-123', '`docker info` fails'],
  noVersion: ['LG-124', '`docker info` names no server version'],
});

const permissionHint =
  'Exercise 1 step 4: add your user to the docker group with `sudo usermod -aG docker $USER`, then log out of the VM and log in again (group membership is read at login) and check with `docker info`.';

export const dockerUsable = defineCheck({
  id: 'ex1.docker.usable',
  exercise: 1,
  passes: '`docker info` works for the lab user, decided from its answer (CLIs 23–28.0 exit 0 when the daemon refuses the user or is not running)',
  title: () => 'The lab user can use Docker',
  points: { points: 1 },
  needs: ['vm'],
  dependsOn: ['ex1.docker.installed'],
  reasons: USABLE,
  async run(ctx) {
    const { result, evidence } = await runOnVm(ctx, 'dockerInfo');
    const user = ctx.target.vm?.username ?? ctx.target.user;
    const serverVersion = result.stdout.trim();
    const answer = firstLine(result.stderr || result.stdout);
    // Decided from the answer: CLIs 23 to 28.0 exit 0 from `docker info --format …` when they cannot
    // reach the daemon (refused or not running), printing the error on stderr and an empty template.
    if (PERMISSION_DENIED.test(result.stderr)) {
      return fail(USABLE.permission, `${user} may not use Docker: the daemon answers "${answer}"`, permissionHint, { evidence, outcome: 'needs-fix', found: answer });
    }
    // A daemon that is starting answers soon: --wait polls it.
    if (DAEMON_DOWN.test(result.stderr)) {
      return fail(
        USABLE.daemonDown,
        `the Docker daemon is not running: "${answer}"`,
        'Exercise 1 step 4: start the daemon with `sudo systemctl start docker` (and `sudo systemctl enable docker` so it starts with the VM), then check with `docker info`.',
        { evidence, found: answer },
      );
    }
    if (result.code === 0 && serverVersion) return pass(`the Docker daemon ${firstLine(serverVersion, 40)} answers for ${user}`, evidence, { found: firstLine(serverVersion, 100) });
    if (result.code === 0) {
      return fail(
        USABLE.noVersion,
        `\`docker info\` printed no server version for ${user}${answer ? `: "${answer}"` : ''}`,
        'Exercise 1 step 4: `docker info` must show the server for your user; run it on the VM and fix what it says.',
        {
          evidence,
          found: answer || 'nothing',
        },
      );
    }
    return fail(USABLE.other, `\`docker info\` failed (exit code ${result.code}): "${answer}"`, 'Exercise 1 step 4: `docker info` must succeed for your user before the images can be built.', {
      evidence,
      found: answer,
    });
  },
});
