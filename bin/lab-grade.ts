#!/usr/bin/env node
/** The `lab-grade` command line. Exit codes: 0 all passed, 1 some below the mark, 2 usage/config error, 3 some incomplete. */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ALL_CHECKS } from '../checks/index.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { loadProfile } from '../core/profile.js';
import { redactText } from '../core/redact.js';
import { VERSION } from '../core/version.js';
import { gradeCommand, type GradeArgs } from './grade.js';
import { classArgs, classOptions } from './class-run.js';
import { historyCommand, historyOptions } from './selfcheck/history.js';
import { isSelfCheck, selfCheckArgs, selfCheckOptions } from './selfcheck/options.js';

const EXIT_USAGE = 2;
/** lab-grade itself failed (a bug): distinct from every grading outcome. */
const EXIT_INTERNAL = 4;

function gradingOptions<T>(y: Argv<T>) {
  return classOptions(y)
    .option('user', { alias: 'u', type: 'string', array: true, default: [] as string[], describe: 'Grade this student (repeatable); omitted: the whole roster' })
    .option('only', { type: 'string', array: true, default: [] as string[], describe: 'Only these checks: an exercise (ex6), a prefix or an id (ex6.app.e2e); repeatable' })
    .option('wait', { type: 'number', default: 0, describe: 'Self-check: poll failing checks for up to SECONDS (e.g. while pods start); 0 grades one snapshot' })
    .option('concurrency', { alias: 'j', type: 'number', default: 16, describe: 'Students graded at once (16: grading waits on the network, not the CPU; lower it if Azure throttles)' })
    .option('reporter', { alias: 'r', type: 'string', array: true, default: [] as string[], describe: 'NAME[=FILE]: console (default), json, junit, markdown, csv, html; repeatable; no FILE: stdout' })
    .option('allow-disruptive', { type: 'boolean', default: false, describe: 'Allow ex6.selfheal to delete the myapi pod (the only write)' })
    .option('allow-exec-credentials', { type: 'boolean', default: false, describe: 'Allow kubeconfigs that run a credential plugin (a kubeconfig is code)' });
}

