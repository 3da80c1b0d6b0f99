/**
 * Students for the live-workshop tests: results with every check of the lab, in lab order, built
 * from the checks' real registry (ids, exercises, titles, dependencies) and scored by the real scorer.
 * A student is described by what passes; a check whose dependency did not pass is `blocked` by the
 * root cause, as the engine reports it.
 */
import { absentReasonCodes } from '../../app/reasons.js';
import { ALL_CHECKS } from '../../checks/index.js';
import type { CheckDef } from '../../core/check.js';
import type { CheckResult, Status, StudentResult } from '../../core/model.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
import type { AbsentCode } from '../../core/progress.js';
import { pointsFor, scoreStudent } from '../../core/score.js';

export const PROFILE: LabProfile = loadProfile();

/** Check ids in lab order. */
export const IDS = ALL_CHECKS.map((c) => c.id);

export interface CheckOverride {
  status: Status;
  message?: string;
  hint?: string;
  evidence?: Record<string, unknown>;
  /** A reason code, as later graders add them. */
  code?: string;
}

/** Reason codes that say the thing is not there at all, as `lab-grade live` reads them (app/live.ts). */
export const ABSENT: AbsentCode = absentReasonCodes();

/**
 * The code a check fails with when nobody has done its step yet, as the real check reports it: its
 * reason saying the thing is not there, or else its first reason.
 */
const notDoneCode = (def: CheckDef): string | undefined => (Object.values(def.reasons).find((r) => r.absent) ?? Object.values(def.reasons)[0])?.code;

/**
 * A student whose checks in `passing` pass; every other check fails with the code of its step not done
 * yet (or is blocked, when a dependency did not pass), unless `overrides` says otherwise (an overridden
 * failure has the code it gives, or none). `ex6.selfheal` and `ex7.tiller` are skipped, as in a class
 * run without --allow-disruptive on Helm 3.
 */
export function student(user: string, passing: Iterable<string>, overrides: Record<string, Status | CheckOverride> = {}): StudentResult {
  const passes = new Set(passing);
  const byId = new Map<string, CheckResult>();
  for (const def of ALL_CHECKS) {
    const o = overrides[def.id];
    const override: CheckOverride | undefined = typeof o === 'string' ? { status: o } : o;
    let status: Status = override?.status ?? (passes.has(def.id) ? 'pass' : def.id === 'ex6.selfheal' || def.id === 'ex7.tiller' ? 'skipped' : 'fail');
    let blockedBy: string | undefined;
    if (!override && status === 'fail') {
      const failedDep = def.dependsOn.map((d) => byId.get(d)).find((d) => d && d.status !== 'pass' && d.status !== 'skipped');
      if (failedDep) {
        status = 'blocked';
        blockedBy = failedDep.blockedBy ?? failedDep.id;
      }
    }
    const code = override ? override.code : status === 'fail' ? notDoneCode(def) : undefined;
    const check: CheckResult & { code?: string } = {
      id: def.id,
      exercise: def.exercise,
      title: def.title(PROFILE),
      status,
      ...pointsFor(def.id, status, PROFILE),
      message: override?.message ?? messageFor(def.id, status, blockedBy),
      ...(status === 'fail' ? { hint: override?.hint ?? `Exercise ${def.exercise}: do what the lab says for ${def.id}` } : {}),
      evidence: override?.evidence ?? (status === 'pass' ? { seen: `${def.id} at pass` } : {}),
      ...(blockedBy ? { blockedBy } : {}),
      ...(code ? { code } : {}),
      durationMs: 10,
    };
    byId.set(def.id, check);
  }
  return scoreStudent(user, [...byId.values()], PROFILE, 100);
}

function messageFor(id: string, status: Status, blockedBy?: string): string {
  if (status === 'pass') return `${id} passes`;
  if (status === 'blocked') return `blocked by ${blockedBy}`;
  if (status === 'error') return `${id}: the API server did not answer in 20 s`;
  if (status === 'skipped') return `${id}: not applicable`;
  return `${id} not found`;
}

/** The first `n` checks in lab order pass (the rest fail or are blocked). */
export const firstPassing = (n: number): string[] => IDS.slice(0, n);

/** Every check of the given exercises. */
export const exercisesPassing = (...exercises: number[]): string[] => ALL_CHECKS.filter((c) => exercises.includes(c.exercise)).map((c) => c.id);

/** `2025-03-01T10:MM:00.000Z` for minute offsets from 10:00 UTC. */
export const at = (minutes: number): string => new Date(Date.UTC(2025, 2, 1, 10, 0, 0) + minutes * 60_000).toISOString();

const WITHOUT_SELFHEAL = (ids: string[]) => ids.filter((id) => id !== 'ex6.selfheal');
const UP_TO = (n: number) => WITHOUT_SELFHEAL(exercisesPassing(...Array.from({ length: n }, (_, i) => i + 1)));

/** One student's result per round (undefined: not graded that round). */
type Trajectory = Array<StudentResult | undefined>;

