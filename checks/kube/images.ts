/** Images the lab asks for, as hints write them and checks compare them; references are read by core/image-ref.ts. */
import type { LabExpectations } from '../../core/profile.js';

/** What the lab text writes for a registry's name; hints write it too while the student's is not known. */
const UNKNOWN_REGISTRY = '<registry name>';

/** The student's registry as a hint writes it: their own login server when known, else the lab's placeholder. */
export const registryOr = (loginServer: string | undefined, registryDomain: string) => loginServer ?? `${UNKNOWN_REGISTRY}.${registryDomain}`;

/** `<login server>/<repo>:<tag>`, the image the lab asks for. */
const imageName = (loginServer: string, repository: string, tag: string) => `${loginServer.toLowerCase()}/${repository}:${tag}`;

/** The image a workload should run: from the student's registry when it is known, else the lab's placeholder. */
export const expectedImage = (expect: Pick<LabExpectations, 'tag' | 'registryDomain'>, loginServer: string | undefined, repository: string): string =>
  imageName(registryOr(loginServer, expect.registryDomain), repository, expect.tag);

/** The image a hint asks for: the lab's repository and tag, in the student's registry where it is known. */
export interface WantedImage {
  /** `<login server>/<repository>:<tag>`, or the lab's placeholder for the registry */
  image: string;
  /** the login server, or `<registry name>.<domain>` */
  registry: string;
  /** the registry's name as `az acr` takes it, or `<registry name>` */
  registryName: string;
  repository: string;
  tag: string;
  /** whether the student's registry is known (else the names above are the lab's placeholders) */
  known: boolean;
}

export function wantedImage(expect: Pick<LabExpectations, 'tag' | 'registryDomain'>, loginServer: string | undefined, repository: string): WantedImage {
  return {
    image: expectedImage(expect, loginServer, repository),
    registry: registryOr(loginServer, expect.registryDomain),
    registryName: registryNameOf(loginServer, expect.registryDomain) ?? UNKNOWN_REGISTRY,
    repository,
    tag: expect.tag,
    known: !!loginServer,
  };
}

/** The registry name in `<name>.<domain>` (e.g. `labuser07acr` in `labuser07acr.azurecr.io`). */
export function registryNameOf(host: string | undefined, registryDomain: string): string | undefined {
  if (!host) return undefined;
  const suffix = `.${registryDomain.toLowerCase()}`;
  const h = host.toLowerCase();
  return h.endsWith(suffix) && h.length > suffix.length ? h.slice(0, -suffix.length) : undefined;
}

/** The digest in a container status's imageID (`docker-pullable://x@sha256:…`, `x@sha256:…`, `sha256:…`). */
export function imageIdDigest(imageID: string | undefined): string | undefined {
  return imageID ? /(sha256:[a-f0-9]{64})\s*$/.exec(imageID)?.[1] : undefined;
}

/** For messages: sha256:0123456789ab… */
export const shortDigest = (d: string | undefined) => (d ? d.slice(0, 19) + '…' : 'none');
