/**
 * Students for the live-workshop tests: results with every check of the lab, in lab order, built
 * from the checks' real registry (ids, exercises, titles, dependencies) and scored by the real scorer.
 * A student is described by what passes; a check whose dependency did not pass is `blocked` by the
 * root cause, as the engine reports it.
 */
import { ALL_CHECKS } from '../../checks/index.js';
import type { CheckResult, Status, StudentResult } from '../../core/model.js';
import { loadProfile, type LabProfile } from '../../core/profile.js';
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

/**
 * A student whose checks in `passing` pass; every other check fails (or is blocked, when a dependency
 * did not pass), unless `overrides` says otherwise. `ex6.selfheal` and `ex7.tiller` are skipped, as in a
 * class run without --allow-disruptive on Helm 3.
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
    const check: CheckResult & { code?: string } = {
      id: def.id,
      exercise: def.exercise,
      title: def.title,
      status,
      ...pointsFor(def.id, status, PROFILE),
      message: override?.message ?? messageFor(def.id, status, blockedBy),
      ...(status === 'fail' ? { hint: override?.hint ?? `Exercise ${def.exercise}: do what the lab says for ${def.id}` } : {}),
      evidence: override?.evidence ?? (status === 'pass' ? { seen: `${def.id} at pass` } : {}),
      ...(blockedBy ? { blockedBy } : {}),
      ...(override?.code ? { code: override.code } : {}),
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