/**
 * A workshop of twelve, graded in four rounds twelve minutes apart: fast and slow students, one stuck
 * on the compose ports, one whose VM did not answer at first, one whose Services Exercise 7 step 2 tore
 * down, one with the wrong node count, one never graded.
 */
export function workshop(): { roster: string[]; rounds: Array<Array<{ round: number; at: string; student: StudentResult }>> } {
  const roster = Array.from({ length: 12 }, (_, i) => `labuser${String(i + 1).padStart(2, '0')}`);
  const portsWrong = {
    'ex2.compose.ports': {
      status: 'fail' as const,
      message: 'app publishes 8080:8080; the lab wants host port 80 to container port 8080',
      hint: 'Exercise 2 step 4: set ports to "80:8080" under service app and run docker-compose up again',
      code: 'LG-226',
    },
  };
  const tornDown = {
    'ex6.myapp.service': {
      status: 'fail' as const,
      message: 'Service myapp not found in namespace default',
      hint: 'Exercise 7 step 2 deleted it: re-apply myapp.yaml, or finish the Helm install (helm install greetings . --set registry=…)',
      code: 'LG-631',
    },
  };
  const twoNodes = {
    'ex3.cluster.nodes': { status: 'fail' as const, message: 'the cluster has 2 nodes; the lab wants 3', hint: 'Exercise 3 step 2: az aks scale --node-count 3', code: 'LG-322' },
  };
  const vmDown = { 'ex1.vm.reachable': { status: 'error' as const, message: 'SSH to labuser04-vm:22 timed out after 20 s' } };
  const s = (user: string, passing: string[], overrides: Record<string, Status | CheckOverride> = {}) => student(user, passing, overrides);
  const trajectories: Record<string, Trajectory> = {
    labuser01: [s('labuser01', UP_TO(2)), s('labuser01', UP_TO(4)), s('labuser01', UP_TO(6)), s('labuser01', [...UP_TO(6).filter((id) => !/service|e2e/.test(id)), 'ex7.helm.release'], tornDown)],
    labuser02: [
      s('labuser02', UP_TO(1)),
      s(
        'labuser02',
        UP_TO(2).filter((id) => id !== 'ex2.compose.ports'),
        portsWrong,
      ),
      s(
        'labuser02',
        UP_TO(2).filter((id) => id !== 'ex2.compose.ports'),
        portsWrong,
      ),
      s(
        'labuser02',
        UP_TO(2).filter((id) => id !== 'ex2.compose.ports'),
        portsWrong,
      ),
    ],
    labuser03: [s('labuser03', UP_TO(3)), s('labuser03', [...UP_TO(3), 'ex4.registry.exists', 'ex4.registry.admin']), s('labuser03', UP_TO(4)), s('labuser03', UP_TO(5))],
    labuser04: [s('labuser04', [], vmDown), s('labuser04', [], vmDown), s('labuser04', UP_TO(2)), s('labuser04', UP_TO(3))],
    labuser05: [undefined, undefined, undefined, undefined],
    labuser06: [
      s('labuser06', UP_TO(2)),
      s('labuser06', ['ex3.cluster.exists', 'ex3.cluster.healthy', ...UP_TO(2)], twoNodes),
      s('labuser06', ['ex3.cluster.exists', 'ex3.cluster.healthy', ...UP_TO(2)], twoNodes),
      s('labuser06', ['ex3.cluster.exists', 'ex3.cluster.healthy', ...UP_TO(2), 'ex4.registry.exists'], twoNodes),
    ],
    labuser07: [s('labuser07', UP_TO(3)), s('labuser07', UP_TO(5)), s('labuser07', UP_TO(6)), s('labuser07', UP_TO(7))],
    labuser08: [s('labuser08', ['ex1.vm.reachable']), s('labuser08', UP_TO(1)), s('labuser08', UP_TO(1)), s('labuser08', UP_TO(1))],
    labuser09: [s('labuser09', UP_TO(2)), s('labuser09', UP_TO(3)), s('labuser09', UP_TO(4)), s('labuser09', [...UP_TO(4), 'ex5.kube.reachable', 'ex5.pull.authorized'])],
    labuser10: [
      s('labuser10', UP_TO(3)),
      s('labuser10', UP_TO(5)),
      s('labuser10', [...UP_TO(5), 'ex6.myapp.deployment', 'ex6.myapi.deployment', 'ex6.myapi.service']),
      s(
        'labuser10',
        UP_TO(6).filter((id) => id !== 'ex6.app.e2e'),
      ),
    ],
    labuser11: [s('labuser11', UP_TO(1)), s('labuser11', UP_TO(2)), s('labuser11', UP_TO(3)), s('labuser11', UP_TO(3))],
    labuser12: [undefined, s('labuser12', UP_TO(2)), s('labuser12', UP_TO(4)), s('labuser12', UP_TO(5))],
  };
  const rounds = [0, 1, 2, 3].map((r) =>
    roster.flatMap((user, i) => {
      const result = trajectories[user][r];
      return result ? [{ round: r + 1, at: at(r * 12 + i * 0.25), student: result }] : [];
    }),
  );
  return { roster, rounds };
}
