/**
 * `lab-grade live` on a ledger it wrote before: continued under the same rules, roster and shard; under
 * others refused (exit 2) saying what differs, as `--resume` refuses a journal, before anyone is graded.
 * And rounds that take longer than the interval: they never overlap, nobody is graded twice at once.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassConfig, type ClassConfig } from '../core/config.js';
import { shardOf } from '../core/shard.js';
import { runCli } from '../test/support/cli.js';
import { collectedNotices } from '../test/support/notices.js';
import { bufferOutput } from '../reporters/replay.js';
import { killLeftovers, ledgerLines, startWorkshop, type Workshop } from '../test/support/live-workshop.js';
import { armHangs } from '../test/support/live-workshop.js';
import { runLive, type LiveRequest, type RoundSummary } from './live.js';

let workshop: Workshop;
let config: ClassConfig;
let ledger: string;

const request = (extra: Partial<LiveRequest> = {}): LiveRequest => ({ host: '127.0.0.1', port: 0, stuckAfterMinutes: 15, intervalSeconds: 1, rounds: 1, ledger, preflight: false, ...extra });
const live = (cfg: ClassConfig, extra: Partial<LiveRequest> = {}) => runLive(cfg, request(extra), { notices: collectedNotices(), announce: bufferOutput() });
const headers = () =>
  readFileSync(ledger, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"header"'));

const rosterOf = (...users: string[]): ClassConfig => ({ ...config, roster: config.roster.filter((r) => users.includes(r.user)) });

/** A profile that extends the built-in one: `checks` as the profile file's YAML lines. */
function profileConfig(name: string, checks: string): ClassConfig {
  const file = join(workshop.dir, `${name}.yaml`);
  writeFileSync(file, `extends: builtin\nchecks:\n${checks}`);
  return { ...config, profileFile: file };
}

