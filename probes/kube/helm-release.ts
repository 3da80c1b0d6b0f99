/**
 * Decoding Helm's release records (pure functions over the stored objects), as helm/helm stores them
 * (pkg/storage/driver): Helm 3 keeps a Secret `sh.helm.release.v1.<name>.v<n>` (type
 * helm.sh/release.v1, labels owner=helm/name/status/version) whose `release` is base64(gzip(JSON)),
 * and the Secret API adds its own base64 on top. Helm 2 keeps a ConfigMap `<name>.v<n>` in
 * kube-system (labels OWNER=TILLER/NAME/STATUS/VERSION) whose `release` is base64(gzip(protobuf)).
 */
import { gunzipSync } from 'node:zlib';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { errorMessage } from '../../core/errors.js';
import { jsonTooDeep, yamlTooDeep } from '../../core/nesting.js';
import type { HelmReleaseRecord } from '../types.js';
import { messageAt, numberField, readMessage, stringField } from './protobuf.js';

const MiB = 1024 * 1024;

/**
 * A Helm record is a student's bytes: gzip turns 32 KB into 32 MiB. The lab's release inflates to a few
 * KB, so each is inflated only up to `maxReleaseBytes`, and all the records of one snapshot share
 * `maxSnapshotBytes`: beyond either, the release is undecodable with the reason. Its JSON (Helm 2: its
 * values' YAML) may nest `maxDepth` levels: a real chart's values nest a dozen, and a record nested
 * 200 000 deep would exhaust the stack of whatever walks it first.
 */
export const HELM_DECODE_LIMITS = { maxReleaseBytes: 4 * MiB, maxSnapshotBytes: 16 * MiB, maxValuesBytes: 64 * 1024, maxDepth: 64 };

/** What is left of one snapshot's inflate budget; every decode of that snapshot draws from it. */
class InflateBudget {
  constructor(public remaining: number = HELM_DECODE_LIMITS.maxSnapshotBytes) {}
}

/** A record over one of the bounds: the message says which. */
class BeyondLimit extends Error {}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];
const isGzip = (b: Buffer) => GZIP_MAGIC.every((m, i) => b[i] === m);
const mib = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/**
 * Inflates within the release cap and what is left of the budget. zlib inflates chunk by chunk and
 * stops as soon as the output passes `maxOutputLength`, so a bomb costs no more than the cap.
 */
function gunzipCapped(gzip: Buffer, budget: InflateBudget): Buffer {
  const perRelease = HELM_DECODE_LIMITS.maxReleaseBytes;
  const limit = Math.min(perRelease, budget.remaining);
  const why =
    limit < perRelease ? `the cluster's Helm records together inflate to more than ${mib(HELM_DECODE_LIMITS.maxSnapshotBytes)}` : `it inflates to more than ${mib(perRelease)} (the lab's is a few KB)`;
  if (limit <= 0) throw new BeyondLimit(why);
  try {
    const out = gunzipSync(gzip, { maxOutputLength: limit });
    budget.remaining -= out.length;
    return out;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
    budget.remaining -= limit; // the work was done: it counts
    throw new BeyondLimit(why);
  }
}

/** Helm's own encoding (after the Secret's base64 is removed): base64, then gzip unless plain JSON. */
function decodeHelmPayload(helmBase64: string, budget = new InflateBudget()): Buffer {
  const raw = Buffer.from(helmBase64, 'base64');
  if (isGzip(raw)) return gunzipCapped(raw, budget);
  budget.remaining -= raw.length;
  return raw;
}

/**
 * Helm 2's values are YAML text. Beyond a size no lab release comes near, they are not parsed (a
 * parser that checks keys are unique spends seconds on 250 KB of short keys); duplicate keys are not
 * looked for (the last wins), which keeps parsing linear.
 */
function parseValuesYaml(raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  if (Buffer.byteLength(raw) > HELM_DECODE_LIMITS.maxValuesBytes) throw new BeyondLimit(`its values are more than ${HELM_DECODE_LIMITS.maxValuesBytes / 1024} KiB of YAML (the lab's are a few lines)`);
  if (yamlTooDeep(raw, HELM_DECODE_LIMITS.maxDepth) !== undefined) throw new BeyondLimit(`its values nest deeper than ${HELM_DECODE_LIMITS.maxDepth} levels (the lab's nest two)`);
  return toValues(parse(raw, { uniqueKeys: false }));
}

/** The reason a release could not be decoded: the cap's own words, or the parser's. */
const decodeFailure = (err: unknown) => (err instanceof BeyondLimit ? err.message : errorMessage(err));

