/**
 * Helm release records from the student's cluster: a Secret holds base64(gzip(JSON)), and a 32 KB gzip
 * inflates to 32 MiB. Each release is inflated only up to a cap, and all the releases of one snapshot
 * share one budget: an over-cap release is reported as undecodable with the reason (never a crash or a
 * huge allocation), and the lab's release still decodes beside junk. Helm 2 keeps the values as YAML
 * text: its size is bounded too, so a release of short keys cannot cost seconds of parsing.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { decodeHelm2ConfigMap, decodeHelm3Secret, HELM_DECODE_LIMITS, helmReleases } from '../../probes/kube/helm-release.js';
import { helm2ConfigMapData, helm2ReleaseProto } from '../../sandbox/kube/helm.js';
import { yamlWorkOf } from '../support/yaml-work.js';

vi.mock('yaml', async (original) => (await import('../support/yaml-work.js')).countingYaml(await original()));
vi.mock('node:zlib', async (original) => {
  const real = await original<typeof import('node:zlib')>();
  return { ...real, gunzipSync: vi.fn(real.gunzipSync) };
});

const MiB = 1024 * 1024;

const LAB_RELEASE = {
  name: 'greetings',
  info: { status: 'deployed' },
  chart: { metadata: { name: 'greetings', version: '0.3.0' } },
  config: { registry: 'labuser07acr.azurecr.io' },
  version: 1,
};

/** The lab's release with a manifest of `padBytes` spaces: gzip makes ~1 000 bytes of them into one. */
function payload(padBytes: number, release: object = LAB_RELEASE): Buffer {
  const json = JSON.stringify({ ...release, manifest: '' });
  const out = Buffer.alloc(json.length + padBytes, ' ');
  const cut = json.length - 2; // before the manifest's closing `"}`
  out.write(json.slice(0, cut), 0);
  out.write(json.slice(cut), cut + padBytes);
  return gzipSync(out, { level: 9 });
}

/** As Helm 3 stores a release and the Secret API returns it: base64 of Helm's own base64 of the gzip. */
function secret(gzip: Buffer, version: number, status = 'deployed', name = 'greetings'): V1Secret {
  return {
    metadata: { name: `sh.helm.release.v1.${name}.v${version}`, namespace: 'default', labels: { owner: 'helm', name, status, version: String(version) } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(gzip.toString('base64')).toString('base64') },
  };
}

/** Peak resident memory of the process (a high-water mark, so synchronous work is seen too), in bytes. */
const maxRss = () => process.resourceUsage().maxRSS * 1024;

