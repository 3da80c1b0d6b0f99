/**
 * The reports of a run (`--reporter NAME[=FILE]`): each to stdout or to a file. A file is written to a
 * temporary file beside it and renamed over it only when complete, so a stopped run never leaves a
 * truncated gradebook where a good one was; a report that cannot be written is named, and the others
 * are still written.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError, errorMessage } from '../core/errors.js';
import { landingPath, outputFilePlace, writeAll } from '../core/file-io.js';
import { processRunning } from '../core/file-lock.js';
import type { ChecklistOptions } from '../reporters/checklist.js';
import { createReporter, type ReportFormat } from '../reporters/index.js';
import type { Reporter, ReporterOutput } from '../reporters/types.js';

export interface ReportSpec {
  format: ReportFormat;
  /** Absent: stdout. */
  file?: string;
}

export interface OpenReports {
  reporters: Reporter[];
  /** Puts each complete file in place; returns what could not be written (empty when all were). */
  finish(): string[];
  /** The run stopped: temporary files are removed, existing reports stay as they were. */
  abandon(): void;
}

interface FileReport {
  file: string;
  temp: string;
  fd: number;
  failure?: string;
}

export function openReports(specs: readonly ReportSpec[], o: { verbose: boolean; stdout: ReporterOutput; checklist?: Omit<ChecklistOptions, 'output' | 'verbose'> }): OpenReports {
  const onStdout = specs.filter((s) => s.file === undefined);
  if (onStdout.length > 1) {
    throw new ConfigError(`${onStdout.map((s) => s.format).join(' and ')} would both write to stdout, one after the other; give all but one a file (NAME=FILE)`, undefined, '--reporter');
  }
  const seen = new Map<string, ReportSpec>();
  for (const s of specs) {
    if (s.file === undefined) continue;
    const key = sameFileKey(s.file);
    const other = seen.get(key);
    if (other) throw new ConfigError(`${other.format} and ${s.format} both write to ${other.file === s.file ? s.file : `${s.file} (${other.file})`}`, undefined, '--reporter');
    seen.set(key, s);
  }
  const files: FileReport[] = [];
  const reporters: Reporter[] = [];
  try {
    for (const s of specs) {
      let output = o.stdout;
      if (s.file !== undefined) {
        const report = openTemp(s.file, s.format);
        files.push(report);
        output = fileOutput(report);
      }
      reporters.push(s.format === 'checklist' ? createReporter('checklist', { ...o.checklist, output, verbose: o.verbose }) : createReporter(s.format, { output, verbose: o.verbose }));
    }
  } catch (err) {
    files.forEach(discard);
    throw err;
  }
  return {
    reporters,
    finish() {
      const failures: string[] = [];
      for (const r of files) {
        if (!r.failure) {
          try {
            fsyncSync(r.fd);
            closeSync(r.fd);
            renameSync(r.temp, r.file);
            continue;
          } catch (err) {
            r.failure = errorMessage(err);
          }
        }
        discard(r);
        failures.push(`the report ${r.file} was not written: ${r.failure}`);
      }
      return failures;
    },
    abandon: () => files.forEach(discard),
  };
}

/** Where a report lands, as one key for every spelling of it: two reports renamed onto one file would leave only the last. */
export const sameFileKey = landingPath;

/** `.grades.csv.1234@grader-1.tmp`: the temporary file of this process, on this host, beside the report. */
const tempName = (file: string, pid: number, host: string) => join(dirname(file), `.${basename(file)}.${pid}@${host}.tmp`);

/** Opens the temporary file of a report, beside the file it will be renamed onto (a link's target, not the link). */
function openTemp(named: string, format: ReportFormat): FileReport {
  const file = outputFilePlace(named, `the ${format} report`, `for standard output give the reporter without a file (-r ${format})`);
  removeOrphanedTemps(file);
  const temp = tempName(file, process.pid, hostname());
  try {
    return { file, temp, fd: openSync(temp, 'w') };
  } catch (err) {
    throw new ConfigError(`cannot write the output file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, undefined, '--reporter');
  }
}

/**
 * A run killed with SIGKILL (or a power loss) leaves its temporary file behind: the next run writing
 * the same report removes those of processes gone from this host. Another host's are left alone (a
 * shared volume): its process cannot be looked up from here.
 */
function removeOrphanedTemps(file: string): void {
  const name = basename(file);
  const host = hostname();
  let entries: string[];
  try {
    entries = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`.${name}.`) || !entry.endsWith(`@${host}.tmp`)) continue;
    const pid = Number(entry.slice(name.length + 2, -`@${host}.tmp`.length));
    if (!Number.isInteger(pid) || pid === process.pid || processRunning(pid)) continue;
    try {
      unlinkSync(join(dirname(file), entry));
    } catch {
      /* gone already */
    }
  }
}

/** Writes to the report's temporary file; the first failure (a full disk) stops this report only. */
function fileOutput(r: FileReport): ReporterOutput {
  return {
    isTTY: false,
    color: false,
    write(text) {
      if (r.failure) return;
      try {
        writeAll(r.fd, text);
      } catch (err) {
        r.failure = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
      }
    },
  };
}

function discard(r: FileReport): void {
  try {
    closeSync(r.fd);
  } catch {
    /* closed already */
  }
  try {
    unlinkSync(r.temp);
  } catch {
    /* gone already */
  }
}