/** Helm 3's release JSON, its nesting bounded before it is parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a student's JSON: every field is checked where it is read
function parseReleaseJson(text: string): any {
  if (jsonTooDeep(text, HELM_DECODE_LIMITS.maxDepth) !== undefined) throw new BeyondLimit(`its JSON nests deeper than ${HELM_DECODE_LIMITS.maxDepth} levels (the lab's nests a few)`);
  return JSON.parse(text);
}

function toValues(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function decodeHelm3Secret(secret: V1Secret, budget = new InflateBudget()): HelmReleaseRecord {
  const labels = secret.metadata?.labels ?? {};
  const base: HelmReleaseRecord = {
    source: 'helm3-secret',
    namespace: secret.metadata?.namespace ?? '',
    objectName: secret.metadata?.name ?? '',
    name: labels.name ?? '',
    version: Number(labels.version) || 0,
    status: (labels.status ?? '').toLowerCase(),
  };
  const data = secret.data?.release;
  if (!data) return { ...base, decodeError: 'the Secret has no data.release' };
  try {
    const json = parseReleaseJson(decodeHelmPayload(Buffer.from(data, 'base64').toString('utf8'), budget).toString('utf8'));
    const meta = json?.chart?.metadata ?? {};
    return {
      ...base,
      name: typeof json.name === 'string' ? json.name : base.name,
      version: typeof json.version === 'number' ? json.version : base.version,
      status: typeof json.info?.status === 'string' ? json.info.status.toLowerCase() : base.status,
      chartName: typeof meta.name === 'string' ? meta.name : undefined,
      chartVersion: typeof meta.version === 'string' ? meta.version : undefined,
      values: toValues(json.config),
      chartValues: toValues(json?.chart?.values),
    };
  } catch (err) {
    return { ...base, decodeError: `cannot decode the Helm 3 release: ${decodeFailure(err)}` };
  }
}

/** hapi.release.Status.Code, for a ConfigMap whose labels lack STATUS. */
const HELM2_STATUS = ['unknown', 'deployed', 'deleted', 'superseded', 'failed', 'deleting', 'pending-install', 'pending-upgrade', 'pending-rollback'];

export function decodeHelm2ConfigMap(cm: V1ConfigMap, budget = new InflateBudget()): HelmReleaseRecord {
  const labels = cm.metadata?.labels ?? {};
  const base: HelmReleaseRecord = {
    source: 'helm2-configmap',
    namespace: cm.metadata?.namespace ?? '',
    objectName: cm.metadata?.name ?? '',
    name: labels.NAME ?? '',
    version: Number(labels.VERSION) || 0,
    status: (labels.STATUS ?? '').toLowerCase(),
  };
  const data = cm.data?.release;
  if (!data) return { ...base, decodeError: 'the ConfigMap has no data.release' };
  try {
    // release.proto: name=1 info=2{status=1{code=1}} chart=3{metadata=1{name=1 version=4} values=4{raw=1}} config=4{raw=1} version=7;
    // `namespace` stays the ConfigMap's own (kube-system), next to objectName.
    const rel = readMessage(decodeHelmPayload(data, budget));
    const meta = messageAt(rel, [3, 1]);
    const raw = stringField(messageAt(rel, [4]), 1) ?? '';
    const chartRaw = stringField(messageAt(rel, [3, 4]), 1) ?? '';
    const code = numberField(messageAt(rel, [2, 1]), 1);
    return {
      ...base,
      name: stringField(rel, 1) || base.name,
      version: numberField(rel, 7) ?? base.version,
      status: base.status || HELM2_STATUS[code ?? 0] || 'unknown',
      chartName: stringField(meta, 1),
      chartVersion: stringField(meta, 4),
      values: parseValuesYaml(raw),
      chartValues: parseValuesYaml(chartRaw),
    };
  } catch (err) {
    return { ...base, decodeError: `cannot decode the Helm 2 release: ${decodeFailure(err)}` };
  }
}

/** Decoded records per snapshot (its lists are shared by every check of a student): decoded once. */
const decodedSnapshots = new WeakMap<readonly V1Secret[], WeakMap<readonly V1ConfigMap[], HelmReleaseRecord[]>>();

/**
 * Every release record in a snapshot's Helm objects (only those Helm itself labelled), in the
 * snapshot's order. They share one inflate budget; deployed releases, smallest first (then newest),
 * are decoded first, so junk records or large charts cannot use it up before the release that is graded.
 */
export function helmReleases(secrets: readonly V1Secret[], configMaps: readonly V1ConfigMap[]): HelmReleaseRecord[] {
  const known = decodedSnapshots.get(secrets)?.get(configMaps);
  if (known) return known;
  const budget = new InflateBudget();
  const stored = [
    ...secrets
      .filter((s) => s.type === 'helm.sh/release.v1' || s.metadata?.labels?.owner === 'helm')
      .map((s) => ({ labels: s.metadata?.labels, size: s.data?.release?.length ?? 0, decode: () => decodeHelm3Secret(s, budget) })),
    ...configMaps.filter((c) => c.metadata?.labels?.OWNER === 'TILLER').map((c) => ({ labels: c.metadata?.labels, size: c.data?.release?.length ?? 0, decode: () => decodeHelm2ConfigMap(c, budget) })),
  ];
  const deployed = (l?: Record<string, string>) => (l?.status ?? l?.STATUS ?? '').toLowerCase() === 'deployed';
  const version = (l?: Record<string, string>) => Number(l?.version ?? l?.VERSION) || 0;
  // Smaller first: the lab's release is a few KB, other charts (a monitoring stack) inflate to MiBs.
  const order = stored
    .map((_, i) => i)
    .sort((a, b) => Number(deployed(stored[b].labels)) - Number(deployed(stored[a].labels)) || stored[a].size - stored[b].size || version(stored[b].labels) - version(stored[a].labels));
  const records: HelmReleaseRecord[] = new Array(stored.length);
  for (const i of order) records[i] = stored[i].decode();
  if (!decodedSnapshots.has(secrets)) decodedSnapshots.set(secrets, new WeakMap());
  decodedSnapshots.get(secrets)!.set(configMaps, records);
  return records;
}
