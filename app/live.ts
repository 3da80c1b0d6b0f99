/**
 * `lab-grade live`: a workshop graded in rounds. Every interval the roster (or a shard of it) is graded
 * through `grade()` — the class run's bounded concurrency, per-student deadlines and pre-flight — and
 * each graded student is appended to the ledger (fsync'd, with its round and time) and folded into the
 * class state the dashboard serves. Rounds never overlap: one that runs past the interval delays the
 * next. Reopening a ledger continues it: its results are read back first, then rounds go on from the
 * next number. The first round fails as a class run does (a grader without an Azure identity exits 2);
 * a later round that cannot be graded at all writes nothing, is told on stderr and on the dashboard,
 * and the next round tries again: a blip does not end a workshop. `--follow` serves the dashboard from
 * ledgers that other graders write, grading nothing, and tells the shards it has no ledger of.
 */
import { loadClassConfig, loadClassOutline, targetsFor, type ClassConfig, type ClassOutline } from '../core/config.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { defaultJournalPath, judgementOf } from '../core/journal.js';
import type { LabProfile } from '../core/profile.js';
import { exitCodeFor } from '../core/score.js';
import { inShard, type Shard } from '../core/shard.js';
import { VERSION } from '../core/version.js';
import { LIVE_DEFAULT_CREDIT, type CreditMode } from '../live/credit.js';
import { followLedgers } from '../live/follow.js';
import { openLedger, type Ledger, type LedgerEntry } from '../live/ledger.js';
import { startLiveServer, type LiveServer } from '../live/server.js';
import { ClassState, type Outage, type StudentDelta } from '../live/state.js';
import type { Reporter, ReporterOutput } from '../reporters/types.js';
import { grade, gradingRules, IdentityError, profileFor, type RuntimeOverrides } from './grading.js';
import { NO_NOTICES, type Notices } from './io.js';
import { continueLiveCommand, liveAsClassRun, shellQuote } from './resume-command.js';
import { missingShards, missingShardWarning, shardName, shardOf, type ShardedFile } from './merge-shards.js';
import { absentReasonCodes } from './reasons.js';

export type { CreditMode };

/** The dashboard's options, shared by grading and following. */
export interface DashboardRequest {
  host: string;
  /** 0: a free port. */
  port: number;
  stuckAfterMinutes: number;
  /** Overrides the class config's `credit` (default earned). */
  credit?: CreditMode;
}

export interface LiveRequest extends DashboardRequest {
  intervalSeconds: number;
  /** Default `.lab-grade/live-<time>.jsonl`. */
  ledger?: string;
  /** Stop after this many rounds (default: until stopped). */
  rounds?: number;
  shard?: Shard;
  concurrency?: number;
  studentTimeoutSeconds?: number;
  preflight: boolean;
  allowExecCredentials?: boolean;
  runtime?: RuntimeOverrides;
  /** The command line as typed: a stopped workshop prints the command that continues it. */
  invocation?: readonly string[];
}

export interface FollowRequest extends DashboardRequest {
  /** `results/*.jsonl`: wildcards in the file name. */
  pattern: string;
  pollMs?: number;
}

export interface RoundSummary {
  round: number;
  startedAt: Date;
  durationMs: number;
  /** Students graded in this round. */
  graded: number;
  passing: number;
  incomplete: number;
  stuck: number;
}

/** Who watches a workshop besides the dashboard (the benchmark, tests). */
export interface LiveObserver {
  onDashboard?(server: LiveServer): void;
  /** A result was written to the ledger and the dashboard told. */
  onEntry?(entry: LedgerEntry, delta: StudentDelta): void;
  onRoundEnd?(round: RoundSummary): void;
  /** A round could not be graded at all (nothing of it was written). */
  onOutage?(outage: Outage): void;
}

export interface LiveIo {
  notices: Notices;
  /** What is shown even with --quiet: the dashboard's address (it may carry the token). */
  announce: ReporterOutput;
  observer?: LiveObserver;
}

export interface LiveOutcome {
  exitCode: number;
  /** Stopped by the signal (Ctrl-C) rather than after its rounds. */
  stopped: boolean;
  rounds: number;
  ledger?: string;
}

/** Interrupted, as the other commands exit on Ctrl-C. */
const EXIT_INTERRUPTED = 130;

