/**
 * The order of checks/index.ts is the report order only: the engine orders the real catalogue by what
 * each check waits for, so the built-in class graded with the catalogue listed backwards gets the same
 * verdicts, read in registry order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../app/grading.js';
import { NO_NOTICES } from '../../app/io.js';
import { ALL_CHECKS, CHECK_IDS } from '../../checks/index.js';
import type { CheckDef } from '../../core/check.js';
import type { StudentResult } from '../../core/model.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadBuiltInClass } from '../../sandbox/scenario.js';
import { verdictsOf } from '../support/class.js';

// A failing app answer is retried for 5 s by default; short here, the same for both runs.
const runtime = { minHttpRetryMs: 300 };

describe('the real catalogue listed in any order', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(loadBuiltInClass(CHECK_IDS));
    // Two loaded cores: generous probe timeouts, so a slow answer is never mistaken for a verdict.
    sandbox.config.timeoutsMs = { vm: 30_000, azure: 30_000, registry: 30_000, kube: 30_000, http: 30_000 };
  }, 60_000);
  afterAll(() => sandbox?.stop());

  const graded = async (catalogue: readonly CheckDef[]) => {
    const { run } = await grade({ config: sandbox.config, catalogue, concurrency: 11, runtime }, { reporters: [], notices: NO_NOTICES });
    return run.students;
  };
  /** Each student's checks read in registry order, whatever order the run listed them in. */
  const inRegistryOrder = (students: readonly StudentResult[]) => verdictsOf(students.map((s) => ({ ...s, checks: [...s.checks].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id)) })));

  it('grades the built-in class with ALL_CHECKS reversed exactly as in registry order', async () => {
    const inOrder = await graded(ALL_CHECKS);
    const reversed = await graded([...ALL_CHECKS].reverse());
    expect(inOrder.map((s) => s.checks.map((c) => c.id))).toEqual(inOrder.map(() => [...CHECK_IDS]));
    expect(reversed.map((s) => s.user)).toEqual(inOrder.map((s) => s.user));
    expect(inRegistryOrder(reversed)).toEqual(inRegistryOrder(inOrder));
  }, 180_000);
});
