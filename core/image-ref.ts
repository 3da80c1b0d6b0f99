/**
 * Image references as Docker and the kubelet read them (the grammar of github.com/distribution/reference):
 * `[host[:port]/]path[:tag][@digest]`. The checks read which registry a pod pulls from with it, the
 * simulated lab decides whether a pull works with it: one reading, so the two never disagree.
 */

export interface ImageRef {
  /**
   * The registry host (and port), lower-cased since host names are case-insensitive
   * (`LabUser07ACR.azurecr.io` is `labuser07acr.azurecr.io`); undefined for Docker Hub, however it is
   * spelt (`nginx`, `library/nginx`, `docker.io/nginx`, `index.docker.io/library/nginx`).
   */
  host?: string;
  /** The repository in that registry; Docker Hub's official images as Docker names them (`nginx` is `library/nginx`). */
  repository: string;
  tag?: string;
  digest?: string;
}

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const tag = '\\w[\\w.-]{0,127}';
/** The digests a registry serves (go-digest's algorithms: lower-case hex of the hash's length). */
const digest = 'sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}';
const REFERENCE = new RegExp(`^(?:(${domain})/)?(${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`);

const DOCKER_HUB = 'docker.io';
/** Docker Hub's old name, which Docker reads as docker.io. */
const LEGACY_DOCKER_HUB = 'index.docker.io';
/** Docker refuses longer repository names (host included). */
const NAME_MAX = 255;

/**
 * The first component names a host when it has a '.' or a ':' (a domain, an address, a port), is
 * `localhost`, or has an upper-case letter (repository paths are lower-case); else it is the first
 * part of a Docker Hub path (`bitnami/nginx`).
 */
const isHost = (first: string) => /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();

/** The reference's parts; undefined when Docker would answer "invalid reference format". */
export function parseImageRef(image: string): ImageRef | undefined {
  // A bare 64-digit hex string is an image id, not a name.
  if (/^[a-f0-9]{64}$/.test(image)) return undefined;
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  const [, written, path, tagged, digested] = m;
  let host = written !== undefined && isHost(written) ? written : undefined;
  let repository = written !== undefined && host === undefined ? `${written}/${path}` : path;
  if (host === LEGACY_DOCKER_HUB) host = DOCKER_HUB;
  if (host === undefined || host === DOCKER_HUB) {
    host = undefined;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (`${host ?? DOCKER_HUB}/${repository}`.length > NAME_MAX) return undefined;
  return { host: host?.toLowerCase(), repository, tag: tagged, digest: digested };
}
