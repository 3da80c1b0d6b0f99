#!/usr/bin/env node
/**
 * The `lab-grade` command line: arguments are parsed and checked here and handed, as typed requests,
 * to the grading application (app/). Exit codes: 0 all passed, 1 some below the mark, 2 usage or
 * configuration error, 3 some incomplete, 4 lab-grade itself failed (or a report could not be written).
 */
import { homedir } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_CLASS_CONFIG, isSelfCheck } from '../app/default-command.js';
import { capHeapGrowth } from '../app/heap.js';
import { stderrNotices, streamOutput } from '../app/io.js';
import { invokedCommand } from '../app/resume-command.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { didYouMean } from '../core/suggest.js';
import { VERSION } from '../core/version.js';
import {
  classRunRequest,
  CREDIT_CHOICES,
  GRADING_OPTIONS,
  gradingRequest,
  historyRequest,
  defaultCommandRequest,
  LIVE_OPTIONS,
  liveRequest,
  reportSpecs,
  SELF_CHECK_OPTIONS,
  selfCheckRequest,
} from './options.js';

const EXIT_USAGE = 2;
/** lab-grade itself failed (a bug): distinct from every grading outcome. */
const EXIT_INTERNAL = 4;

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const run = (fn: () => Promise<number> | number) => async () => {
    exitCode = await fn();
  };
  const io = () => ({ stdout: streamOutput(process.stdout), notices: stderrNotices(false) });
  const parser = yargs(argv)
    .scriptName('lab-grade')
    .usage('$0 [command] [options]\n\nGrades the AKS greetings lab: the VM over SSH, Azure, the registry, the cluster and the app.')
    .command(
      '$0',
      'Grade students from a class config (default ./lab-grade.yaml); without one and without --user, check your own progress',
      // No default for --config: an explicit one is never mistaken for a self-check.
      (y) =>
        y
          .options(GRADING_OPTIONS)
          .options(SELF_CHECK_OPTIONS)
          .option('config', { alias: 'c', type: 'string', describe: 'Class config file (default ./lab-grade.yaml)' })
          .group(['config', 'user', 'only', 'wait', 'reporter'], 'Grading:')
          .group(['concurrency', 'student-timeout', 'preflight', 'quiet', 'journal', 'resume', 'rerun-incomplete', 'regrade', 'shard'], 'A class:')
          .group(['watch', 'interval', 'local', 'kubeconfig', 'context', 'subscription', 'resource-group', 'user-name', 'sandbox'], 'Checking your own progress (no class config):')
          .group(['allow-disruptive', 'allow-exec-credentials'], 'Safety (off by default):'),
      (a) =>
        run(async () => {
          if (isSelfCheck(defaultCommandRequest(a))) {
            const { selfCheck } = await import('../app/selfcheck/selfcheck.js');
            return selfCheck(
              { ...selfCheckRequest(a), program: invokedCommand(process.argv[1], process.cwd()) },
              { ...io(), notices: stderrNotices(!!a.quiet), stdin: process.stdin, env: process.env, home: process.env.HOME || homedir() },
            );
          }
          capHeapGrowth();
          const { gradeConfigFile } = await import('../app/report-run.js');
          const request = { ...gradingRequest(a), classRun: classRunRequest(a), invocation: argv };
          return (await gradeConfigFile(String(a.config ?? DEFAULT_CLASS_CONFIG), request, { ...io(), notices: stderrNotices(!!a.quiet) })).exitCode;
        })(),
    )
    .command(
      'history',
      'Your self-checks so far: points and exercises over time',
      (y) =>
        y
          .option('reporter', { alias: 'r', type: 'string', default: 'console', choices: ['console', 'json'], describe: 'console: a table; json: the recorded runs' })
          .option('user-name', { type: 'string', describe: 'Only this user (default: everyone recorded on this machine)' })
          .option('limit', { requiresArg: true, default: 20, describe: 'The newest N runs (0: all)' }),
      (a) => run(async () => (await import('../app/history.js')).showHistory(historyRequest(a), { stdout: streamOutput(process.stdout), env: process.env }))(),
    )
    .command(
      'merge <files..>',
      'One report from the JSON results and/or journals of several runs (shards of a class)',
      (y) =>
        y
          .option('reporter', GRADING_OPTIONS.reporter)
          .positional('files', { type: 'string', array: true, describe: 'JSON reports (-r json=FILE), journals (--journal FILE) and/or ledgers of `live` (--ledger FILE)' })
          .option('profile', { type: 'string', describe: 'The lab profile of the results: title and pass mark (default: what the JSON reports carry, else the built-in one)' })
          .option('config', {
            alias: 'c',
            type: 'string',
            describe: 'The class config: a missing shard is told with how many students of the roster it lacks; its credit scores the files unless --credit is given',
          })
          .option('credit', {
            type: 'string',
            choices: CREDIT_CHOICES,
            describe:
              "Score with credit over time: earned (a check that passed at any grading counts) or final (the latest grading only); default: the --config's credit, else earned for a ledger of lab-grade live",
          }),
      (a) =>
        run(async () =>
          (await import('../app/merge.js')).mergeReports((a.files as string[]).map(String), reportSpecs((a.reporter as string[]) ?? []), a.profile as string | undefined, io(), {
            ...(a.config !== undefined ? { configFile: String(a.config) } : {}),
            ...(a.credit !== undefined ? { credit: a.credit as (typeof CREDIT_CHOICES)[number] } : {}),
          }),
        )(),
    )
    .command(
      'live',
      'A live workshop: grade the class in rounds, keep every result in a ledger, serve the dashboard',
      (y) =>
        y
          .options(LIVE_OPTIONS)
          .options({
            shard: GRADING_OPTIONS.shard,
            concurrency: GRADING_OPTIONS.concurrency,
            'student-timeout': GRADING_OPTIONS['student-timeout'],
            preflight: GRADING_OPTIONS.preflight,
            quiet: { ...GRADING_OPTIONS.quiet, describe: 'Nothing on stderr but the dashboard address and errors' },
            'allow-exec-credentials': GRADING_OPTIONS['allow-exec-credentials'],
          })
          .group(['config', 'interval', 'rounds', 'ledger', 'credit', 'shard'], 'Rounds:')
          .group(['port', 'host', 'stuck-after', 'follow'], 'Dashboard:'),
      (a) =>
        run(async () => {
          const request = liveRequest(a, argv);
          capHeapGrowth();
          const { liveCommand } = await import('../app/live.js');
          return liveCommand(request, { notices: stderrNotices(!!a.quiet), announce: streamOutput(process.stderr) });
        })(),
    )
    .command(
      'checks',
      'List the checks of the lab profile in force: id, points, title (-r json: with reason codes)',
      (y) =>
        y
          .option('profile', { type: 'string', describe: 'A lab profile file (default: the class config’s, else the built-in one)' })
          .option('config', { alias: 'c', type: 'string', describe: 'The class config whose profile is in force (default ./lab-grade.yaml when there is one)' })
          .option('reporter', { alias: 'r', type: 'string', default: 'console', choices: ['console', 'json'], describe: 'console: a table; json: every check with its reason codes' }),
      (a) =>
        run(async () =>
          (await import('../app/checks-list.js')).listChecks(
            { profile: a.profile as string | undefined, config: a.config as string | undefined, format: a.reporter === 'json' ? 'json' : 'console' },
            streamOutput(process.stdout),
          ),
        )(),
    )
    .command(
      'demo',
      'Start the simulated lab, grade its class, report and stop',
      (y) => y.options(GRADING_OPTIONS).option('scenarios', { type: 'string', array: true, describe: 'Scenario files or folders (default: the built-in class)' }),
      (a) =>
        run(async () => {
          const request = { ...gradingRequest(a), classRun: classRunRequest(a), invocation: ['demo', ...argv.filter((x) => x !== 'demo')] };
          capHeapGrowth();
          const { runDemo } = await import('../app/demo.js');
          return (await runDemo(request, ((a.scenarios as string[] | undefined) ?? []).map(String), { ...io(), notices: stderrNotices(!!a.quiet) })).exitCode;
        })(),
    )
    .command(
      'sandbox',
      'Start the simulated lab and keep it running; writes a class config for --config',
      (y) =>
        y
          .option('scenarios', { type: 'string', array: true, describe: 'Scenario files or folders' })
          .option('out', { type: 'string', default: '.lab-grade/sandbox', describe: 'Folder for the class config, CA and kubeconfigs' }),
      (a) => run(async () => (await import('../app/demo.js')).runSandbox(((a.scenarios as string[] | undefined) ?? []).map(String), String(a.out)))(),
    )
    .example('$0 --user labuser29', 'Grade one student of ./lab-grade.yaml')
    .example('$0 -c class.yaml -r console -r json=grades.json -r junit=grades.xml', 'Grade the whole class into three reports')
    .example('$0 --user labuser29 --only ex6 --wait 120', 'Re-check Exercise 6, waiting up to 2 minutes for pods')
    .example('$0', 'Check your own progress (Cloud Shell: Azure and the cluster; on your VM: Exercises 1–2)')
    .example('$0 --watch', 'Check your progress every 5 seconds and show what changed')
    .example('$0 --shard 2/4 -r json=shard-2.json', 'Grade the 2nd of 4 slices of the class (then: lab-grade merge shard-*.json)')
    .example('$0 --resume .lab-grade/journal-20250301T090000.123Z-pid4242.jsonl', 'Finish a class run that was stopped, without grading anyone twice')
    .example('$0 live -c class.yaml --interval 60', 'A workshop: grade the class every minute; the dashboard on http://127.0.0.1:8080/')
    .example('$0 merge .lab-grade/live-….jsonl --credit earned -r csv=grades.csv', 'The gradebook of a workshop, with the credit students earned')
    .example('$0 demo', 'Grade the built-in simulated class (no Azure needed)')
    .example('$0 checks', 'List every check with its points')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new ConfigError(withSuggestion(asTyped(msg, argv), KNOWN_OPTIONS));
    });
  await parser.parseAsync();
  return exitCode;
}

