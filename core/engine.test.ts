import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineCheck, fail, pass, reasons, type CheckDef, type Verdict } from './check.js';
import { checkDeadlineMs, gradeStudent as gradeSelected, timeoutBeyondDeadline, type EngineOptions, type StudentEnvironment } from './engine.js';
import type { LabProfile } from './profile.js';
import type { ProbeKind } from './model.js';
import { ENGINE_REASONS } from './reasons.js';
import { exitCodeFor } from './score.js';
import { selectChecks, type Selection } from './selection.js';
import { profileWith } from '../test/support/profile.js';
import type { KubeProbe } from '../probes/types.js';

const target = { user: 'labuser01', resourceGroup: 'labuser01-rg' };
const R = reasons({ failed: ['LG-901', 'a test failure'] });

/** The engine over a catalogue, selected as the grading application selects it. */
const gradeStudent = (t: typeof target, catalogue: CheckDef[], env: StudentEnvironment, profile: LabProfile, options: EngineOptions & { only?: string[] } = {}) =>
  gradeSelected(t, selectChecks(catalogue, options.only), env, profile, options);
const failing = (message: string, hint: string, evidence = {}, outcome: 'needs-fix' | 'not-ready' = 'not-ready'): Verdict => fail(R.failed, message, hint, { evidence, outcome });

/** A fake kube probe that counts calls and can hang. */
function fakeKube(opts: { hang?: boolean; podsReadyAfterCalls?: number } = {}) {
  const calls = { snapshot: 0, reach: 0 };
  const kube = {
    description: 'fake',
    async reach() {
      calls.reach++;
      if (opts.hang) await new Promise(() => {});
      return { server: 'https://127.0.0.1', gitVersion: 'v1.30.4' };
    },
    async snapshot() {
      calls.snapshot++;
      const ready = calls.snapshot > (opts.podsReadyAfterCalls ?? 0);
      return { pods: ready ? [{ status: { phase: 'Running' } }] : [{ status: { phase: 'Pending' } }] };
    },
  } as unknown as KubeProbe;
  return { kube, calls };
}

const check = (id: string, run: CheckDef['run'], more: Partial<CheckDef> = {}): CheckDef => ({
  id,
  exercise: Number(id.slice(2, 3)),
  title: () => `title of ${id}`,
  points: { points: 1 },
  needs: [],
  dependsOn: [],
  reasons: {},
  run,
  ...more,
});

