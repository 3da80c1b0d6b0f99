/**
 * How a given Docker CLI version answers when it cannot reach the daemon: the lab user may not use it
 * (not in the `docker` group: connecting to /var/run/docker.sock fails with EACCES), or it is not
 * running (the socket is not there: ENOENT). Derived from docker/cli's source at each release and
 * checked against a real 28.2.2:
 * - `docker info --format …`: from 23.0 the CLI prints the daemon error on stderr, renders the
 *   template without server data (an empty line) and exits 0; 28.1 made a connection failure an
 *   error again (exit 1, still the empty line). Before 23 the command failed (exit 1).
 * - a daemon that is not running: "Cannot connect to the Docker daemon at … Is the docker daemon
 *   running?" for every command; 29 says "failed to connect to the docker API at …".
 * - the request named in the error: before 25.0.4 a failed version negotiation fell back to API
 *   1.24 (`…/v1.24/info`); from 25.0.4 the request keeps the CLI's own API version, and commands that
 *   negotiate first (`image ls`; `ps` does not) fail on the ping itself (`Head "…/_ping"`); 29 drops
 *   the request from the message.
 */

export interface UnreachableDocker {
  /** exit code of `docker info --format …` */
  infoFormatExit: number;
  /** whether `docker info --format …` still prints the rendered (empty) template on stdout */
  infoFormatPrints: boolean;
  info: string;
  images: string;
  containers: string;
}

const SOCKET = 'unix:///var/run/docker.sock';
const ESCAPED = 'http://%2Fvar%2Frun%2Fdocker.sock';

type Version = [number, number, number];

function parseDockerVersion(text: string): Version | undefined {
  // A number starts after a non-digit: otherwise a long run of digits is tried from each of its places.
  const m = /(?<!\d)(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

const atLeast = (v: Version, major: number, minor: number, patch = 0): boolean => (v[0] !== major ? v[0] > major : v[1] !== minor ? v[1] > minor : v[2] >= patch);

/** The API version a CLI speaks unnegotiated (its vendored client's DefaultVersion). */
function defaultApiVersion(v: Version): string {
  const table: Array<[number, number, string]> = [
    [28, 3, '1.51'],
    [28, 2, '1.50'],
    [28, 1, '1.49'],
    [28, 0, '1.48'],
    [27, 2, '1.47'],
    [27, 0, '1.46'],
    [26, 0, '1.45'],
    [25, 0, '1.44'],
    [24, 0, '1.43'],
    [23, 0, '1.42'],
  ];
  return table.find(([major, minor]) => atLeast(v, major, minor))?.[2] ?? '1.41';
}

const dialError = (method: string, path: string) =>
  `permission denied while trying to connect to the Docker daemon socket at ${SOCKET}: ${method} "${ESCAPED}${path}": dial unix /var/run/docker.sock: connect: permission denied`;

const infoFormatExit = (v: Version): number => (atLeast(v, 23, 0) && !atLeast(v, 28, 1) ? 0 : 1);
const versionOf = (versionText: string): Version => parseDockerVersion(versionText) ?? [24, 0, 0];

/** How the CLI answers a lab user outside the docker group. */
export function deniedDocker(versionText: string): UnreachableDocker {
  const v = versionOf(versionText);
  if (atLeast(v, 29, 0)) {
    const message = `permission denied while trying to connect to the docker API at ${SOCKET}`;
    return { infoFormatExit: 1, infoFormatPrints: true, info: message, images: message, containers: message };
  }
  const negotiatesFirst = atLeast(v, 25, 0, 4);
  const api = negotiatesFirst ? defaultApiVersion(v) : '1.24';
  const viaPing = negotiatesFirst ? dialError('Head', '/_ping') : undefined;
  return {
    infoFormatExit: infoFormatExit(v),
    infoFormatPrints: atLeast(v, 23, 0),
    info: dialError('Get', `/v${api}/info`),
    images: viaPing ?? dialError('Get', `/v${api}/images/json`),
    containers: dialError('Get', `/v${api}/containers/json`),
  };
}

/** How the CLI answers when the daemon is not running, whoever asks. */
export function stoppedDocker(versionText: string): UnreachableDocker {
  const v = versionOf(versionText);
  const message = atLeast(v, 29, 0)
    ? `failed to connect to the docker API at ${SOCKET}; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory`
    : `Cannot connect to the Docker daemon at ${SOCKET}. Is the docker daemon running?`;
  return { infoFormatExit: infoFormatExit(v), infoFormatPrints: atLeast(v, 23, 0), info: message, images: message, containers: message };
}
