/**
 * Deterministic image content for the sandbox: every (registry, repository, tag) has one OCI image
 * whose config, layer and manifest are real bytes, so digests are real sha256 digests, the same in the
 * registry stand-in, in a real `docker-registry` given the same push, and in pods' `imageID`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ImageContent {
  manifest: Blob;
  config: Blob;
  layer: Blob;
}

const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
const blob = (bytes: Buffer, mediaType: string): Blob => ({ digest: sha256(bytes), mediaType, bytes });

/** A one-file ustar archive (512-byte header + content padded to 512). */
function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.fill(' ', 148, 156);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

const cache = new Map<string, ImageContent>();

/** `push` counts the pushes of the same tag before this one (a tag pushed again holds a new image). */
export function imageContent(registryName: string, repository: string, tag: string, push = 0): ImageContent {
  const key = `${registryName}/${repository}:${tag}` + (push ? ` (push ${push + 1})` : '');
  const hit = cache.get(key);
  if (hit) return hit;
  const file = Buffer.from(`built by the lab-grade sandbox: ${key}\n`);
  const layerBytes = gzipSync(tarOneFile('app/BUILD-INFO', file), { level: 9 });
  // gzip carries an OS byte and mtime 0 from zlib: deterministic across runs on one platform.
  const layer = blob(layerBytes, OCI_LAYER);
  const diffId = sha256(tarOneFile('app/BUILD-INFO', file));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['catalina.sh', 'run'], Labels: { 'org.opencontainers.image.title': repository } },
        rootfs: { type: 'layers', diff_ids: [diffId] },
      }),
    ),
    OCI_CONFIG,
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.bytes.length },
        layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.bytes.length }],
      }),
    ),
    OCI_MANIFEST,
  );
  const content = { manifest, config, layer };
  cache.set(key, content);
  return content;
}

/** The manifest digest of an image: what Docker-Content-Digest and a pod's imageID carry. */
export const imageDigest = (registryName: string, repository: string, tag: string, push = 0): string => imageContent(registryName, repository, tag, push).manifest.digest;

/** How many times "repo:tag" was pushed: once, plus once per mention in `repushed`. */
export const pushesOf = (ref: string, repushed: readonly string[] = []): number => 1 + repushed.filter((r) => r === ref).length;
