/**
 * A lab VM for the VM checks' tests: a stand-in probe that answers from a table of files and command
 * answers, and the greetings clone as Exercise 2 step 1 leaves it.
 */
import type { CommandResult, VmCommandName, VmProbe } from '../../probes/types.js';

export interface VmStandIn {
  /** The lab user's home: relative path -> file content; a path ending in `/` is an empty folder. */
  home?: Record<string, string>;
  /** What the grader's commands answer (default: exit 0, nothing printed). */
  commands?: Partial<Record<VmCommandName, Partial<CommandResult>>>;
}

/** A VM that answers from `home` and `commands`; a folder exists when a file lies under it. */
export function standInVm({ home = {}, commands = {} }: VmStandIn = {}): VmProbe {
  const kind = (path: string) => (path in home ? 'file' : Object.keys(home).some((f) => f.startsWith(`${path}/`)) ? 'dir' : 'missing');
  return {
    description: 'ssh labuser07@stand-in:22',
    connect: async () => ({ transport: 'ssh', hostKey: 'SHA256:stand-in' }),
    run: async (name) => ({ stdout: '', stderr: '', code: 0, truncated: false, ...commands[name] }),
    readFile: async (path, maxBytes) => {
      const content = Buffer.from(home[path] ?? '');
      return { path, exists: path in home, size: content.length, content: content.subarray(0, maxBytes), truncated: content.length > maxBytes };
    },
    stat: async (paths) => Object.fromEntries(paths.map((p) => [p, kind(p)])),
    close: async () => {},
  };
}

const dockerfile = (war: string) =>
  `FROM maven:3.3-jdk-8 AS build\nCOPY . /src\nRUN cd /src && mvn package\nFROM tomcat:8.5-jre8-alpine\nCOPY --from=build /src/target/${war}.war /usr/local/tomcat/webapps/ROOT.war\nCMD ["catalina.sh", "run"]\n`;

/** The compose file of the lab's repository with the port mapping of Exercise 2 step 4 added. */
export const LAB_COMPOSE = `version: '3'
services:
  app:
    build: myapp/.
    image: "\${REGISTRY}myapp:\${TAG-latest}"
    ports:
      - 80:8080
  api:
    build: myapi/.
    image: "\${REGISTRY}myapi:\${TAG-latest}"
`;

/** ~/greetings with both Dockerfiles and `docker-compose.yaml` (`compose`), and `more` files of the home (undefined: left out). */
export function labClone(compose = LAB_COMPOSE, more: Record<string, string | undefined> = {}): Record<string, string> {
  const home: Record<string, string | undefined> = {
    'greetings/myapp/Dockerfile': dockerfile('myapp'),
    'greetings/myapi/Dockerfile': dockerfile('myapi'),
    'greetings/docker-compose.yaml': compose,
    ...more,
  };
  return Object.fromEntries(Object.entries(home).filter((e): e is [string, string] => e[1] !== undefined));
}
