/** `lab-grade history`: the student's recorded self-checks, as a table or as JSON. */
import type { Argv } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { historyFile, readHistory } from '../../core/history.js';
import { renderHistory } from '../../reporters/checklist.js';
import type { ReporterOutput } from '../../reporters/types.js';
import { stdoutOutput } from '../reporter-spec.js';

export function historyOptions<T>(y: Argv<T>) {
  return y
    .option('reporter', { alias: 'r', type: 'string', default: 'console', choices: ['console', 'json'], describe: 'console: a table; json: the recorded runs' })
    .option('user-name', { type: 'string', describe: 'Only this user (default: everyone recorded on this machine)' })
    .option('limit', { type: 'number', default: 20, describe: 'The newest N runs (0: all)' });
}

export function historyCommand(a: Record<string, unknown>, io: { stdout: ReporterOutput; env: NodeJS.ProcessEnv } = { stdout: stdoutOutput(), env: process.env }): number {
  const limit = Number(a.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new ConfigError(`expected a whole number ≥ 0, got ${JSON.stringify(a.limit)}`, undefined, '--limit');
  const file = historyFile(io.env);
  const user = a.userName === undefined ? undefined : String(a.userName);
  const all = readHistory(file).filter((e) => !user || e.user === user);
  const entries = limit ? all.slice(-limit) : all;
  if (a.reporter === 'json') io.stdout.write(JSON.stringify({ file, entries }, null, 2) + '\n');
  else io.stdout.write(renderHistory(entries, { color: io.stdout.color, file }));
  return 0;
}
