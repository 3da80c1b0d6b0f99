/**
 * Helm release records as Helm itself stores them (helm/helm pkg/storage/driver):
 * - Helm 3: Secret `sh.helm.release.v1.<name>.v<version>`, type helm.sh/release.v1, labels
 *   owner/name/status/version, data.release = base64(gzip(release JSON)) (+ the Secret API's own base64);
 * - Helm 2: ConfigMap `<name>.v<version>` in kube-system, labels OWNER=TILLER/NAME/STATUS/VERSION,
 *   data.release = base64(gzip(hapi.release.Release protobuf)).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import type { ScenarioHelmRelease } from '../scenario.js';
import type { KObj } from './manifests.js';
import { GREETINGS_CHART, GREETINGS_VALUES_YAML, greetingsValues } from './greetings-chart.js';

export interface HelmChart {
  name: string;
  version: string;
}

/** `greetings-0.3.0` → greetings / 0.3.0: the version is what follows the last dash before a digit. */
function splitChart(chart: string): HelmChart {
  const m = /^(.*)-(v?\d[^-]*(?:-[^-]+)*)$/.exec(chart);
  return m ? { name: m[1], version: m[2] } : { name: chart, version: '' };
}

/** The chart a release installed: its metadata and its own values (values.yaml, raw and parsed). */
export interface ReleasedChart {
  metadata: { name: string; version: string; description?: string; apiVersion?: string; appVersion?: string };
  values: Record<string, unknown>;
  valuesYaml: string;
}

/**
 * The chart behind `release.chart`: the lab's greetings chart (its real metadata and values.yaml)
 * unless the scenario gives `chartValues`; another chart has no values unless the scenario says.
 */
function releasedChart(release: ScenarioHelmRelease): ReleasedChart {
  const { name, version } = splitChart(release.chart);
  const greetings = name === GREETINGS_CHART.name;
  const metadata = greetings ? { ...GREETINGS_CHART, version } : { name, version };
  if (release.chartValues) return { metadata, values: release.chartValues, valuesYaml: Object.keys(release.chartValues).length ? stringify(release.chartValues) : '' };
  return greetings ? { metadata, values: greetingsValues(), valuesYaml: GREETINGS_VALUES_YAML } : { metadata, values: {}, valuesYaml: '' };
}

/** Helm 3's release JSON (pkg/release Release, pkg/chart Chart): Go's field order, `omitempty` where Helm has it. */
function helm3ReleaseJson(release: ScenarioHelmRelease, namespace: string, deployedAt: string, manifest: string, revision = 1): Record<string, unknown> {
  const chart = releasedChart(release);
  const m = chart.metadata;
  return {
    name: release.name,
    info: { first_deployed: deployedAt, last_deployed: deployedAt, deleted: '', description: 'Install complete', status: release.status },
    chart: {
      metadata: {
        name: m.name,
        version: m.version,
        ...(m.description ? { description: m.description } : {}),
        ...(m.apiVersion ? { apiVersion: m.apiVersion } : {}),
        ...(m.appVersion ? { appVersion: m.appVersion } : {}),
      },
      lock: null,
      templates: [],
      values: chart.values,
      schema: null,
      files: null,
    },
    ...(Object.keys(release.values).length ? { config: release.values } : {}),
    manifest,
    version: revision,
    namespace,
  };
}

/** The Secret's `data.release`: base64 of the bytes Helm writes, which are themselves base64(gzip(json)). */
function helm3SecretData(releaseJson: Record<string, unknown>): string {
  const helmBytes = gzipSync(Buffer.from(JSON.stringify(releaseJson))).toString('base64');
  return Buffer.from(helmBytes).toString('base64');
}

// ---- a minimal protobuf writer: enough for hapi.release.Release ----
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}
const field = (no: number, wire: 0 | 2, payload: Buffer): Buffer =>
  wire === 0 ? Buffer.concat([varint((no << 3) | 0), payload]) : Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
const str = (no: number, s: string): Buffer => (s ? field(no, 2, Buffer.from(s)) : Buffer.alloc(0));
const msg = (no: number, ...parts: Buffer[]): Buffer => field(no, 2, Buffer.concat(parts));
const int = (no: number, n: number): Buffer => (n ? field(no, 0, varint(n)) : Buffer.alloc(0));
const timestamp = (no: number, iso: string): Buffer => msg(no, int(1, Math.floor(Date.parse(iso) / 1000)));