describe('Helm release records are inflated within a cap', () => {
  it('a 32 KB gzip that inflates to 31 MiB is undecodable with the reason, without being inflated whole', () => {
    const bomb = payload(31 * MiB);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = maxRss();
    const t0 = performance.now();
    vi.mocked(gunzipSync).mockClear();
    const record = decodeHelm3Secret(secret(bomb, 3));
    expect(record).toMatchObject({ name: 'greetings', version: 3, status: 'deployed' });
    expect(record.decodeError).toBe(`cannot decode the Helm 3 release: it inflates to more than ${HELM_DECODE_LIMITS.maxReleaseBytes / MiB} MiB (the lab's is a few KB)`);
    expect(record.chartName).toBeUndefined();
    // zlib was told to stop at the cap, and stopped there: at most 4 MiB of the 31 were inflated.
    expect(vi.mocked(gunzipSync).mock.calls.map(([, options]) => options)).toEqual([{ maxOutputLength: HELM_DECODE_LIMITS.maxReleaseBytes }]);
    expect(vi.mocked(gunzipSync).mock.results[0]).toMatchObject({ type: 'throw', value: { code: 'ERR_BUFFER_TOO_LARGE' } });
    expect(maxRss() - before).toBeLessThan(32 * MiB);
    // Only against a hang: the cap above is the bound.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('16 releases under the per-release cap share one budget per snapshot: the rest are undecodable, memory stays bounded', () => {
    const big = payload(3 * MiB);
    const secrets = Array.from({ length: 16 }, (_, i) => secret(big, i + 1));
    const before = maxRss();
    const records = helmReleases(secrets, []);
    const decoded = records.filter((r) => !r.decodeError);
    const refused = records.filter((r) => r.decodeError);
    expect(decoded.length).toBe(Math.floor(HELM_DECODE_LIMITS.maxSnapshotBytes / (3 * MiB)));
    expect(decoded.every((r) => r.chartName === 'greetings')).toBe(true);
    expect(refused.length).toBe(16 - decoded.length);
    for (const r of refused) {
      expect(r.decodeError).toBe(`cannot decode the Helm 3 release: the cluster's Helm records together inflate to more than ${HELM_DECODE_LIMITS.maxSnapshotBytes / MiB} MiB`);
    }
    expect(maxRss() - before).toBeLessThan(64 * MiB);
  });

  it('the deployed release is decoded first, so junk releases cannot use up the budget before it', () => {
    const junk = payload(3 * MiB);
    const secrets = [...Array.from({ length: 15 }, (_, i) => secret(junk, i + 1, 'superseded')), secret(payload(0), 16, 'deployed')];
    const records = helmReleases(secrets, []);
    expect(records.find((r) => r.objectName === 'sh.helm.release.v1.greetings.v16')).toMatchObject({ status: 'deployed', chartName: 'greetings', values: { registry: 'labuser07acr.azurecr.io' } });
    expect(records.filter((r) => r.decodeError)).toHaveLength(15 - Math.floor(HELM_DECODE_LIMITS.maxSnapshotBytes / (3 * MiB)));
    expect(records.map((r) => r.objectName)).toEqual(secrets.map((s) => s.metadata!.name)); // reported in the snapshot's order
  });

  it("the lab's small release is decoded before other deployed charts that inflate to a few MiB each (a monitoring stack's CRDs)", () => {
    const charts = Array.from({ length: 5 }, (_, i) => {
      const name = `monitoring${i}`;
      return secret(payload(Math.round(3.2 * MiB), { ...LAB_RELEASE, name, chart: { metadata: { name, version: '45.0.0' } }, version: 10 }), 10, 'deployed', name);
    });
    const records = helmReleases([...charts, secret(payload(0), 1)], []);
    expect(records.at(-1)).toMatchObject({ name: 'greetings', status: 'deployed', chartName: 'greetings', values: { registry: 'labuser07acr.azurecr.io' } });
    expect(records.at(-1)!.decodeError).toBeUndefined();
  });

  it('one snapshot is decoded once, however many checks ask', () => {
    const snapshot = { helmSecrets: [secret(payload(0), 1)], helmConfigMaps: [] };
    const first = helmReleases(snapshot.helmSecrets, snapshot.helmConfigMaps);
    expect(helmReleases(snapshot.helmSecrets, snapshot.helmConfigMaps)).toBe(first);
    expect(helmReleases([...snapshot.helmSecrets], snapshot.helmConfigMaps)).not.toBe(first); // another snapshot
  });
});

describe('Helm 2 values (YAML text inside the release)', () => {
  const configMap = (values: Record<string, unknown>): V1ConfigMap => ({
    metadata: { name: 'wobbly-panda.v1', namespace: 'kube-system', labels: { NAME: 'wobbly-panda', OWNER: 'TILLER', STATUS: 'DEPLOYED', VERSION: '1' } },
    data: {
      release: helm2ConfigMapData(
        helm2ReleaseProto({ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, status: 'deployed', values, tiller: true }, 'default', '2026-11-29T10:00:00Z', 'manifest'),
      ),
    },
  });

  it('30 000 short keys of values are undecodable at once, with the reason', () => {
    const values = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i.toString(36)}`, 1]));
    const cm = configMap(values);
    const t0 = performance.now();
    const { result: record, documents, tokens } = yamlWorkOf(() => decodeHelm2ConfigMap(cm));
    expect(record).toMatchObject({ name: 'wobbly-panda', status: 'deployed' });
    expect(record.decodeError).toBe(`cannot decode the Helm 2 release: its values are more than ${HELM_DECODE_LIMITS.maxValuesBytes / 1024} KiB of YAML (the lab's are a few lines)`);
    // Parsing 30 000 keys of YAML takes seconds; refused by size, the values are neither parsed nor scanned.
    expect({ documents, tokens }).toEqual({ documents: 0, tokens: 0 });
    // Only against a hang: the counts above are the bound.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("the lab's values still decode", () => {
    expect(decodeHelm2ConfigMap(configMap({ registry: 'labuser03acr.azurecr.io', myapp: { versionTag: 'v1.0' } })).values).toEqual({
      registry: 'labuser03acr.azurecr.io',
      myapp: { versionTag: 'v1.0' },
    });
  });
});
