/** `lab-grade history`: the student's recorded self-checks, as a table or as JSON. */
import { historyFile, readHistory } from '../core/history.js';
import { renderHistory } from '../reporters/checklist.js';
import type { ReporterOutput } from '../reporters/types.js';

export interface HistoryRequest {
  format: 'console' | 'json';
  /** Only this user; default everyone recorded on this machine. */
  userName?: string;
  /** The newest N runs (0: all). */
  limit: number;
}

export function showHistory(request: HistoryRequest, io: { stdout: ReporterOutput; env: NodeJS.ProcessEnv }): number {
  const file = historyFile(io.env);
  const recorded = readHistory(file);
  const all = recorded.filter((e) => !request.userName || e.user === request.userName);
  const entries = request.limit ? all.slice(-request.limit) : all;
  if (request.format === 'json') io.stdout.write(JSON.stringify({ file, entries }, null, 2) + '\n');
  else io.stdout.write(renderHistory(entries, { color: io.stdout.color, file, user: request.userName, recordedUsers: [...new Set(recorded.map((e) => e.user))] }));
  return 0;
}
