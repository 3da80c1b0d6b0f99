/**
 * `lab-grade checks`: every check of the lab profile in force — `--profile FILE`, else the profile of
 * the class config (`-c FILE`, or ./lab-grade.yaml when there is one), else the built-in one — with its
 * points, whether it is on, and its title; `-r json` adds each check's reason codes with their summaries.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ALL_CHECKS } from '../checks/index.js';
import { reasonSummary } from '../core/check.js';
import { ConfigError } from '../core/errors.js';
import { readYamlFile } from '../core/fields.js';
import { loadProfile, type LabProfile } from '../core/profile.js';
import { resolveUserPath } from '../core/paths.js';
import { orderCatalogue } from '../core/selection.js';
import type { ReporterOutput } from '../reporters/types.js';

export interface ChecksListRequest {
  /** --profile: a lab profile file. */
  profile?: string;
  /** -c: the class config whose profile is in force. */
  config?: string;
  format: 'console' | 'json';
  /** Where ./lab-grade.yaml is looked for. */
  cwd?: string;
}

/** Where the profile in force comes from: said above the list, so nobody reads another profile's points. */
function profileInForce(r: ChecksListRequest): { file?: string; from: string } {
  if (r.profile) return { file: r.profile, from: 'given with --profile' };
  const config = r.config ?? (existsSync(resolve(r.cwd ?? '.', 'lab-grade.yaml')) ? 'lab-grade.yaml' : undefined);
  if (!config) return { from: 'no class config names another' };
  // Only the profile key is read: listing checks needs no credentials.
  const doc = readYamlFile(resolve(r.cwd ?? '.', config)) as { profile?: unknown } | null;
  const named = doc?.profile;
  if (named === undefined || named === null) return { from: `${config} names none` };
  if (typeof named !== 'string' || named === '') throw new ConfigError('expected the path of a lab profile file', config, 'profile');
  return { file: resolveUserPath(named, dirname(resolve(r.cwd ?? '.', config))), from: `the profile of ${config}` };
}

export function listChecks(request: ChecksListRequest, stdout: ReporterOutput): number {
  const source = profileInForce(request);
  const profile = loadProfile(source.file, ALL_CHECKS);
  const checks = orderCatalogue(ALL_CHECKS).map((c) => ({
    id: c.id,
    exercise: c.exercise,
    title: c.title(profile),
    points: profile.checks[c.id].points,
    bonus: profile.checks[c.id].bonus,
    enabled: profile.checks[c.id].enabled,
    reasons: Object.values(c.reasons).map((r) => ({ code: r.code, summary: reasonSummary(r, profile.expect) })),
  }));
  const on = checks.filter((c) => c.enabled);
  const totals = {
    required: on.reduce((s, c) => s + c.points, 0),
    bonus: Math.min(
      on.reduce((s, c) => s + c.bonus, 0),
      profile.bonusCap,
    ),
  };
  if (request.format === 'json') {
    const doc = { profile: { file: source.file ?? null, builtIn: !source.file, lab: profile.lab, title: profile.title, passMark: profile.passMark, bonusCap: cap(profile) }, totals, checks };
    stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  const rows = checks.map((c) => [c.id, !c.enabled ? 'off' : c.bonus ? `+${c.bonus} bonus` : String(c.points), c.title]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([id, pts, title]) => `${id.padEnd(w0)}  ${pts.padStart(w1)}  ${title}`);
  const off = checks.length - on.length;
  stdout.write(
    `Lab profile: ${source.file ?? `the built-in one (${profile.lab})`}, ${source.from}\n\n${lines.join('\n')}\n\n` +
      `${on.length} checks${off ? ` (${off} switched off)` : ''}: ${totals.required} required points, up to ${totals.bonus} bonus; pass mark ${profile.passMark} %\n`,
  );
  return 0;
}

const cap = (p: LabProfile) => (Number.isFinite(p.bonusCap) ? p.bonusCap : null);
