/** What Exercise 2's checks tell a student: messages, hints and the lab's fixed facts, as data. */

export const CLONE_URL = 'https://github.com/cadullms/greetings';

/** The variables the lab's compose file is parameterised with (Exercise 2 step 3, Exercise 4). */
export const LAB_VARIABLES = { registry: 'REGISTRY', tag: 'TAG' } as const;

/** A line only the greetings start page has (greetings-app.md: `GET /`). */
export const START_PAGE_MARKER = '<a href="/greeting">here</a>';

const at = (file: string, line?: number, col?: number) => (line ? `${file} line ${line}, column ${col}` : file);

export const EX2_MESSAGES = {
  repo: {
    pass: (dir: string, composeFile: string) => `~/${dir} holds the app's Dockerfiles and ${composeFile}`,
    noDir: (dir: string) => `~/${dir} does not exist on the VM`,
    noDirHint: (dir: string) => `Exercise 2 step 1: in your home folder on the VM run \`git clone ${CLONE_URL}\`; it creates ~/${dir}.`,
    incomplete: (dir: string, missing: string[]) => `~/${dir} is missing ${missing.join(', ')}`,
    incompleteHint: (dir: string) =>
      `Exercise 2 step 1: ~/${dir} should be a full clone of ${CLONE_URL}. Restore the missing files (\`git -C ~/${dir} checkout -- .\`) or clone it again.`,
  },
  compose: {
    invalid: (file: string, message: string, line?: number, col?: number) => `${at(file, line, col)}: ${message}`,
    invalidHint: (file: string) =>
      `Exercise 2 step 4: ${file} must stay valid YAML. Indent with spaces (no tabs), two per level, as in the lab's example; \`docker-compose config\` shows what Compose makes of it.`,
    missingService: (file: string, names: string[], found: string[]) => `${file} has no service ${names.join(' or ')} (it defines: ${found.join(', ') || 'none'})`,
    wrongBuild: (file: string, service: string, found: string | undefined, wanted: string, line?: number, col?: number) =>
      `${at(file, line, col)}: service ${service} builds ${found === undefined ? 'nothing' : `from "${found}"`}; the lab builds it from ${wanted}/`,
    wrongImage: (file: string, service: string, found: string | undefined, wanted: string, line?: number, col?: number) =>
      `${at(file, line, col)}: service ${service} has image ${found === undefined ? 'nothing' : `"${found}"`}; the lab names it "${wanted}"`,
    serviceHint: (file: string) => `Exercise 2 step 3: keep the services, build contexts and images of the ${file} stub as they are (only add the port mapping of step 4).`,
    pass: (file: string) => `${file} defines the app and api services with their build contexts and images`,
  },
  ports: {
    pass: (service: string, mapping: string, file: string, line: number, col: number) => `service ${service} publishes ${mapping} (${at(file, line, col)})`,
    none: (service: string, file: string, wanted: string, line?: number, col?: number) => `service ${service} publishes no ports (${at(file, line, col)}); Exercise 2 step 4 wants ${wanted}`,
    wrong: (service: string, found: string[], file: string, wanted: string, line: number, col: number) =>
      `${service} publishes ${found.join(', ')} (${at(file, line, col)}); Exercise 2 step 4 wants ${wanted}`,
    loopbackOnly: (service: string, mapping: string, file: string, line: number, col: number) =>
      `${service} publishes ${mapping} (${at(file, line, col)}) on the loopback address only: a browser on your own machine cannot reach it`,
    hint: (service: string, wanted: string) =>
      `Exercise 2 step 4: under \`${service}:\` add\n    ports:\n      - ${wanted}\n(host port first, then the container port the app listens on), save, and run \`docker-compose up\` again.`,
  },
  images: {
    pass: (found: string[]) => `docker image ls lists ${found.join(', ')}`,
    missing: (missing: string[], listed: number) => `docker image ls lists no image for ${missing.join(', ')} (${listed} image${listed === 1 ? '' : 's'} listed)`,
    hint: (dir: string) => `Exercise 2 step 7: in ~/${dir} run \`docker-compose up\` (or \`docker-compose build\`); it builds both images from the compose file.`,
    failed: (code: number | null, answer: string) => `\`docker image ls\` failed (exit code ${code ?? 'none'}): "${answer}"`,
  },
  served: {
    pass: (url: string) => `the greetings app answers on ${url}`,
    notServing: (url: string, why: string) => `the app does not answer on ${url} (${why}); this bonus passes only while \`docker-compose up\` runs on the VM`,
    notTheApp: (url: string, status: number) => `${url} answers with status ${status}, but not with the greetings start page`,
    hint: (dir: string) =>
      `Exercise 2 steps 7–8: in ~/${dir} run \`docker-compose up\`, then open http://<your VM's address>/ in your browser. Informational: stop it with Ctrl+C when done.`,
    noAddress: 'no VM address is configured to try the app at',
  },
};