const HELM2_STATUS: Record<string, number> = { unknown: 0, deployed: 1, deleted: 2, superseded: 3, failed: 4, deleting: 5, 'pending-install': 6, 'pending-upgrade': 7, 'pending-rollback': 8 };

/**
 * hapi.release.Release (release.proto: name=1 info=2 chart=3 config=4 manifest=5 version=7 namespace=8);
 * hapi.chart.Chart: metadata=1 values=4 (Config: raw=1, the values.yaml text); Metadata: name=1
 * version=4 description=5 apiVersion=10 appVersion=13.
 */
export function helm2ReleaseProto(release: ScenarioHelmRelease, namespace: string, deployedAt: string, manifest: string, revision = 1): Buffer {
  const chart = releasedChart(release);
  const m = chart.metadata;
  const status = HELM2_STATUS[release.status.toLowerCase().replace(/_/g, '-')] ?? 0;
  return Buffer.concat([
    str(1, release.name),
    msg(2, msg(1, int(1, status)), timestamp(2, deployedAt), timestamp(3, deployedAt)),
    msg(3, msg(1, str(1, m.name), str(4, m.version), str(5, m.description ?? ''), str(10, m.apiVersion ?? ''), str(13, m.appVersion ?? '')), msg(4, str(1, chart.valuesYaml))),
    msg(4, str(1, Object.keys(release.values).length ? stringify(release.values) : '')),
    str(5, manifest),
    int(7, revision),
    str(8, namespace),
  ]);
}

export function helm2ConfigMapData(proto: Buffer): string {
  return gzipSync(proto).toString('base64');
}

/**
 * The objects Helm keeps a release in, one per revision (`revisions`, default 1: Helm keeps 10 by
 * default, tiller all), as `kubectl get -o json` shows them (less the server's uid and
 * resourceVersion): Helm 3's Secrets in the release's namespace (`default` in the lab), Helm 2's
 * ConfigMaps in kube-system. Every revision but the newest is superseded, as an upgrade leaves it.
 */
export function helmRecords(release: ScenarioHelmRelease, deployedAt: string, manifest = ''): KObj[] {
  const newest = release.revisions ?? 1;
  const rendered = release.manifestBytes === undefined ? manifest : paddedManifest(release.manifestBytes, release.name);
  return Array.from({ length: newest }, (_, i) => helmRecord(i + 1 < newest ? { ...release, status: 'superseded' } : release, deployedAt, rendered, i + 1));
}

/**
 * A rendered manifest of `bytes` that gzip shrinks little (a chart's large CRDs as gzip leaves them, so
 * the record weighs about `bytes`), the same on every run.
 */
function paddedManifest(bytes: number, seed: string): string {
  const parts: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const part = createHash('sha512').update(`${seed}/${i}`).digest('base64');
    parts.push(part);
    size += part.length;
  }
  return parts.join('').slice(0, bytes);
}

/** One revision's object (see helmRecords). */
export function helmRecord(release: ScenarioHelmRelease, deployedAt: string, manifest = '', revision = 1): KObj {
  const namespace = 'default';
  if (release.helm === 3) {
    return {
      apiVersion: 'v1',
      data: { release: helm3SecretData(helm3ReleaseJson(release, namespace, deployedAt, manifest, revision)) },
      kind: 'Secret',
      metadata: {
        name: `sh.helm.release.v1.${release.name}.v${revision}`,
        namespace,
        creationTimestamp: deployedAt,
        labels: { modifiedAt: String(Date.parse(deployedAt) / 1000), name: release.name, owner: 'helm', status: release.status, version: String(revision) },
      },
      type: 'helm.sh/release.v1',
    };
  }
  return {
    apiVersion: 'v1',
    data: { release: helm2ConfigMapData(helm2ReleaseProto(release, namespace, deployedAt, manifest, revision)) },
    kind: 'ConfigMap',
    metadata: {
      name: `${release.name}.v${revision}`,
      namespace: 'kube-system',
      creationTimestamp: deployedAt,
      labels: { NAME: release.name, OWNER: 'TILLER', STATUS: release.status.toUpperCase(), VERSION: String(revision) },
    },
  };
}