function toGradeArgs(a: Record<string, unknown>): GradeArgs {
  const wait = Number(a.wait);
  const concurrency = Number(a.concurrency);
  if (!Number.isFinite(wait) || wait < 0) throw new ConfigError(`expected a number of seconds ≥ 0, got ${JSON.stringify(a.wait)}`, undefined, '--wait');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`expected a whole number ≥ 1, got ${JSON.stringify(a.concurrency)}`, undefined, '--concurrency');
  return {
    config: String(a.config ?? 'lab-grade.yaml'),
    user: (a.user as string[]).map(String),
    only: (a.only as string[]).map(String),
    wait,
    concurrency,
    reporter: (a.reporter as string[]).map(String),
    allowDisruptive: !!a.allowDisruptive,
    allowExecCredentials: !!a.allowExecCredentials,
    ...classArgs(a),
  };
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const run = (fn: () => Promise<number>) => async () => {
    exitCode = await fn();
  };
  const parser = yargs(argv)
    .scriptName('lab-grade')
    .usage('$0 [command] [options]\n\nGrades the AKS greetings lab: the VM over SSH, Azure, the registry, the cluster and the app.')
    .command(
      '$0',
      'Grade students from a class config (default ./lab-grade.yaml); without one and without --user, check your own progress',
      // No default for --config: an explicit one is never mistaken for a self-check.
      (y) =>
        selfCheckOptions(gradingOptions(y).option('config', { alias: 'c', type: 'string', describe: 'Class config file (default ./lab-grade.yaml)' }))
          .group(['config', 'user', 'only', 'wait', 'reporter'], 'Grading:')
          .group(['concurrency', 'student-timeout', 'preflight', 'quiet', 'journal', 'resume', 'rerun-incomplete', 'shard'], 'A class:')
          .group(['watch', 'interval', 'local', 'kubeconfig', 'context', 'subscription', 'resource-group', 'user-name'], 'Checking your own progress (no class config):')
          .group(['allow-disruptive', 'allow-exec-credentials'], 'Safety (off by default):'),
      (a) => run(async () => (isSelfCheck(a) ? (await import('./selfcheck/command.js')).selfCheckCommand(toGradeArgs(a), selfCheckArgs(a)) : gradeCommand(toGradeArgs(a))))(),
    )
    .command(
      'history',
      'Your self-checks so far: points and exercises over time',
      (y) => historyOptions(y),
      (a) => run(async () => historyCommand(a))(),
    )
    .command(
      'merge <files..>',
      'One report from the JSON results and/or journals of several runs (shards of a class)',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, describe: 'JSON reports (-r json=FILE) and/or journals (--journal FILE)' })
          .option('reporter', { alias: 'r', type: 'string', array: true, default: [] as string[], describe: 'NAME[=FILE], as for grading; repeatable' })
          .option('profile', { type: 'string', describe: 'The lab profile of the results (default: the built-in one): title and pass mark' }),
      (a) => run(async () => (await import('./merge.js')).mergeCommand((a.files as string[]).map(String), (a.reporter as string[]).map(String), a.profile as string | undefined))(),
    )
    .command(
      'checks',
      'List the checks: id, points, title',
      (y) => y.option('profile', { type: 'string', describe: 'A lab profile file (default: the built-in one)' }),
      (a) => run(async () => listChecks(a.profile as string | undefined))(),
    )
    .command(
      'demo',
      'Start the simulated lab, grade its class, report and stop',
      (y) => gradingOptions(y).option('scenarios', { type: 'string', array: true, describe: 'Scenario files or folders (default: the built-in class)' }),
      (a) => run(async () => (await import('./demo.js')).demoCommand(toGradeArgs(a), (a.scenarios as string[] | undefined) ?? []))(),
    )
    .command(
      'sandbox',
      'Start the simulated lab and keep it running; writes a class config for --config',
      (y) => y.option('scenarios', { type: 'string', array: true, describe: 'Scenario files or folders' }).option('out', { type: 'string', default: '.lab-grade/sandbox', describe: 'Folder for the class config, CA and kubeconfigs' }),
      (a) => run(async () => (await import('./demo.js')).sandboxCommand((a.scenarios as string[] | undefined) ?? [], String(a.out)))(),
    )
    .example('$0 --user labuser29', 'Grade one student of ./lab-grade.yaml')
    .example('$0 -c class.yaml -r console -r json=grades.json -r junit=grades.xml', 'Grade the whole class into three reports')
    .example('$0 --user labuser29 --only ex6 --wait 120', 'Re-check Exercise 6, waiting up to 2 minutes for pods')
    .example('$0', 'Check your own progress (Cloud Shell: Azure and the cluster; on your VM: Exercises 1–2)')
    .example('$0 --watch', 'Check your progress every 5 seconds and show what changed')
    .example('$0 --shard 2/4 -r json=shard-2.json', 'Grade the 2nd of 4 slices of the class (then: lab-grade merge shard-*.json)')
    .example('$0 --resume .lab-grade/journal-….jsonl', 'Finish a class run that was stopped, without grading anyone twice')
    .example('$0 demo', 'Grade the built-in simulated class (no Azure needed)')
    .example('$0 checks', 'List every check with its points')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new ConfigError(msg);
    });
  await parser.parseAsync();
  return exitCode;
}

function listChecks(profileFile?: string): number {
  const profile = loadProfile(profileFile, ALL_CHECKS.map((c) => c.id));
  const rows = ALL_CHECKS.map((c) => {
    const p = profile.checks[c.id];
    return [c.id, p.bonus ? `+${p.bonus} bonus` : String(p.points), c.title];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([id, pts, title]) => `${id.padEnd(w0)}  ${pts.padStart(w1)}  ${title}`);
  const required = Object.values(profile.checks).reduce((s, p) => s + p.points, 0);
  const bonus = Object.values(profile.checks).reduce((s, p) => s + p.bonus, 0);
  process.stdout.write(`${lines.join('\n')}\n\n${ALL_CHECKS.length} checks: ${required} required points, up to ${Math.min(bonus, profile.bonusCap)} bonus; pass mark ${profile.passMark} %\n`);
  return 0;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof ConfigError || (err instanceof Error && err.name === 'YError');
    process.stderr.write(`lab-grade: ${redactText(errorMessage(err))}\n`);
    if (!usage && process.env.LAB_GRADE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = usage ? EXIT_USAGE : EXIT_INTERNAL;
  },
);