function classState(config: Pick<ClassConfig, 'credit'> | undefined, profile: LabProfile, roster: readonly string[], request: DashboardRequest): ClassState {
  return new ClassState({
    profile,
    roster,
    mode: request.credit ?? config?.credit ?? LIVE_DEFAULT_CREDIT,
    stuckAfterMinutes: request.stuckAfterMinutes,
    // Reason codes that mean "not done yet", read as every report reads them.
    absent: absentReasonCodes(),
  });
}

async function openDashboard(state: ClassState, request: DashboardRequest, io: LiveIo): Promise<LiveServer> {
  let server: LiveServer;
  try {
    server = await startLiveServer({ host: request.host, port: request.port, state });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError(`port ${request.port} on ${request.host} is in use: choose another, or 0 for a free one`, undefined, '--port');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new ConfigError(`${JSON.stringify(request.host)} is not an address of this machine`, undefined, '--host');
    if (code === 'EACCES') throw new ConfigError(`port ${request.port} needs privileges: choose one above 1023`, undefined, '--port');
    throw err;
  }
  io.announce.write(`Dashboard: ${server.url}\n`);
  io.observer?.onDashboard?.(server);
  return server;
}

/** `.lab-grade/live-<time>[-shardIofN]-pid<pid>.jsonl` */
const defaultLedgerPath = (shard: Shard | undefined): string => defaultJournalPath({ kind: 'live', ...(shard ? { shard } : {}) });

/** Resolves after `ms`, or at once with true when `stop` comes first. */
function pause(ms: number, stop: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([elapsed, stop.then(() => true)]).finally(() => clearTimeout(timer));
}

const stopped = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });

const clock = (d: Date) => d.toTimeString().slice(0, 8);

