/**
 * The commands a run tells its user to type next, built from the command line as it was typed, so
 * they run as printed: resume a stopped class run, re-grade the incomplete students (from the journal,
 * or by name when the run kept none), continue a workshop.
 */
import { basename, isAbsolute, relative, sep } from 'node:path';

/** Options that name the journal or ledger (and take a value): replaced by the one the command needs. */
const JOURNAL_OPTIONS = new Set(['--journal', '--resume', '--rerun-incomplete', '--ledger']);
/** Flags that applied to the journal as it was: once this run's header is written, a plain resume fits it. */
const FLAGS_DROPPED = new Set(['--no-journal', '--regrade']);

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command as the user started it, for the commands printed back to them: `lab-grade` for the
 * installed command (a name on the PATH, whatever file it links to), `node lab-grade.mjs` for the
 * one-file download run by node (its path from the working folder, or whole when elsewhere).
 * `script` is the path node was given (process.argv[1], made absolute by node).
 */
export function invokedCommand(script: string, cwd: string): string {
  if (!/\.[cm]?js$/.test(script)) return shellQuote(basename(script));
  const fromCwd = relative(cwd, script);
  const outside = fromCwd === '..' || fromCwd.startsWith(`..${sep}`) || isAbsolute(fromCwd);
  return `node ${shellQuote(outside ? script : fromCwd)}`;
}

/** How many values an option takes on a command line: none (a flag), one, or every value up to the next option. */
type Arity = 'flag' | 'value' | 'values';

interface Option {
  name: string;
  values: string[];
}

/**
 * The command line with the options `arityOf` knows as options with their values (`--x=v` and `--x v`
 * alike); every other argument as it was typed.
 */
function optionsOf(invocation: readonly string[], arityOf: (name: string) => Arity | undefined): Array<Option | string> {
  const out: Array<Option | string> = [];
  for (let i = 0; i < invocation.length; i++) {
    const arg = invocation[i];
    const [name] = arg.split('=', 1);
    const arity = arityOf(name);
    if (arity === undefined) {
      out.push(arg);
      continue;
    }
    const values = arg.includes('=') ? [arg.slice(name.length + 1)] : [];
    if (!arg.includes('=')) {
      if (arity === 'values') while (i + 1 < invocation.length && !invocation[i + 1].startsWith('-')) values.push(invocation[++i]);
      else if (arity === 'value' && i + 1 < invocation.length) values.push(invocation[++i]);
    }
    out.push({ name, values });
  }
  return out;
}

/** The arguments without the options `drop` names (`--opt v`, `--opt=v`, a flag), their values with them. */
function withoutOptions(invocation: readonly string[], drop: (name: string) => Arity | undefined): string[] {
  return optionsOf(invocation, drop).filter((o): o is string => typeof o === 'string');
}

const command = (args: readonly string[]) => ['lab-grade', ...args].map(shellQuote).join(' ');

function withJournalOption(invocation: readonly string[], option: '--resume' | '--rerun-incomplete' | '--ledger', journal: string): string {
  const kept = withoutOptions(invocation, (name) => (FLAGS_DROPPED.has(name) ? 'flag' : JOURNAL_OPTIONS.has(name) ? 'value' : undefined));
  return command([...kept, option, journal]);
}

/** `lab-grade <the same options> --resume <journal>` */
export const resumeCommand = (invocation: readonly string[], journal: string) => withJournalOption(invocation, '--resume', journal);

/** `lab-grade <the same options> --rerun-incomplete <journal>` */
export const rerunIncompleteCommand = (invocation: readonly string[], journal: string) => withJournalOption(invocation, '--rerun-incomplete', journal);

/** Options that choose who is graded (and take values): replaced by the students named. */
const WHO_OPTIONS = new Set(['--user', '-u', '--shard', '--resume', '--rerun-incomplete']);
/** The reports option: its `NAME=FILE` values are the class's report files. */
const REPORT_OPTIONS = new Set(['--reporter', '-r']);
/** Array options: yargs gives them every value up to the next option. */
const MANY_VALUES = new Set(['--user', '-u', '--reporter', '-r']);

/** Who chose the students and where their reports went: the options a re-run by name replaces. */
const whoOrReports = (name: string): Arity | undefined => (MANY_VALUES.has(name) ? 'values' : WHO_OPTIONS.has(name) ? 'value' : undefined);

/** The report files a command line writes (`-r html=nj.html` → nj.html), in its order. */
export function reportFiles(invocation: readonly string[]): string[] {
  return optionsOf(invocation, whoOrReports).flatMap((o) =>
    typeof o !== 'string' && REPORT_OPTIONS.has(o.name) ? o.values.filter((v) => v.includes('=')).map((v) => v.slice(v.indexOf('=') + 1)) : [],
  );
}

/**
 * `lab-grade <the same options> --user a --user b`: these students again, whatever chose them before.
 * Their reports go to the terminal only: the class's report files named by the command line would be
 * replaced by a report of these students alone.
 */
export function rerunUsersCommand(invocation: readonly string[], users: readonly string[]): string {
  const kept = optionsOf(invocation, whoOrReports).flatMap((o) => {
    if (typeof o === 'string') return [o];
    if (!REPORT_OPTIONS.has(o.name)) return [];
    return o.values.filter((v) => !v.includes('=')).flatMap((v) => [o.name, v]);
  });
  return command([...kept, ...users.flatMap((u) => ['--user', u])]);
}

/** The command that grades these students again: from the run's journal when it has one. */
export function rerunCommand(invocation: readonly string[], journal: string | undefined, users: readonly string[]): string {
  return journal ? rerunIncompleteCommand(invocation, journal) : rerunUsersCommand(invocation, users);
}

/**
 * What the re-run command does not do, said beside it: without a journal it grades the students by
 * name onto the terminal, and the class's report files keep the class; only a run with a journal
 * re-grades into its reports. Nothing to say when the run has a journal or writes no report file.
 */
export function rerunNote(invocation: readonly string[], journal: string | undefined): string | undefined {
  const files = reportFiles(invocation);
  if (journal || files.length === 0) return undefined;
  return `it prints to the terminal only, so ${files.join(', ')} ${files.length === 1 ? 'keeps' : 'keep'} the whole class; a class run with a journal (without --no-journal) re-grades them into its reports with --rerun-incomplete`;
}

/** `lab-grade live <the same options> --ledger <ledger>`: a stopped workshop goes on where it was. */
export const continueLiveCommand = (invocation: readonly string[], ledger: string) => withJournalOption(invocation, '--ledger', ledger);

/** Options of `live` a class run does not take (all with a value). */
const LIVE_ONLY_OPTIONS = new Set(['--interval', '--ledger', '--rounds', '--port', '--host', '--stuck-after', '--credit', '--follow']);

/**
 * `live`'s command line as the class run that grades the same class once (`-c`, `--concurrency`,
 * `--student-timeout`… kept; the rounds and the dashboard's options dropped): what a round's messages
 * print, since `live` grades nobody by name.
 */
export function liveAsClassRun(invocation: readonly string[]): string[] {
  const at = invocation.indexOf('live');
  const args = at === -1 ? invocation : [...invocation.slice(0, at), ...invocation.slice(at + 1)];
  return withoutOptions(args, (name) => (LIVE_ONLY_OPTIONS.has(name) ? 'value' : undefined));
}