const KNOWN_OPTIONS = [...Object.keys(GRADING_OPTIONS), ...Object.keys(SELF_CHECK_OPTIONS), ...Object.keys(LIVE_OPTIONS), 'config', 'scenarios', 'out', 'profile', 'limit', 'help', 'version'];
const COMMANDS = ['history', 'merge', 'checks', 'demo', 'sandbox', 'live'];

/**
 * yargs's messages in the user's terms: an unknown option as it was typed (`--usr`, where yargs says
 * `usr`), and `merge` without files saying what it needs (yargs: "Not enough non-option arguments").
 */
function asTyped(msg: string, argv: readonly string[]): string {
  if (/^Not enough non-option arguments/.test(msg) && argv.includes('merge')) {
    return 'merge: name the files to merge: JSON reports (-r json=FILE), journals or ledgers (lab-grade merge results/shard-*.json -r console)';
  }
  const m = /^(Unknown arguments?: )(.+)$/.exec(msg);
  if (!m) return msg;
  const typed = (arg: string) => argv.find((a) => a.split('=')[0] === `--${arg}` || a.split('=')[0] === `-${arg}`)?.split('=')[0] ?? arg;
  return m[1] + m[2].split(', ').map(typed).join(', ');
}

/**
 * yargs's "Unknown argument: usr" with the option that was probably meant, or for a word that is no
 * option ("histroy": the default command takes no positional argument) the command.
 */
function withSuggestion(msg: string, known: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return msg;
  const names = known.filter((k) => k.length > 1);
  return `${msg}${m[1]
    .split(', ')
    .map((arg) =>
      COMMANDS.some((c) => didYouMean(arg, [c])) && !names.includes(arg)
        ? didYouMean(arg, COMMANDS).replace('did you mean', 'did you mean the command')
        : didYouMean(arg.replace(/^-+/, ''), names).replace(/"([^"]+)"/, '"--$1"'),
    )
    .join('')}`;
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
