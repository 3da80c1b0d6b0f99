/**
 * The registry questions the grader's probe (and kubelet) depend on, asked the same way of any Docker
 * Registry v2 server, with answers reduced to what must agree between the stand-in and a real
 * registry: statuses, error codes, JSON listings, digests, the challenge's scheme and parameters
 * (not their host-specific values). The differential test compares the stand-in with Debian's
 * `docker-registry`; a registry probe can be run against both with the same questions.
 */
import { createHash } from 'node:crypto';
import { OCI_MANIFEST } from '../../sandbox/images.js';
import type { RegistryClient, RegistryResponse } from './registry-client.js';
import { parseChallenge } from '../../sandbox/registry/errors.js';

export interface RegistryQuestions {
  repo: string;
  tag: string;
  missingRepo: string;
  missingTag: string;
  /** the digest `repo:tag` had before the tag was pushed again, if it was */
  olderDigest?: string;
}

export interface ChallengeAnswer {
  status: number;
  scheme: string | null;
  /** auth-param names, sorted (realm/service values are host-specific) */
  params: string[];
  scope: string | null;
}

export interface ErrorAnswer {
  status: number;
  codes: string[];
}

export interface RegistryAnswers {
  /** GET /v2/ without credentials */
  base: ChallengeAnswer;
  /** GET /v2/<repo>/tags/list without credentials */
  tagsChallenge: ChallengeAnswer;
  catalog: { status: number; body: unknown };
  tags: { status: number; body: unknown };
  manifestHead: { status: number; digest: string | null; contentType: string | null; contentLength: string | null };
  /** sha256 of the GET body: must equal the Docker-Content-Digest */
  manifestGet: { status: number; digest: string | null; bodyDigest: string };
  /** an OCI manifest asked for without its media type in Accept */
  manifestNoAccept: ErrorAnswer;
  missingRepoTags: ErrorAnswer;
  missingRepoManifest: ErrorAnswer;
  missingTagManifest: ErrorAnswer;
  /** HEAD carries no body, so only the status can be compared */
  missingTagHead: { status: number };
  /** GET and HEAD of the older manifest by its digest, after the tag moved on */
  olderManifest?: { get: { status: number; digest: string | null; bodyDigest: string }; headStatus: number };
}

const challengeOf = (r: RegistryResponse): ChallengeAnswer => {
  const c = parseChallenge(r.headers.get('www-authenticate'));
  return { status: r.status, scheme: c?.scheme ?? null, params: c ? Object.keys(c.params).sort() : [], scope: c?.params.scope ?? null };
};

const errorOf = (r: RegistryResponse): ErrorAnswer => {
  let codes: string[] = [];
  try {
    codes = (JSON.parse(r.body.toString('utf8')) as { errors?: Array<{ code: string }> }).errors?.map((e) => e.code) ?? [];
  } catch {
    codes = ['<not JSON>'];
  }
  return { status: r.status, codes };
};

const json = (r: RegistryResponse): unknown => {
  try {
    return JSON.parse(r.body.toString('utf8'));
  } catch {
    return r.body.toString('utf8');
  }
};

/** distribution 2.8 lists tags in directory order (unspecified); the stand-in sorts: compare as sets */
const sortedTags = (body: unknown): unknown => {
  const b = body as { tags?: unknown };
  return b && Array.isArray(b.tags) ? { ...b, tags: [...(b.tags as string[])].sort() } : body;
};

export async function askRegistry(client: RegistryClient, q: RegistryQuestions): Promise<RegistryAnswers> {
  const oci = { accept: `${OCI_MANIFEST}, application/vnd.docker.distribution.manifest.v2+json` };
  const base = await client.request('GET', '/v2/', { authenticate: false });
  const tagsChallenge = await client.request('GET', `/v2/${q.repo}/tags/list`, { authenticate: false });
  const catalog = await client.request('GET', '/v2/_catalog');
  const tags = await client.request('GET', `/v2/${q.repo}/tags/list`);
  const head = await client.request('HEAD', `/v2/${q.repo}/manifests/${q.tag}`, { headers: oci });
  const get = await client.request('GET', `/v2/${q.repo}/manifests/${q.tag}`, { headers: oci });
  return {
    base: challengeOf(base),
    tagsChallenge: challengeOf(tagsChallenge),
    catalog: { status: catalog.status, body: json(catalog) },
    tags: { status: tags.status, body: sortedTags(json(tags)) },
    manifestHead: { status: head.status, digest: head.headers.get('docker-content-digest'), contentType: head.headers.get('content-type'), contentLength: head.headers.get('content-length') },
    manifestGet: { status: get.status, digest: get.headers.get('docker-content-digest'), bodyDigest: 'sha256:' + createHash('sha256').update(get.body).digest('hex') },
    manifestNoAccept: errorOf(await client.request('GET', `/v2/${q.repo}/manifests/${q.tag}`)),
    missingRepoTags: errorOf(await client.request('GET', `/v2/${q.missingRepo}/tags/list`)),
    missingRepoManifest: errorOf(await client.request('GET', `/v2/${q.missingRepo}/manifests/${q.tag}`, { headers: oci })),
    missingTagManifest: errorOf(await client.request('GET', `/v2/${q.repo}/manifests/${q.missingTag}`, { headers: oci })),
    missingTagHead: { status: (await client.request('HEAD', `/v2/${q.repo}/manifests/${q.missingTag}`, { headers: oci })).status },
    ...(q.olderDigest ? { olderManifest: await olderManifest(client, q.repo, q.olderDigest, oci) } : {}),
  };
}

async function olderManifest(client: RegistryClient, repo: string, digest: string, headers: Record<string, string>): Promise<NonNullable<RegistryAnswers['olderManifest']>> {
  const get = await client.request('GET', `/v2/${repo}/manifests/${digest}`, { headers });
  const head = await client.request('HEAD', `/v2/${repo}/manifests/${digest}`, { headers });
  return { get: { status: get.status, digest: get.headers.get('docker-content-digest'), bodyDigest: 'sha256:' + createHash('sha256').update(get.body).digest('hex') }, headStatus: head.status };
}