describe('engine', () => {
  it('blocks dependents of a failed check, naming the root cause once', async () => {
    const catalogue = [
      check('ex3.a', async () => failing('no cluster', 'Exercise 3 step 2')),
      check('ex3.b', async () => pass('never runs'), { dependsOn: ['ex3.a'] }),
      check('ex3.c', async () => pass('never runs'), { dependsOn: ['ex3.b'] }),
      check('ex4.d', async () => pass('independent')),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.a': 2, 'ex3.b': 1, 'ex3.c': 1, 'ex4.d': 2 }));
    const by = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(by['ex3.a']).toMatchObject({ status: 'fail', code: 'LG-901', outcome: 'not-ready', hint: 'Exercise 3 step 2' });
    expect(by['ex3.b'].code).toBeUndefined();
    expect(by['ex3.b']).toMatchObject({ status: 'blocked', blockedBy: 'ex3.a', points: 0, maxPoints: 1 });
    expect(by['ex3.c']).toMatchObject({ status: 'blocked', blockedBy: 'ex3.a' });
    expect(by['ex3.c'].message).toContain('ex3.a');
    expect(by['ex4.d'].status).toBe('pass');
    expect(result).toMatchObject({ score: 2, maxScore: 6, status: 'graded' });
  });

  it('turns a throwing check into error without stopping the others, and marks the student incomplete', async () => {
    const catalogue = [
      check('ex1.boom', async () => {
        throw new TypeError('cannot read properties of undefined');
      }),
      check('ex1.ok', async () => pass('fine')),
      check('ex1.after', async () => pass('x'), { dependsOn: ['ex1.boom'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex1.boom': 1, 'ex1.ok': 1, 'ex1.after': 1 }));
    const by = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(by['ex1.boom']).toMatchObject({ status: 'error', code: ENGINE_REASONS.crashed.code });
    expect(by['ex1.boom'].message).toContain('cannot read properties of undefined');
    expect(by['ex1.ok'].status).toBe('pass');
    expect(by['ex1.after']).toMatchObject({ status: 'blocked', blockedBy: 'ex1.boom' });
    expect(result.status).toBe('incomplete');
    expect(exitCodeFor([result])).toBe(3);
  });

  it('cuts a hanging probe at its timeout and reports error', async () => {
    const { kube } = fakeKube({ hang: true });
    const catalogue = [check('ex5.reach', async (ctx) => pass(`answered ${(await ctx.probes.kube!.reach()).gitVersion}`), { needs: ['kube'] })];
    const t0 = Date.now();
    const { result } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex5.reach': 0 }), {
      probeTimeoutMs: { kube: 150 },
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result.checks[0]).toMatchObject({ status: 'error', code: ENGINE_REASONS.kube.code });
    expect(result.checks[0].message).toMatch(/kube probe \(reach\) timed out after 150 ms/);
  });

  it('fetches shared data once for every check that needs it', async () => {
    const { kube, calls } = fakeKube();
    const uses = (id: string) => check(id, async (ctx) => pass(`${(await ctx.probes.kube!.snapshot()).pods.length} pods`), { needs: ['kube'] });
    const catalogue = [uses('ex6.a'), uses('ex6.b'), uses('ex6.c'), uses('ex6.d')];
    const { result, stats } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex6.a': 1, 'ex6.b': 1, 'ex6.c': 1, 'ex6.d': 1 }));
    expect(result.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(calls.snapshot).toBe(1);
    expect(stats.calls['kube.snapshot']).toBe(1);
  });

  it('skips a check whose probe is unavailable, with the line that makes it reachable', async () => {
    const catalogue = [check('ex1.vm', async () => pass('x'), { needs: ['vm'] }), check('ex1.next', async () => pass('runs'), { dependsOn: ['ex1.vm'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: {}, unavailable: { vm: 'run lab-grade --local on your VM' } }, profileWith({ 'ex1.vm': 1, 'ex1.next': 1 }));
    expect(result.checks[0]).toMatchObject({ status: 'skipped', code: ENGINE_REASONS.unavailable.code, message: 'run lab-grade --local on your VM' });
    // A skipped dependency does not block: self-checks grade what they can reach.
    expect(result.checks[1].status).toBe('pass');
  });

  it('under --wait polls a failing check until it passes, with fresh reads', async () => {
    const { kube, calls } = fakeKube({ podsReadyAfterCalls: 2 });
    const catalogue = [
      check(
        'ex5.pod',
        async (ctx) => {
          const phase = (await ctx.probes.kube!.snapshot()).pods[0].status?.phase;
          return phase === 'Running' ? pass('Running') : failing(`pod is ${phase}`, 'wait');
        },
        { needs: ['kube'] },
      ),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex5.pod': 2 }), { waitMs: 2_000, pollIntervalMs: 50 });
    expect(result.checks[0].status).toBe('pass');
    expect(calls.snapshot).toBe(3);
  });

  it('under --wait stops at the budget and keeps the last mismatch', async () => {
    const { kube, calls } = fakeKube({ podsReadyAfterCalls: 1_000 });
    const catalogue = [check('ex5.pod', async (ctx) => failing(`pod is ${(await ctx.probes.kube!.snapshot()).pods[0].status?.phase} (read ${calls.snapshot})`, 'wait'), { needs: ['kube'] })];
    const t0 = Date.now();
    const { result } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex5.pod': 2 }), { waitMs: 400, pollIntervalMs: 100 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    // Far below the 100 s that reading until ready would take; room for a busy machine.
    expect(elapsed).toBeLessThan(5_000);
    expect(result.checks[0].status).toBe('fail');
    expect(calls.snapshot).toBeGreaterThanOrEqual(3);
    expect(result.checks[0].message).toBe(`pod is Pending (read ${calls.snapshot})`);
  });

  it('does not poll a final failure', async () => {
    let runs = 0;
    const catalogue = [check('ex2.ports', async () => (runs++, failing('8080:8080', 'step 4', {}, 'needs-fix')))];
    await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex2.ports': 2 }), { waitMs: 1_000, pollIntervalMs: 20 });
    expect(runs).toBe(1);
  });

  it('runs independent checks in parallel', async () => {
    let running = 0;
    let most = 0;
    // Each check yields to the event loop once before it finishes: run one after another, no two overlap.
    const counted = (id: string) =>
      check(id, async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setImmediate(r));
        running--;
        return pass('ok');
      });
    await gradeStudent(target, [counted('ex6.a'), counted('ex6.b'), counted('ex6.c'), counted('ex6.d')], { probes: {} }, profileWith({ 'ex6.a': 1, 'ex6.b': 1, 'ex6.c': 1, 'ex6.d': 1 }));
    expect(most).toBe(4);
  });

  it('honours `after` ordering without blocking on the status', async () => {
    const order: string[] = [];
    const catalogue = [
      // It yields to the event loop before it finishes: a check started beside it would run first.
      check('ex6.e2e', async () => (await new Promise((r) => setImmediate(r)), order.push('e2e'), failing('no', 'x'))),
      check('ex6.replicas', async () => (order.push('replicas'), pass('ok')), { after: ['ex6.e2e'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.e2e': 3, 'ex6.replicas': 1 }));
    expect(order).toEqual(['e2e', 'replicas']);
    expect(result.checks[1].status).toBe('pass');
  });

  it('skips disruptive checks unless allowed', async () => {
    const catalogue = [check('ex6.heal', async () => pass('deleted and replaced'), { disruptive: true })];
    const profile = profileWith({ 'ex6.heal': { bonus: 1 } });
    const off = await gradeStudent(target, catalogue, { probes: {} }, profile);
    expect(off.result.checks[0]).toMatchObject({ status: 'skipped', code: ENGINE_REASONS.disruptive.code });
    expect(off.result.checks[0].message).toContain('--allow-disruptive');
    const on = await gradeStudent(target, catalogue, { probes: {} }, profile, { allowDisruptive: true });
    expect(on.result.checks[0]).toMatchObject({ status: 'pass', points: 1, bonus: true });
    expect(on.result.bonus).toBe(1);
  });

  it('says a disruptive check was not asked for, rather than blocked, when its dependency fails too', async () => {
    const catalogue = [check('ex6.dep', async () => failing('no Deployment', 'Exercise 6')), check('ex6.heal', async () => pass('never runs'), { disruptive: true, dependsOn: ['ex6.dep'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.dep': 1, 'ex6.heal': { bonus: 1 } }));
    expect(result.checks[1]).toMatchObject({ status: 'skipped', code: ENGINE_REASONS.disruptive.code });
    expect(result.checks[1].blockedBy).toBeUndefined();
  });

  describe('a failure caused by another check (causedBy)', () => {
    const cause = (verdict: () => Promise<Verdict>) => check('ex6.deploy', verdict);
    // Its own finding advises a fix that is not the next step while the cause fails.
    const effect = (more: Partial<CheckDef> = { after: ['ex6.deploy'] }) =>
      check('ex6.svc', async () => fail(R.failed, 'no ready endpoints: check API_BASE_URL', 'Exercise 6: make the pods Ready', { evidence: { endpoints: 0 }, causedBy: 'ex6.deploy' }), more);
    const profile = profileWith({ 'ex6.deploy': 2, 'ex6.svc': 1 });
    const grade = async (catalogue: CheckDef[]) => Object.fromEntries((await gradeStudent(target, catalogue, { probes: {} }, profile)).result.checks.map((c) => [c.id, c]));

    it('is blocked by it when the cause did not pass, its own finding kept as evidence and its advice out of the message', async () => {
      const by = await grade([cause(async () => failing('image not pushed', 'Exercise 4')), effect()]);
      expect(by['ex6.svc']).toMatchObject({ status: 'blocked', blockedBy: 'ex6.deploy', points: 0, evidence: { endpoints: 0, finding: 'no ready endpoints: check API_BASE_URL' } });
      expect(by['ex6.svc'].code).toBeUndefined();
      expect(by['ex6.svc'].hint).toBeUndefined();
      expect(by['ex6.svc'].message).toBe('blocked by ex6.deploy (title of ex6.deploy)');
    });

    it('is blocked by the root when the cause was itself blocked', async () => {
      const by = await grade(
        [check('ex4.push', async () => failing('not pushed', 'Exercise 4')), cause(async () => pass('never runs')), effect()].map((c) =>
          c.id === 'ex6.deploy' ? { ...c, dependsOn: ['ex4.push'] } : c,
        ),
      );
      expect(by['ex6.deploy']).toMatchObject({ status: 'blocked', blockedBy: 'ex4.push' });
      expect(by['ex6.svc']).toMatchObject({ status: 'blocked', blockedBy: 'ex4.push' });
    });

    it('stays its own failure, with its code, when the cause passed', async () => {
      const by = await grade([cause(async () => pass('3/3 ready')), effect()]);
      expect(by['ex6.svc']).toMatchObject({ status: 'fail', code: 'LG-901', hint: 'Exercise 6: make the pods Ready' });
      expect(by['ex6.svc'].blockedBy).toBeUndefined();
    });

    it('is the grader error LG-001 when the check names a cause it neither depends on nor runs after', async () => {
      const by = await grade([cause(async () => failing('image not pushed', 'Exercise 4')), effect({})]);
      expect(by['ex6.svc']).toMatchObject({
        status: 'error',
        code: ENGINE_REASONS.crashed.code,
        message: expect.stringContaining('names ex6.deploy as a cause without depending on it or running after it'),
      });
    });
  });

  it('reports only --only checks but runs their dependencies', async () => {
    const ran: string[] = [];
    const catalogue = [
      check('ex5.reach', async () => (ran.push('reach'), pass('ok'))),
      check('ex6.svc', async () => (ran.push('svc'), pass('ok')), { dependsOn: ['ex5.reach'] }),
      check('ex6.other', async () => (ran.push('other'), pass('ok'))),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex5.reach': 0, 'ex6.svc': 2, 'ex6.other': 1 }), { only: ['ex6.svc'] });
    expect(ran.sort()).toEqual(['reach', 'svc']);
    expect(result.checks.map((c) => c.id)).toEqual(['ex6.svc']);
    expect(result.maxScore).toBe(2);
  });

  it('redacts registered secrets from messages and evidence', async () => {
    const { Secret } = await import('./secret.js');
    const pw = new Secret('S3cr3t-admin-password', 'acr password');
    const catalogue = [check('ex4.x', async () => failing(`login with ${pw.reveal()} refused`, 'hint', { password: 'whatever', seen: `user:${pw.reveal()}` }))];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex4.x': 1 }));
    const text = JSON.stringify(result);
    expect(text).not.toContain('S3cr3t-admin-password');
    expect(result.checks[0].evidence).toEqual({ password: '[redacted]', seen: 'user:[redacted]' });
  });

  it('ends the student at the deadline with errors, not a hang', async () => {
    const catalogue = [check('ex6.slow', () => new Promise(() => {}))];
    const t0 = Date.now();
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.slow': 1 }), { studentDeadlineMs: 200 });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(result.checks[0]).toMatchObject({ status: 'error', code: ENGINE_REASONS.deadline.code });
    expect(result.checks[0].message).toContain('deadline');
  });
});

describe('scoring and exit codes', () => {
  it('follows the rubric totals: required over required, bonus apart and capped, pass mark', async () => {
    const catalogue = [
      check('ex6.a', async () => pass('ok')),
      check('ex6.b', async () => failing('no', 'x')),
      check('ex7.bonus1', async () => pass('ok')),
      check('ex7.bonus2', async () => pass('ok')),
    ];
    const profile = profileWith({ 'ex6.a': 7, 'ex6.b': 3, 'ex7.bonus1': { bonus: 2 }, 'ex7.bonus2': { bonus: 2 } }, { bonusCap: 3, passMark: 70 });
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profile);
    expect(result).toMatchObject({ score: 7, maxScore: 10, bonus: 3, percent: 70, passed: true, status: 'graded' });
    expect(exitCodeFor([result])).toBe(0);
    const below = { ...result, percent: 69.9, passed: false };
    expect(exitCodeFor([result, below])).toBe(1);
    expect(exitCodeFor([below, { ...result, status: 'incomplete' as const }])).toBe(3);
  });
});

describe('the check contract', () => {
  it('grades a catalogue listed in any order: a check before its dependency and its fact provider still grades', async () => {
    const seen: string[] = [];
    const catalogue = [
      check('ex6.user', async (ctx) => (seen.push('user'), pass(`cluster ${ctx.fact('cluster')?.chosen.name}`)), { dependsOn: ['ex5.reach'], uses: ['cluster'] }),
      check('ex5.reach', async () => (seen.push('reach'), pass('ok')), { dependsOn: ['ex3.found'] }),
      check('ex3.found', async () => (seen.push('found'), pass('found', {}, { facts: { cluster: { chosen: { name: 'aks07' } as never, candidates: ['aks07'], reason: 'the only one' } } })), {
        provides: ['cluster'],
      }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.user': 1, 'ex5.reach': 0, 'ex3.found': 2 }));
    expect(seen).toEqual(['found', 'reach', 'user']);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['ex3.found', 'pass'],
      ['ex5.reach', 'pass'],
      ['ex6.user', 'pass'],
    ]);
    expect(result.checks[2].message).toBe('cluster aks07');
    // Facts are for checks, not reports.
    expect(JSON.stringify(result)).not.toContain('the only one');
  });

  it('a check that reads a fact it did not declare is an error naming both', async () => {
    const catalogue = [
      check('ex3.found', async () => pass('found', {}, { facts: { cluster: { chosen: { name: 'aks07' } as never, candidates: [], reason: '' } } }), { provides: ['cluster'] }),
      check('ex6.sneaky', async (ctx) => pass(String(ctx.fact('cluster'))), { after: ['ex3.found'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.found': 1, 'ex6.sneaky': 1 }));
    expect(result.checks[1]).toMatchObject({ status: 'error', code: ENGINE_REASONS.crashed.code });
    expect(result.checks[1].message).toContain('ex6.sneaky reads fact cluster without declaring it');
  });

  it('titles come from the profile the run uses', async () => {
    const catalogue = [check('ex3.nodes', async () => pass('ok'), { title: (p) => `The cluster has ${p.expect.nodes} nodes` })];
    const base = profileWith({ 'ex3.nodes': 1 });
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, { ...base, expect: { ...base.expect, nodes: 5 } });
    expect(result.checks[0].title).toBe('The cluster has 5 nodes');
  });

  it('memoises reads only: writes and fresh pod lists reach the probe on every call', async () => {
    let deletes = 0;
    let lists = 0;
    let snapshots = 0;
    const kube = {
      description: 'fake',
      snapshot: async () => (snapshots++, { pods: [] }),
      listPods: async () => (lists++, []),
      deletePod: async () => void deletes++,
    } as unknown as KubeProbe;
    const catalogue = [
      check(
        'ex6.heal',
        async (ctx) => {
          for (let i = 0; i < 3; i++) {
            await ctx.probes.kube!.snapshot();
            await ctx.probes.kube!.listPods('default', 'app=myapi');
            await ctx.probes.kube!.deletePod('default', 'myapi-1');
          }
          return pass('ok');
        },
        { needs: ['kube'] },
      ),
    ];
    const { stats } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex6.heal': 1 }));
    expect({ snapshots, lists, deletes }).toEqual({ snapshots: 1, lists: 3, deletes: 3 });
    expect(stats.calls).toEqual({ 'kube.snapshot': 1, 'kube.listPods': 3, 'kube.deletePod': 3 });
  });
});

describe('dependencies and ordering', () => {
  it('names the root cause and its title in the message of every blocked check', async () => {
    const catalogue = [
      check('ex3.a', async () => failing('no cluster', 'x')),
      check('ex3.b', async () => pass('no'), { dependsOn: ['ex3.a'] }),
      check('ex3.c', async () => pass('no'), { dependsOn: ['ex3.b'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.a': 1, 'ex3.b': 1, 'ex3.c': 1 }));
    expect(result.checks.map((c) => c.message)).toEqual(['no cluster', 'blocked by ex3.a (title of ex3.a)', 'blocked by ex3.a (title of ex3.a)']);
  });

  it('a check that uses a fact waits for its provider, even without depending on it', async () => {
    const catalogue = [
      check(
        'ex3.found',
        () => new Promise<Verdict>((r) => setTimeout(() => r(pass('found', {}, { facts: { cluster: { chosen: { name: 'aks07' } as never, candidates: ['aks07'], reason: '' } } })), 30)),
        {
          provides: ['cluster'],
        },
      ),
      check('ex6.user', async (ctx) => pass(`cluster ${ctx.fact('cluster')?.chosen.name}`), { uses: ['cluster'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.found': 1, 'ex6.user': 1 }));
    expect(result.checks[1]).toMatchObject({ status: 'pass', message: 'cluster aks07' });
  });

  it('a check that uses the fact it provides itself does not wait for itself', { timeout: 5_000 }, async () => {
    const catalogue = [check('ex3.found', async (ctx) => pass(`before: ${ctx.fact('cluster')}`), { provides: ['cluster'], uses: ['cluster'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.found': 1 }));
    expect(result.checks[0]).toMatchObject({ status: 'pass', message: 'before: undefined' });
  });

  it('a check to follow outside the selection neither blocks nor breaks the check', async () => {
    let ran = false;
    const catalogue = [check('ex3.a', async () => ((ran = true), failing('never runs', 'x'))), check('ex6.b', async () => pass('graded'), { after: ['ex3.a'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.a': 1, 'ex6.b': 1 }), { only: ['ex6.b'] });
    expect(result.checks).toMatchObject([{ id: 'ex6.b', status: 'pass', message: 'graded' }]);
    expect(ran).toBe(false);
  });

  it('grades a catalogue listing checks before what they wait for: the selection orders them', async () => {
    const catalogue = [
      check('ex6.c', async (ctx) => pass(`uses ${ctx.fact('cluster')?.chosen.name}`), { uses: ['cluster'], after: ['ex6.b'] }),
      check('ex6.b', async () => failing('no Service', 'Exercise 6'), { dependsOn: ['ex6.a'] }),
      check('ex6.a', async () => pass('found', {}, { facts: { cluster: { chosen: { name: 'aks07' } as never, candidates: ['aks07'], reason: '' } } }), { provides: ['cluster'] }),
    ];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.a': 1, 'ex6.b': 1, 'ex6.c': 1 }));
    expect(result.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['ex6.a', 'pass', 'found'],
      ['ex6.b', 'fail', 'no Service'],
      ['ex6.c', 'pass', 'uses aks07'],
    ]);
  });

  it('takes only an ordered selection: a hand-built run does not type-check', () => {
    const [a, b] = [check('ex6.a', async () => pass('ok')), check('ex6.b', async () => pass('ok'), { dependsOn: ['ex6.a'] })];
    // @ts-expect-error b before a: only orderCatalogue and selectChecks make an OrderedChecks
    const handBuilt: Selection = { run: [b, a], report: new Set(['ex6.a', 'ex6.b']) };
    expect(selectChecks([b, a]).run).toEqual([a, b]);
    expect(handBuilt.run).toHaveLength(2);
  });

  it("types ctx.probes.kube as present only for a check that lists 'kube' in needs (tsc checks the @ts-expect-error)", async () => {
    const scratch = { exercise: 6, title: () => 'probes by needs', points: { points: 1 }, dependsOn: [], reasons: {} };
    const withoutKube = defineCheck({
      ...scratch,
      id: 'ex6.without',
      needs: [],
      async run(ctx) {
        // @ts-expect-error kube may be absent: this check does not list 'kube' in needs
        const kube: KubeProbe = ctx.probes.kube;
        return pass(kube === undefined ? 'no cluster for this student' : 'a cluster');
      },
    });
    const withKube = defineCheck({
      ...scratch,
      id: 'ex6.with',
      needs: ['kube'],
      async run(ctx) {
        const kube: KubeProbe = ctx.probes.kube;
        return pass(`the API at ${(await kube.reach()).server} answers`);
      },
    });
    const { result } = await gradeStudent(target, [withoutKube, withKube], { probes: {} }, profileWith({ 'ex6.without': 1, 'ex6.with': 1 }));
    expect(result.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['ex6.without', 'pass', 'no cluster for this student'],
      ['ex6.with', 'skipped', 'no kube access configured for this student'],
    ]);
  });

  it('tells onCheckResult only of the reported checks, not the dependencies pulled in', async () => {
    const told: string[] = [];
    const catalogue = [check('ex5.reach', async () => pass('ok')), check('ex6.svc', async () => pass('ok'), { dependsOn: ['ex5.reach'] })];
    await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex5.reach': 0, 'ex6.svc': 1 }), { only: ['ex6.svc'], onCheckResult: (r) => void told.push(r.id) });
    expect(told).toEqual(['ex6.svc']);
  });

  it('without an unavailable line, says which probe this student has no access to', async () => {
    const { result } = await gradeStudent(target, [check('ex1.vm', async () => pass('x'), { needs: ['vm'] })], { probes: {} }, profileWith({ 'ex1.vm': 1 }));
    expect(result.checks[0]).toMatchObject({ status: 'skipped', code: ENGINE_REASONS.unavailable.code, message: 'no vm access configured for this student' });
  });
});

describe('causedBy, more cases', () => {
  const profile = profileWith({ 'ex6.ok': 1, 'ex6.deploy': 1, 'ex6.svc': 1 });
  const grade = async (catalogue: CheckDef[]) => (await gradeStudent(target, catalogue, { probes: {} }, profile, { allowDisruptive: false })).result.checks.find((c) => c.id === 'ex6.svc')!;

  it('with several candidates, is blocked by the first that did not pass', async () => {
    const svc = check('ex6.svc', async () => fail(R.failed, 'no endpoints', 'x', { causedBy: ['ex6.ok', 'ex6.deploy'] }), { after: ['ex6.ok', 'ex6.deploy'] });
    const by = await grade([check('ex6.ok', async () => pass('ok')), check('ex6.deploy', async () => failing('not pushed', 'x')), svc]);
    expect(by).toMatchObject({ status: 'blocked', blockedBy: 'ex6.deploy', message: 'blocked by ex6.deploy (title of ex6.deploy)', evidence: { finding: 'no endpoints' } });
  });

  it('stays its own failure when the cause was skipped (not run is not a cause)', async () => {
    const svc = check('ex6.svc', async () => fail(R.failed, 'no endpoints', 'x', { causedBy: 'ex6.deploy' }), { after: ['ex6.deploy'] });
    const by = await grade([check('ex6.deploy', async () => pass('never runs'), { disruptive: true }), svc]);
    expect(by).toMatchObject({ status: 'fail', code: 'LG-901', message: 'no endpoints' });
  });

  it('a pass naming a cause stays a pass, whatever the cause did', async () => {
    const svc = check('ex6.svc', async () => ({ status: 'pass', message: 'ok anyway', causedBy: 'ex6.deploy' }));
    const by = await grade([check('ex6.deploy', async () => failing('not pushed', 'x')), svc]);
    expect(by).toMatchObject({ status: 'pass', message: 'ok anyway' });
  });
});

describe('results and their fields', () => {
  const one = async (run: CheckDef['run'], options: EngineOptions = {}) => (await gradeStudent(target, [check('ex2.x', run)], { probes: {} }, profileWith({ 'ex2.x': 2 }), options)).result.checks[0];

  it('a pass carries no code, outcome nor blockedBy', async () => {
    expect(await one(async () => pass('fine'))).toStrictEqual({
      id: 'ex2.x',
      exercise: 2,
      title: 'title of ex2.x',
      status: 'pass',
      points: 2,
      maxPoints: 2,
      bonus: false,
      message: 'fine',
      evidence: {},
      durationMs: expect.any(Number),
    });
  });

  it('a failure without an outcome is not-ready, with its code, found and expected', async () => {
    const r = await one(async () => ({ status: 'fail', code: 'LG-901', message: 'port 80', hint: 'step 4', found: '80', expected: '8080' }));
    expect(r).toMatchObject({ status: 'fail', code: 'LG-901', outcome: 'not-ready', hint: 'step 4', found: '80', expected: '8080', points: 0 });
  });

  it('a blocked check carries blockedBy and no code nor outcome', async () => {
    const catalogue = [check('ex3.a', async () => failing('no', 'x')), check('ex3.b', async () => pass('no'), { dependsOn: ['ex3.a'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex3.a': 1, 'ex3.b': 1 }));
    expect(Object.keys(result.checks[1]).sort()).toEqual(['blockedBy', 'bonus', 'durationMs', 'evidence', 'exercise', 'id', 'maxPoints', 'message', 'points', 'status', 'title']);
  });

  it('gives the check its options: allowDisruptive, the wait budget and the nonce', async () => {
    const options = async (o: EngineOptions) => (await one(async (ctx) => pass(JSON.stringify(ctx.options)), o)).message;
    expect(await options({ nonce: 'n0nce' })).toBe('{"allowDisruptive":false,"waitMs":0,"nonce":"n0nce"}');
    expect(await options({ nonce: 'n0nce', allowDisruptive: true })).toBe('{"allowDisruptive":true,"waitMs":0,"nonce":"n0nce"}');
    expect(JSON.parse(await options({})).nonce).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a check over its own time bound is LG-002, naming the check and the bound', async () => {
    const r = await one(() => new Promise(() => {}), { checkTimeoutMs: 50 });
    expect(r).toMatchObject({ status: 'error', code: ENGINE_REASONS.timeout.code, message: 'could not grade: check ex2.x timed out after 50 ms' });
  });

  it('a probe error keeps the probe and its detail as evidence', async () => {
    const { kube } = fakeKube({ hang: true });
    const catalogue = [check('ex5.reach', async (ctx) => pass(String(await ctx.probes.kube!.reach())), { needs: ['kube'] })];
    const { result } = await gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex5.reach': 0 }), { probeTimeoutMs: { kube: 30 } });
    expect(result.checks[0]).toMatchObject({ status: 'error', code: ENGINE_REASONS.kube.code, evidence: { probe: 'kube', timeoutMs: 30 } });
  });
});

describe("a check's deadline", () => {
  const needing = (...needs: ProbeKind[]) => check('ex6.x', async () => pass('ok'), { needs });
  const timeouts: Record<string, number> = { kube: 10_000, http: 70_000 };

  it('is the time bound for a check that needs no probe', () => {
    expect(checkDeadlineMs(needing(), 60_000, (kind) => timeouts[kind])).toBe(60_000);
  });

  it("is each probe's timeout added up, and the check's own work, when that is above the bound", () => {
    expect(checkDeadlineMs(needing('kube', 'http'), 60_000, (kind) => timeouts[kind])).toBe(85_000);
    expect(checkDeadlineMs(needing('kube'), 60_000, (kind) => timeouts[kind])).toBe(60_000);
    expect(checkDeadlineMs(needing('kube', 'http'), 600_000, (kind) => timeouts[kind])).toBe(600_000);
  });
});

describe('time, under fake timers', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_025 }));
  afterEach(() => void vi.useRealTimers());
  const after = (ms: number, verdict: Verdict) => new Promise<Verdict>((r) => setTimeout(() => r(verdict), ms));

  it('measures each check and the student', async () => {
    const grading = gradeStudent(target, [check('ex2.x', () => after(40, pass('ok')))], { probes: {} }, profileWith({ 'ex2.x': 1 }));
    await vi.advanceTimersByTimeAsync(40);
    const { result } = await grading;
    expect(result.checks[0].durationMs).toBe(40);
    expect(result.durationMs).toBe(40);
  });

  it("a check's own deadline leaves room for each of its probes to time out once", async () => {
    const catalogue = [
      check('ex5.slow', () => after(5_500, pass('ok')), { needs: ['kube'] }),
      check('ex5.hung', () => new Promise(() => {}), { needs: ['kube'] }),
      check('ex2.hung', () => new Promise(() => {})),
    ];
    const { kube } = fakeKube();
    const grading = gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex5.slow': 1, 'ex5.hung': 1, 'ex2.hung': 1 }), { checkTimeoutMs: 1_000, probeTimeoutMs: { kube: 1_000 } });
    await vi.advanceTimersByTimeAsync(6_000);
    const by = Object.fromEntries((await grading).result.checks.map((c) => [c.id, c]));
    expect(by['ex5.slow']).toMatchObject({ status: 'pass', durationMs: 5_500 });
    expect(by['ex5.hung']).toMatchObject({ status: 'error', code: ENGINE_REASONS.timeout.code, durationMs: 6_000 });
    expect(by['ex2.hung']).toMatchObject({ status: 'error', code: ENGINE_REASONS.timeout.code, durationMs: 1_000 });
  });

  it('the deadline is the student bound plus the wait budget', async () => {
    let signal: AbortSignal | undefined;
    const catalogue = [check('ex6.slow', (ctx) => ((signal = ctx.signal), new Promise(() => {})))];
    const grading = gradeStudent(target, catalogue, { probes: {} }, profileWith({ 'ex6.slow': 1 }), { studentDeadlineMs: 1_000, waitMs: 500 });
    await vi.advanceTimersByTimeAsync(1_499);
    expect(signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal!.aborted).toBe(true);
    const { result } = await grading;
    expect(result.checks[0]).toMatchObject({ status: 'error', code: ENGINE_REASONS.deadline.code, message: "could not grade: the student's deadline of 1 s was reached" });
  });

  it('a finished student is not aborted later by its deadline', async () => {
    let signal: AbortSignal | undefined;
    await gradeStudent(target, [check('ex2.x', async (ctx) => ((signal = ctx.signal), pass('ok')))], { probes: {} }, profileWith({ 'ex2.x': 1 }), { studentDeadlineMs: 100 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(signal!.aborted).toBe(false);
  });

  it('under --wait: first attempts share the student snapshot, each poll round one fresh read, and onWaiting hears of each non-final failure', async () => {
    const { kube, calls } = fakeKube({ podsReadyAfterCalls: 1 });
    const waiting: string[][] = [];
    const reader = (id: string, more: Partial<CheckDef> = {}) =>
      check(
        id,
        async (ctx) => {
          const phase = (await ctx.probes.kube!.snapshot()).pods[0].status?.phase;
          return phase === 'Running' ? pass('Running') : failing(`pod is ${phase}`, 'wait');
        },
        { needs: ['kube'], ...more },
      );
    const catalogue = [
      reader('ex6.a'),
      check('ex6.quick', () => after(50, pass('ok'))),
      check('ex6.slow', () => after(150, pass('ok'))),
      reader('ex6.d', { after: ['ex6.quick'] }),
      reader('ex6.b', { after: ['ex6.slow'] }),
    ];
    const grading = gradeStudent(target, catalogue, { probes: { kube } }, profileWith({ 'ex6.a': 1, 'ex6.quick': 1, 'ex6.slow': 1, 'ex6.d': 1, 'ex6.b': 1 }), {
      waitMs: 1_000,
      pollIntervalMs: 100,
      onWaiting: (...args) => void waiting.push(args),
    });
    await vi.advanceTimersByTimeAsync(400);
    const { result } = await grading;
    expect(result.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    // Read 1 at t=0 (round 0, also what d at t=50 and b at t=150 first see); read 2 at t=100 (round 2: a, then d at t=150); read 3 at t=250 (round 3: b).
    expect(calls.snapshot).toBe(3);
    expect(waiting).toEqual([
      ['labuser01', 'ex6.a', 'pod is Pending'],
      ['labuser01', 'ex6.d', 'pod is Pending'],
      ['labuser01', 'ex6.b', 'pod is Pending'],
    ]);
  });

  it('without --wait a not-ready failure is final: no polling, no onWaiting', async () => {
    const waiting: string[] = [];
    const grading = gradeStudent(target, [check('ex5.pod', async () => failing('pod is Pending', 'wait'))], { probes: {} }, profileWith({ 'ex5.pod': 1 }), {
      onWaiting: (_u, id) => void waiting.push(id),
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await grading).result.checks[0].status).toBe('fail');
    expect(waiting).toEqual([]);
  });
});

describe('probe timeouts and the student deadline', () => {
  it('names the first probe whose timeout, plus a check’s own work, outlasts the deadline and the --wait budget', () => {
    expect(timeoutBeyondDeadline({ http: 295_000 }, 300_000)).toBeUndefined();
    expect(timeoutBeyondDeadline({ http: 295_001 }, 300_000)).toEqual({ kind: 'http', ms: 295_001, configured: true, maxMs: 295_000 });
    expect(timeoutBeyondDeadline({ http: 395_000 }, 300_000, 100_000)).toBeUndefined();
    expect(timeoutBeyondDeadline({ vm: 1_000, azure: 1_000, registry: 1_000, kube: 1_000 }, 20_000)).toEqual({ kind: 'http', ms: 30_000, configured: false, maxMs: 15_000 });
    expect(timeoutBeyondDeadline({}, 35_000)).toBeUndefined();
  });
});
