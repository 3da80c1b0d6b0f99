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
import type { HelmReleaseRecord } from '../types.js';
import { messageAt, numberField, readMessage, stringField } from './protobuf.js';

/** A release payload is small; a bigger one is not a lab release (and must not exhaust memory). */
const MAX_RELEASE_BYTES = 32 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

const isGzip = (b: Buffer) => GZIP_MAGIC.every((m, i) => b[i] === m);
const gunzip = (b: Buffer) => gunzipSync(b, { maxOutputLength: MAX_RELEASE_BYTES });

/** Helm's own encoding (after the Secret's base64 is removed): base64, then gzip unless plain JSON. */
export function decodeHelmPayload(helmBase64: string): Buffer {
  const raw = Buffer.from(helmBase64, 'base64');
  return isGzip(raw) ? gunzip(raw) : raw;
}

function toValues(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function decodeHelm3Secret(secret: V1Secret): HelmReleaseRecord {
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
    const json = JSON.parse(decodeHelmPayload(Buffer.from(data, 'base64').toString('utf8')).toString('utf8'));
    const meta = json?.chart?.metadata ?? {};
    return {
      ...base,
      name: typeof json.name === 'string' ? json.name : base.name,
      version: typeof json.version === 'number' ? json.version : base.version,
      status: typeof json.info?.status === 'string' ? json.info.status.toLowerCase() : base.status,
      chartName: typeof meta.name === 'string' ? meta.name : undefined,
      chartVersion: typeof meta.version === 'string' ? meta.version : undefined,
      values: toValues(json.config),
    };
  } catch (err) {
    return { ...base, decodeError: `cannot decode the Helm 3 release: ${errorMessage(err)}` };
  }
}

/** hapi.release.Status.Code, for a ConfigMap whose labels lack STATUS. */
const HELM2_STATUS = ['unknown', 'deployed', 'deleted', 'superseded', 'failed', 'deleting', 'pending-install', 'pending-upgrade', 'pending-rollback'];

export function decodeHelm2ConfigMap(cm: V1ConfigMap): HelmReleaseRecord {
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
    // release.proto: name=1 info=2{status=1{code=1}} chart=3{metadata=1{name=1 version=4}} config=4{raw=1} version=7;
    // `namespace` stays the ConfigMap's own (kube-system), next to objectName.
    const rel = readMessage(decodeHelmPayload(data));
    const meta = messageAt(rel, [3, 1]);
    const raw = stringField(messageAt(rel, [4]), 1) ?? '';
    const code = numberField(messageAt(rel, [2, 1]), 1);
    return {
      ...base,
      name: stringField(rel, 1) || base.name,
      version: numberField(rel, 7) ?? base.version,
      status: base.status || HELM2_STATUS[code ?? 0] || 'unknown',
      chartName: stringField(meta, 1),
      chartVersion: stringField(meta, 4),
      values: raw.trim() ? toValues(parse(raw)) : {},
    };
  } catch (err) {
    return { ...base, decodeError: `cannot decode the Helm 2 release: ${errorMessage(err)}` };
  }
}

/** Every release record in a snapshot's Helm objects (only those Helm itself labelled). */
export function helmReleases(secrets: readonly V1Secret[], configMaps: readonly V1ConfigMap[]): HelmReleaseRecord[] {
  return [
    ...secrets.filter((s) => s.type === 'helm.sh/release.v1' || s.metadata?.labels?.owner === 'helm').map(decodeHelm3Secret),
    ...configMaps.filter((c) => c.metadata?.labels?.OWNER === 'TILLER').map(decodeHelm2ConfigMap),
  ];
}
