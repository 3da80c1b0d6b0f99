/**
 * A probe timeout the student's deadline always cuts first can never take effect: `timeouts.http: 400`
 * under the default --student-timeout (300 s) made a hung app the deadline's error LG-003 (the student
 * incomplete) instead of the probe's fail LG-650. Such a config, or a --student-timeout too short for
 * the probes' default timeout, is refused naming the key and the value, before anyone is graded.
 */
import { describe, expect, it } from 'vitest';
import { defineCheck, pass, reasons } from '../core/check.js';
import type { ClassConfig } from '../core/config.js';
import type { ConfigError } from '../core/errors.js';
import { loadProfile } from '../core/profile.js';
import { collectedNotices } from '../test/support/notices.js';
import { grade, type GradeRequest } from './grading.js';

const graded: string[] = [];
const check = defineCheck({
  id: 'ex6.fake.graded',
  exercise: 6,
  title: () => 'Graded',
  points: { points: 1 },
  needs: [],
  dependsOn: [],
  reasons: reasons({}),
  async run(ctx) {
    graded.push(ctx.target.user);
    return pass('graded');
  },
});

const config = (timeoutsMs: ClassConfig['timeoutsMs']): ClassConfig => ({
  file: 'class.yaml',
  roster: [{ user: 'labuser01' }],
  resourceGroup: '{user}-rg',
  kubernetes: { source: 'azure' },
  network: { connectTo: {}, loopbackOnly: true },
  timeoutsMs,
});

async function refusal(request: Omit<GradeRequest, 'profile' | 'catalogue'>): Promise<{ file?: string; key?: string; graded: string[] }> {
  graded.length = 0;
  try {
    await grade({ ...request, profile: loadProfile(), catalogue: [check] }, { reporters: [], notices: collectedNotices() });
  } catch (err) {
    const e = err as ConfigError;
    expect(e.name).toBe('ConfigError');
    return { file: e.file, key: e.key, graded: [...graded] };
  }
  return { graded: [...graded] };
}

describe('probe timeouts the student deadline always cuts first', () => {
  it('timeouts.http above the default deadline is refused naming the config file and key, nobody graded', async () => {
    expect(await refusal({ config: config({ http: 400_000 }) })).toEqual({ file: 'class.yaml', key: 'timeouts.http', graded: [] });
    expect(await refusal({ config: config({ kube: 296_000 }) })).toEqual({ file: 'class.yaml', key: 'timeouts.kube', graded: [] });
  });

  it('the same value with a deadline long enough for it, or the --wait budget on top, is graded', async () => {
    expect(await refusal({ config: config({ http: 400_000 }), studentTimeoutSeconds: 405 })).toEqual({ graded: ['labuser01'] });
    expect(await refusal({ config: config({ http: 400_000 }), waitSeconds: 105, engine: { pollIntervalMs: 10 } })).toEqual({ graded: ['labuser01'] });
    expect(await refusal({ config: config({ kube: 295_000 }) })).toEqual({ graded: ['labuser01'] });
  });

  it('--student-timeout shorter than the default probe timeout is refused naming the flag; with short timeouts set it is graded', async () => {
    expect(await refusal({ config: config({}), studentTimeoutSeconds: 20 })).toEqual({ key: '--student-timeout', graded: [] });
    const short = { vm: 10_000, azure: 10_000, registry: 10_000, kube: 10_000, http: 10_000 };
    expect(await refusal({ config: config(short), studentTimeoutSeconds: 20 })).toEqual({ graded: ['labuser01'] });
    expect(await refusal({ config: config({ ...short, azure: 16_000 }), studentTimeoutSeconds: 20 })).toEqual({ file: 'class.yaml', key: 'timeouts.azure', graded: [] });
  });

  it('a deadline too short for any probe timeout says how long it must be, not a timeout below zero', async () => {
    const short = { vm: 10_000, azure: 10_000, registry: 10_000, kube: 10_000, http: 10_000 };
    const err = await grade({ config: config(short), studentTimeoutSeconds: 2, profile: loadProfile(), catalogue: [check] }, { reporters: [], notices: collectedNotices() }).then(
      () => undefined,
      (e: ConfigError) => e,
    );
    expect([err?.key, /use at most|raise --student-timeout to at least (\d+)/.exec(err?.message ?? '')?.[1]]).toEqual(['timeouts.vm', '15']);
  });
});
