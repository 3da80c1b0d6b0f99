/**
 * Helm release records nested far deeper than any chart: a Helm 3 Secret whose JSON nests 200 000
 * levels exhausted the stack of the code that walks the values ("Maximum call stack size exceeded",
 * `error` LG-001: the student was never graded). Nesting is bounded by a linear scan before parsing;
 * a record over the bound is undecodable with the bound's reason, and a release that cannot be read is
 * the student's to install again: ex7.helm.registry is a `fail` LG-711, never an `error`.
 */
import { gzipSync } from 'node:zlib';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndReport } from '../../app/report-run.js';
import { NO_NOTICES } from '../../app/io.js';
import type { CheckResult } from '../../core/model.js';
import { decodeHelm2ConfigMap, decodeHelm3Secret, HELM_DECODE_LIMITS } from '../../probes/kube/helm-release.js';
import { helm2ConfigMapData, helm2ReleaseProto } from '../../sandbox/kube/helm.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { gradeRequest, hostileScenario, timed } from './support.js';

const DEPTH = 200_000;

/** The lab's release with its values and config nested `depth` levels deep, as Helm 3 stores it. */
function deepSecret(depth = DEPTH): V1Secret {
  const json = `{"name":"greetings","info":{"status":"deployed"},"chart":{"metadata":{"name":"greetings","version":"0.3.0"},"values":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}},"config":${'{"registry":'.repeat(depth)}"x"${'}'.repeat(depth)},"version":1}`;
  const helm = gzipSync(Buffer.from(json)).toString('base64');
  return {
    metadata: { name: 'sh.helm.release.v1.greetings.v1', namespace: 'default', labels: { owner: 'helm', name: 'greetings', status: 'deployed', version: '1' } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helm).toString('base64') },
  };
}

describe('nesting is bounded before a release record is parsed', () => {
  it('a Helm 3 record nested 200 000 deep is undecodable, with the bound as the reason', () => {
    const record = decodeHelm3Secret(deepSecret());
    expect(record).toMatchObject({ name: 'greetings', version: 1, status: 'deployed' });
    expect(record.decodeError).toBe(`cannot decode the Helm 3 release: its JSON nests deeper than ${HELM_DECODE_LIMITS.maxDepth} levels (the lab's nests a few)`);
    expect(record.values).toBeUndefined();
  });

  it('a record at the bound still decodes (brackets inside strings do not count)', () => {
    // The release, its chart and the values object are three levels: the values may nest to the bound.
    const record = decodeHelm3Secret(deepSecret(HELM_DECODE_LIMITS.maxDepth - 3));
    expect(record.decodeError).toBeUndefined();
    const quoted = deepSecret(1);
    const json = `{"name":"greetings","info":{"status":"deployed"},"chart":{"metadata":{"name":"greetings"}},"config":{"registry":"${'[{'.repeat(10_000)}"},"version":1}`;
    quoted.data!.release = Buffer.from(gzipSync(Buffer.from(json)).toString('base64')).toString('base64');
    expect(decodeHelm3Secret(quoted)).toMatchObject({ values: { registry: '[{'.repeat(10_000) } });
  });

  it('Helm 2 values nested 140 deep are undecodable, with the bound as the reason', () => {
    let values: Record<string, unknown> = { registry: 'x' };
    for (let i = 0; i < 140; i++) values = { a: values };
    const cm: V1ConfigMap = {
      metadata: { name: 'wobbly-panda.v1', namespace: 'kube-system', labels: { NAME: 'wobbly-panda', OWNER: 'TILLER', STATUS: 'DEPLOYED', VERSION: '1' } },
      data: {
        release: helm2ConfigMapData(helm2ReleaseProto({ name: 'wobbly-panda', chart: 'greetings-0.3.0', helm: 2, status: 'deployed', values, tiller: true }, 'default', '2026-11-29T10:00:00Z', '')),
      },
    };
    expect(decodeHelm2ConfigMap(cm).decodeError).toBe(`cannot decode the Helm 2 release: its values nest deeper than ${HELM_DECODE_LIMITS.maxDepth} levels (the lab's nest two)`);
  });
});

describe('the deep release graded through the CLI path (hostile/helm-deep)', () => {
  let sandbox: Sandbox;
  let by: Record<string, CheckResult>;
  beforeAll(async () => {
    sandbox = await startSandbox([hostileScenario('helm-deep')]);
    const request = gradeRequest({ only: ['ex7'], reports: [{ format: 'json' }] });
    const out = await timed(30_000, () => gradeAndReport(sandbox.config, request, { stdout: { write: () => {}, color: false, isTTY: false }, notices: NO_NOTICES }));
    by = Object.fromEntries(out.value.run.students[0].checks.map((c) => [c.id, c]));
  }, 40_000);
  afterAll(() => sandbox?.stop());

  it('the release is found, and its values are a fail LG-711 the student fixes by installing again', () => {
    expect(by['ex7.helm.release'].status).toBe('pass');
    expect(by['ex7.helm.registry']).toMatchObject({ status: 'fail', code: 'LG-711', outcome: 'needs-fix' });
    expect(by['ex7.helm.registry'].evidence).toMatchObject({ release: 'greetings', helm: 3, object: 'default/sh.helm.release.v1.greetings.v1' });
  });
});
