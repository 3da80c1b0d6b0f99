/** What Exercise 1's checks tell a student: messages and hints as data, apart from the logic. */

export const INSTALL_DOCKER_URL = 'https://docs.docker.com/install/linux/docker-ce/ubuntu/';

export const EX1_MESSAGES = {
  reachable: {
    pass: (description: string) => `logged in (${description})`,
  },
  installed: {
    pass: (version: string) => `Docker is installed: ${version}`,
    missing: (answer: string) => `Docker is not installed on the VM: \`docker --version\` answers "${answer}"`,
    missingHint: `Exercise 1 step 4 expects Docker on the lab VM (a prerequisite of the lab: ${INSTALL_DOCKER_URL}). Ask your instructor, or install it and run \`docker --version\` again.`,
    unexpected: (code: number, answer: string) => `\`docker --version\` exited with code ${code} and did not print a Docker version: "${answer}"`,
    unexpectedHint: 'Exercise 1 step 4: `docker --version` should print "Docker version …". Check that `docker` on your PATH is the Docker CLI.',
  },
  usable: {
    pass: (serverVersion: string, user: string) => `the Docker daemon ${serverVersion} answers for ${user}`,
    permission: (user: string, answer: string) => `${user} may not use Docker: the daemon answers "${answer}"`,
    permissionHint:
      'Exercise 1 step 4: add your user to the docker group with `sudo usermod -aG docker $USER`, then log out of the VM and log in again (group membership is read at login) and check with `docker info`.',
    daemonDown: (answer: string) => `the Docker daemon is not running: "${answer}"`,
    daemonDownHint: 'Exercise 1 step 4: start the daemon with `sudo systemctl start docker` (and `sudo systemctl enable docker` so it starts with the VM), then check with `docker info`.',
    other: (code: number, answer: string) => `\`docker info\` failed (exit code ${code}): "${answer}"`,
    otherHint: 'Exercise 1 step 4: `docker info` must succeed for your user before the images can be built.',
  },
  killed: (command: string) => `\`${command}\` did not finish in time on the VM`,
};
