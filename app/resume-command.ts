/**
 * The commands a run tells its user to type next, built from the command line as it was typed, so
 * they run as printed: resume a stopped class run, re-grade the incomplete students (from the journal,
 * or by name when the run kept none), continue a workshop.
 */

/** Options that name the journal or ledger (and take a value): replaced by the one the command needs. */
const JOURNAL_OPTIONS = new Set(['--journal', '--resume', '--rerun-incomplete', '--ledger']);
/** Flags that applied to the journal as it was: once this run's header is written, a plain resume fits it. */
const FLAGS_DROPPED = new Set(['--no-journal', '--regrade']);

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** How an option is dropped from a command line: a flag alone, its value, or every value up to the next option. */
type Dropped = 'flag' | 'value' | 'values';

/** The arguments without the options `drop` names (`--opt v`, `--opt=v`, a flag), their values with them. */
function withoutOptions(invocation: readonly string[], drop: (name: string) => Dropped | undefined): string[] {
  const kept: string[] = [];
  for (let i = 0; i < invocation.length; i++) {
    const arg = invocation[i];
    const [name] = arg.split('=', 1);
    const how = drop(name);
    if (how === undefined) kept.push(arg);
    else if (how === 'values' && !arg.includes('=')) while (i + 1 < invocation.length && !invocation[i + 1].startsWith('-')) i++;
    else if (how === 'value' && !arg.includes('=')) i++;
  }
  return kept;
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
/** Array options: yargs gives them every value up to the next option. */
const MANY_VALUES = new Set(['--user', '-u']);

/** `lab-grade <the same options> --user a --user b`: these students again, whatever chose them before. */
export function rerunUsersCommand(invocation: readonly string[], users: readonly string[]): string {
  const kept = withoutOptions(invocation, (name) => (MANY_VALUES.has(name) ? 'values' : WHO_OPTIONS.has(name) ? 'value' : undefined));
  return command([...kept, ...users.flatMap((u) => ['--user', u])]);
}

/** The command that grades these students again: from the run's journal when it has one. */
export function rerunCommand(invocation: readonly string[], journal: string | undefined, users: readonly string[]): string {
  return journal ? rerunIncompleteCommand(invocation, journal) : rerunUsersCommand(invocation, users);
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
