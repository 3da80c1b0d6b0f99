/**
 * The commands a run tells its user to type next, built from the command line as it was typed, so
 * they run as printed: resume a stopped class run, re-grade the incomplete students, continue a workshop.
 */

/** Options that name the journal or ledger (and take a value): replaced by the one the command needs. */
const JOURNAL_OPTIONS = new Set(['--journal', '--resume', '--rerun-incomplete', '--ledger']);

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function withJournalOption(invocation: readonly string[], option: '--resume' | '--rerun-incomplete' | '--ledger', journal: string): string {
  const kept: string[] = [];
  for (let i = 0; i < invocation.length; i++) {
    const arg = invocation[i];
    const [name] = arg.split('=', 1);
    if (JOURNAL_OPTIONS.has(name) || arg === '--no-journal') {
      if (!arg.includes('=') && arg !== '--no-journal') i++; // its value follows
      continue;
    }
    kept.push(arg);
  }
  return ['lab-grade', ...kept, option, journal].map(shellQuote).join(' ');
}

/** `lab-grade <the same options> --resume <journal>` */
export const resumeCommand = (invocation: readonly string[], journal: string) => withJournalOption(invocation, '--resume', journal);

/** `lab-grade <the same options> --rerun-incomplete <journal>` */
export const rerunIncompleteCommand = (invocation: readonly string[], journal: string) => withJournalOption(invocation, '--rerun-incomplete', journal);

/** `lab-grade live <the same options> --ledger <ledger>`: a stopped workshop goes on where it was. */
export const continueLiveCommand = (invocation: readonly string[], ledger: string) => withJournalOption(invocation, '--ledger', ledger);