/** Grades the class in rounds until `request.rounds` are done or `signal` stops it. */
export async function runLive(config: ClassConfig, request: LiveRequest, io: LiveIo, signal?: AbortSignal): Promise<LiveOutcome> {
  const roster = inShard(targetsFor(config), request.shard).map((t) => t.user);
  if (roster.length === 0) throw new ConfigError(`no student of the roster (${config.roster.length}) is in shard ${request.shard!.index}/${request.shard!.count}`, undefined, '--shard');
  const profile = profileFor(config);
  const state = classState(config, profile, roster, request);
  const file = request.ledger ?? defaultLedgerPath(request.shard);
  const server = await openDashboard(state, request, io);
  let ledger: Ledger;
  try {
    const onRoster = new Set(roster);
    const offRoster = new Set<string>();
    ledger = openLedger(
      file,
      // The rules and the shard: a ledger continued under others is refused, as --resume refuses a journal;
      // a merge of the shards' ledgers, or a dashboard following them, tells a missing shard.
      {
        lab: profile.lab,
        profile: config.profileFile ?? 'built-in',
        version: VERSION,
        startedAt: new Date().toISOString(),
        // A workshop never deletes a student's pod: ex6.selfheal is skipped in every round.
        ...gradingRules(profile, [], false).grading,
        ...judgementOf(profile),
        ...(request.shard ? { shard: request.shard } : {}),
      },
      {
        onEntry: (entry) => {
          if (!onRoster.has(entry.student.user)) offRoster.add(entry.student.user);
          state.ingest(entry);
        },
        onWarning: (w) => io.notices.warn(w),
      },
    );
    if (offRoster.size > 0) {
      ledger.close();
      throw offRosterError(file, [...offRoster], config, request.shard);
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  const continued = ledger.lastRound > 0 ? ` (continued after round ${ledger.lastRound}: ${state.summary().graded} students read back)` : '';
  io.notices.status.write(`Ledger: ${file}${continued}\n`);

  let closed = false;
  /** The ledger first (durable), then the dashboard. */
  const ledgerReporter = (round: number, counted: { n: number }): Reporter => ({
    onStudentEnd(student) {
      if (closed) return; // a round cut short by Ctrl-C: its students in flight are not written
      let entry: LedgerEntry;
      try {
        entry = ledger.append(student, round);
      } catch (err) {
        io.notices.warn(`${student.user} was graded but not written to the ledger ${file}: ${errorMessage(err)}`);
        return;
      }
      counted.n++;
      const delta = state.ingest(entry);
      io.observer?.onEntry?.(entry, delta);
    },
  });
  // The pre-flight table once; later rounds say what they found in their own line.
  const laterNotices: Notices = { status: NO_NOTICES.status, warn: (t) => io.notices.warn(t) };

  const stop = stopped(signal);
  // `live` grades nobody by name: a round's messages name the class run that grades a student once.
  const invocation = request.invocation && liveAsClassRun(request.invocation);
  let rounds = 0;
  let interrupted = false;
  try {
    while (request.rounds === undefined || rounds < request.rounds) {
      const round = ledger.nextRound();
      const startedAt = new Date();
      const counted = { n: 0 };
      const graded = grade(
        {
          config,
          profile,
          concurrency: request.concurrency,
          studentTimeoutSeconds: request.studentTimeoutSeconds,
          allowExecCredentials: request.allowExecCredentials,
          classRun: { preflight: request.preflight, progress: false, journal: { auto: false }, ...(request.shard ? { shard: request.shard } : {}) },
          runtime: request.runtime,
          invocation,
        },
        { reporters: [ledgerReporter(round, counted)], notices: rounds === 0 ? io.notices : laterNotices },
      );
      const failed: { error?: unknown } = {};
      const finished = graded.then(
        () => false,
        (error: unknown) => {
          failed.error = error;
          return false;
        },
      );
      if (await Promise.race([finished, stop.then(() => true)])) {
        interrupted = true; // a round left behind by Ctrl-C may still fail: nobody waits for it
        break;
      }
      // The first round fails as a class run does (exit 2, saying how to log in); a later one must not end the workshop.
      if ('error' in failed && rounds === 0) throw failed.error;
      rounds++;
      const last = request.rounds !== undefined && rounds >= request.rounds;
      const nextAt = startedAt.getTime() + request.intervalSeconds * 1000;
      const next = nextAt > Date.now() ? `at ${clock(new Date(nextAt))}` : 'now';
      if ('error' in failed) {
        const outage: Outage = { round, at: new Date().toISOString(), message: outageMessage(failed.error) };
        state.setOutage(outage);
        io.observer?.onOutage?.(outage);
        io.notices.warn(`round ${round} was not graded, nobody's result was written: ${outage.message}${last ? '' : `; the next round (${next}) tries again`}`);
      } else {
        state.setOutage(null);
        const summary = roundSummary(state, round, startedAt, counted.n);
        io.observer?.onRoundEnd?.(summary);
        io.notices.status.write(`${roundLine(summary, state.mode)}${last ? '' : `; next round ${next}`}\n`);
        if (!last && nextAt <= Date.now())
          io.notices.warn(`round ${round} took ${(summary.durationMs / 1000).toFixed(1)} s, longer than the interval (${request.intervalSeconds} s): the next round starts now`);
      }
      if (last) break;
      if (await pause(Math.max(0, nextAt - Date.now()), stop)) {
        interrupted = true;
        break;
      }
    }
  } finally {
    closed = true;
    ledger.close();
    await server.close();
  }
  if (!interrupted) io.notices.status.write(`Reports from the ledger: lab-grade merge ${shellQuote(file)} --credit ${state.mode} -r console\n`);
  return { exitCode: interrupted ? EXIT_INTERRUPTED : exitCodeFor(state.results()), stopped: interrupted, rounds, ledger: file };
}

/**
 * A ledger continued with another roster: students it graded are not in this run's (a student taken off
 * the roster, another class config or shard). Their rows would stay on the dashboard and in the exit
 * code, graded never again. Students added to the roster are welcome: they start at their first round.
 */
function offRosterError(file: string, users: readonly string[], config: ClassConfig, shard: Shard | undefined): ConfigError {
  const shown = users.length > 5 ? `${users.slice(0, 5).join(', ')} and ${users.length - 5} more` : users.join(', ');
  const whose = `the roster of ${config.file}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}`;
  return new ConfigError(
    `the ledger graded ${users.length === 1 ? 'a student' : `${users.length} students`} not in ${whose}: ${shown}; continue it with the roster it was graded for, or pass another --ledger to start a new one`,
    file,
  );
}

/** Why a round could not be graded: for the grader's identity, how to log in again. */
function outageMessage(error: unknown): string {
  if (error instanceof IdentityError) return error.outage;
  return errorMessage(error);
}

function roundSummary(state: ClassState, round: number, startedAt: Date, graded: number): RoundSummary {
  const summary = state.summary();
  const passing = state.results().filter((s) => s.passed).length;
  return { round, startedAt, durationMs: Date.now() - startedAt.getTime(), graded, passing, incomplete: summary.incomplete, stuck: summary.stuck };
}

function roundLine(s: RoundSummary, mode: CreditMode): string {
  return `Round ${s.round}: ${s.graded} students graded in ${(s.durationMs / 1000).toFixed(1)} s: ${s.passing} passing, ${s.incomplete} incomplete, ${s.stuck} stuck (${mode} credit)`;
}

/** Serves the dashboard from ledgers as they grow (files that appear later included), grading nothing. */
export async function followLive(config: ClassOutline | undefined, request: FollowRequest, io: LiveIo, signal?: AbortSignal): Promise<LiveOutcome> {
  const profile = profileFor(config ?? {});
  const state = classState(config, profile, config ? config.roster.map((e) => e.user) : [], request);
  const lab = profile.lab;
  const follower = followLedgers(request.pattern, { pollMs: request.pollMs });
  const server = await openDashboard(state, request, io);
  io.notices.status.write(`Following ${request.pattern}: grading nothing (Ctrl-C stops)\n`);
  const otherLab = new Set<string>();
  const shards = followedShards(state, config?.roster, io.notices);
  const stop = () => follower.close();
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  try {
    for await (const item of follower) {
      if (item.kind === 'warning') io.notices.warn(item.message);
      else if (item.kind === 'header') {
        if (item.header.lab !== lab && !otherLab.has(item.file)) {
          otherLab.add(item.file);
          io.notices.warn(`${item.file} is a ledger of lab ${JSON.stringify(item.header.lab)}, this dashboard shows ${JSON.stringify(lab)}: skipped`);
        }
        if (!otherLab.has(item.file)) shards.saw(item.file, item.header.shard);
      } else if (!otherLab.has(item.file)) {
        try {
          const delta = state.ingest(item.entry);
          io.observer?.onEntry?.(item.entry, delta);
        } catch (err) {
          io.notices.warn(`${item.file}: a result of ${item.entry.student.user} could not be read (${errorMessage(err)}): skipped`);
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    follower.close();
    await server.close();
  }
  return { exitCode: signal?.aborted ? EXIT_INTERRUPTED : exitCodeFor(state.results()), stopped: !!signal?.aborted, rounds: 0 };
}

/**
 * The shards of a followed class: each ledger's header names its shard; those of the split with no
 * ledger yet are told on stderr and shown on the dashboard until theirs appears.
 */
function followedShards(state: ClassState, roster: readonly { user: string }[] | undefined, notices: Notices) {
  const seen: ShardedFile[] = [];
  return {
    saw(file: string, value: unknown): void {
      let missing: Shard[];
      try {
        const { shard } = shardOf(value, file);
        if (!shard || seen.some((s) => s.file === file)) return;
        missing = missingShards([...seen, { file, shard }], { repeats: true });
        seen.push({ file, shard });
      } catch (err) {
        notices.warn(`${errorMessage(err)}: its students are shown, its shard is not counted`);
        return;
      }
      state.setMissingShards(missing.map(shardName));
      const count = seen[0].shard!.count;
      const lines = missing.length ? missing.map((s) => missingShardWarning(s, roster, 'on the dashboard yet')) : [`every shard of ${count} has a ledger`];
      notices.status.write(lines.map((l) => `Shards: ${l}\n`).join(''));
    },
  };
}

export type LiveCommandRequest = ({ follow: FollowRequest } | { grade: LiveRequest }) & { configFile?: string };

/** The command: Ctrl-C (or SIGTERM) stops it cleanly — the ledger holds every result written — and exits 130. */
export async function liveCommand(request: LiveCommandRequest, io: LiveIo): Promise<number> {
  const controller = new AbortController();
  const onStop = () => controller.abort();
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  try {
    let outcome: LiveOutcome;
    if ('follow' in request) {
      // The roster, the profile and the credit: a dashboard reads no credential of the graders'.
      outcome = await followLive(request.configFile !== undefined ? loadClassOutline(request.configFile) : undefined, request.follow, io, controller.signal);
    } else {
      outcome = await runLive(loadClassConfig(request.configFile ?? 'lab-grade.yaml'), request.grade, io, controller.signal);
    }
    if (!outcome.stopped) return outcome.exitCode;
    const how = outcome.ledger ? `; continue with \`${continueLiveCommand('grade' in request ? (request.grade.invocation ?? []) : [], outcome.ledger)}\`` : '';
    io.announce.write(`\nlab-grade: stopped${how}\n`);
    // A round cut short still holds sockets: nothing of it is written any more, so the process ends here.
    process.exit(EXIT_INTERRUPTED);
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
}