describe('lab-grade live continuing its ledger', () => {
  beforeAll(async () => {
    workshop = await startWorkshop(['01-perfect.yaml', '08-barely-started.yaml']);
    config = loadClassConfig(workshop.configFile);
    ledger = join(workshop.dir, 'continued.jsonl');
    // labuser08 joins later.
    await live(rosterOf('labuser01'));
  }, 60_000);
  afterAll(async () => {
    killLeftovers();
    await workshop?.stop();
  });

  it('the ledger records the rules it was graded under: the checks, the profile, the pass mark', () => {
    const header = JSON.parse(headers()[0]) as Record<string, unknown>;
    expect(header).toMatchObject({ type: 'header', lab: 'aks-greetings', only: [], passMark: expect.any(Number) as number, profileHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
    expect(header.checks).toContain('ex6.myapp.service');
  });

  it('refuses another shard, another profile, checks switched off, or a roster without a student it graded; nothing is written', async () => {
    const before = readFileSync(ledger, 'utf8');
    const shard = { index: shardOf('labuser01', 2), count: 2 };
    await expect(live(config, { shard })).rejects.toThrow(
      `${ledger}: the ledger was graded for the whole roster (no --shard), this run grades shard ${shard.index}/2; each shard continues its own ledger`,
    );
    const fewer = profileConfig('fewer', '  ex6.selfheal: { enabled: false }\n');
    await expect(live(fewer)).rejects.toThrow(`${ledger}: the ledger graded `);
    await expect(live(fewer)).rejects.toThrow('(gone: ex6.selfheal); continue it under the rules it was graded with, or pass another --ledger to start a new one');
    const points = profileConfig('points', '  ex1.vm.reachable: { points: 5 }\n');
    await expect(live(points)).rejects.toThrow(`${ledger}: the ledger was graded with another lab profile (built-in, `);
    await expect(live(rosterOf('labuser08'))).rejects.toThrow(
      `${ledger}: the ledger graded a student not in the roster of ${config.file}: labuser01; continue it with the roster it was graded for, or pass another --ledger to start a new one`,
    );
    expect(readFileSync(ledger, 'utf8')).toBe(before);
  }, 60_000);

  it('exits 2 on the command line, saying what differs', async () => {
    const index = shardOf('labuser08', 2);
    const r = await runCli(['live', '-c', workshop.configFile, '--port', '0', '--no-preflight', '--rounds', '1', '--ledger', ledger, '--shard', `${index}/2`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the ledger was graded for the whole roster (no --shard), this run grades shard ${index}/2; each shard continues its own ledger`);
  }, 60_000);

  it('continues under the same rules with a student added to the roster: the next round, no second header', async () => {
    const outcome = await live(config);
    expect(outcome.rounds).toBe(1);
    expect(headers()).toHaveLength(1);
    expect(
      ledgerLines(ledger)
        .map((l) => `${l.round} ${l.student.user}`)
        .sort(),
    ).toEqual(['1 labuser01', '2 labuser01', '2 labuser08']);
  }, 60_000);

  it('without --ledger, writes its ledger to .lab-grade/live-<time>-pid<pid>.jsonl in the current folder, and says where and how to merge it', async () => {
    const cwd = mkdtempSync(join(workshop.dir, 'cwd-'));
    const r = await runCli(['live', '-c', workshop.configFile, '--port', '0', '--no-preflight', '--rounds', '1', '--shard', '1/1'], { cwd });
    expect([0, 1]).toContain(r.code);
    const [, told] = /^Ledger: (\S+)$/m.exec(r.stderr) ?? [];
    const files = readdirSync(join(cwd, '.lab-grade'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^live-\d{8}T\d{6}\.\d{3}Z-shard1of1-pid\d+\.jsonl$/);
    expect(told).toBe(`.lab-grade/${files[0]}`);
    expect(
      ledgerLines(join(cwd, told))
        .map((l) => `${l.round} ${l.student.user}`)
        .sort(),
    ).toEqual(['1 labuser01', '1 labuser08']);
    expect(r.stderr).toContain(`Reports from the ledger: lab-grade merge ${told} --credit earned -r console`);
  }, 60_000);
});

describe('lab-grade live rounds longer than the interval', () => {
  beforeAll(async () => {
    workshop = await startWorkshop(['01-perfect.yaml', '08-barely-started.yaml']);
    config = loadClassConfig(workshop.configFile);
  }, 60_000);
  afterAll(async () => {
    killLeftovers();
    await workshop?.stop();
  });

  it('a round past the interval delays the next: rounds never overlap, each student graded once per round; another --host serves with a token', async () => {
    // labuser08's Azure hangs until its 2 s timeout: each round takes at least 2 s, the interval is 1 s
    // (the student's deadline leaves the grader's 5 s of check work beyond the probes' timeouts).
    workshop.change('labuser08', armHangs);
    const quick = { ...config, timeoutsMs: { vm: 2_000, azure: 2_000, kube: 2_000, registry: 2_000, http: 2_000 } };
    const file = join(workshop.dir, 'slow.jsonl');
    const rounds: RoundSummary[] = [];
    const announce = bufferOutput();
    const outcome = await runLive(
      quick,
      { ...request({ ledger: file, rounds: 3, intervalSeconds: 1, studentTimeoutSeconds: 7 }), host: '127.0.0.2' },
      {
        notices: collectedNotices(),
        announce,
        observer: { onRoundEnd: (r) => void rounds.push(r) },
      },
    );
    expect(outcome.rounds).toBe(3);
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    for (const [i, r] of rounds.entries()) {
      expect(r.durationMs, `round ${r.round}`).toBeGreaterThanOrEqual(2000);
      if (i > 0) expect(r.startedAt.getTime(), `round ${r.round} starts after round ${r.round - 1} ended`).toBeGreaterThanOrEqual(rounds[i - 1].startedAt.getTime() + rounds[i - 1].durationMs);
    }
    const lines = ledgerLines(file);
    expect(lines.map((l) => `${l.round} ${l.student.user}`).sort()).toEqual(['1 labuser01', '1 labuser08', '2 labuser01', '2 labuser08', '3 labuser01', '3 labuser08']);
    // Written in round order: no student of a round is written before every student of the round before it.
    expect(lines.map((l) => l.round)).toEqual([...lines.map((l) => l.round)].sort((a, b) => a - b));
    const [, host, token] = /^Dashboard: http:\/\/([\d.]+):\d+\/\?token=([\w-]+)\n$/.exec(announce.text()) ?? [];
    expect([host, token?.length]).toEqual(['127.0.0.2', 32]);
  }, 60_000);
});
