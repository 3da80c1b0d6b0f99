/** `lab-grade checks`: every check of the profile in force, with its points and title. */
import { ALL_CHECKS } from '../checks/index.js';
import { loadProfile } from '../core/profile.js';
import { orderCatalogue } from '../core/selection.js';
import type { ReporterOutput } from '../reporters/types.js';

export function listChecks(profileFile: string | undefined, stdout: ReporterOutput): number {
  const profile = loadProfile(profileFile, ALL_CHECKS);
  orderCatalogue(ALL_CHECKS);
  const rows = ALL_CHECKS.map((c) => {
    const p = profile.checks[c.id];
    return [c.id, p.bonus ? `+${p.bonus} bonus` : String(p.points), c.title(profile)];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([id, pts, title]) => `${id.padEnd(w0)}  ${pts.padStart(w1)}  ${title}`);
  const required = Object.values(profile.checks).reduce((s, p) => s + p.points, 0);
  const bonus = Object.values(profile.checks).reduce((s, p) => s + p.bonus, 0);
  stdout.write(`${lines.join('\n')}\n\n${ALL_CHECKS.length} checks: ${required} required points, up to ${Math.min(bonus, profile.bonusCap)} bonus; pass mark ${profile.passMark} %\n`);
  return 0;
}
