/**
 * `lab-grade live` over rounds against the simulated lab: a later round whose pre-flight finds the
 * grader's Azure identity gone is skipped (nothing written, the dashboard says so) and the workshop
 * goes on, while the first round stops at once as a class run does; and the command the pre-flight
 * prints for a student it could not reach is one the real command line grades.
 */
import { join } from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadClassConfig, targetsFor } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { JournalHeader } from '../core/journal.js';
import { shardOf } from '../core/shard.js';
import type { ClassSnapshot, Outage } from '../live/state.js';
import { credentialFor } from '../probes/azure/token.js';
import { bufferOutput } from '../reporters/replay.js';
import { runCli } from '../test/support/cli.js';
import { killLeftovers, ledgerLines, startLive, startWorkshop, type Workshop } from '../test/support/live-workshop.js';
import { until } from '../test/support/until.js';
import { IdentityError, loginHint } from './grading.js';
import { collectedNotices } from '../test/support/notices.js';
import { followLive, runLive, type LiveRequest } from './live.js';
import { missingShardWarning } from './merge-shards.js';
import { mergeReports } from './merge.js';

const EXPIRED = 'AADSTS700082: the refresh token has expired due to inactivity';

const readHeader = (file: string) => JSON.parse(readFileSync(file, 'utf8').split('\n')[0]) as JournalHeader;

const api = async (url: string): Promise<ClassSnapshot> => (await (await fetch(new URL('api/class', url))).json()) as ClassSnapshot;

/**
 * The config's own credential, with a hook before the first token of each round (the pre-flight's
 * identity check) and a round in which it gets none.
 */
function roundCredential(real: TokenCredential, o: { failIn: (round: number) => boolean; beforeRound: (round: number) => Promise<void> }) {
  let round = 1;
  let hooked = 0;
  const credential: TokenCredential = {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      if (hooked < round) {
        hooked = round;
        await o.beforeRound(round);
      }
      if (o.failIn(round)) throw new Error(EXPIRED);
      return real.getToken(scopes, options);
    },
  };
  return { credential, roundEnded: () => void round++ };
}

let workshop: Workshop;

describe('lab-grade live when a round cannot be graded', () => {
  beforeAll(async () => {
    workshop = await startWorkshop(['01-perfect.yaml', '08-barely-started.yaml']);
  }, 60_000);
  afterAll(async () => {
    killLeftovers();
    await workshop?.stop();
  });

  const request = (ledger: string, rounds: number, credential: TokenCredential): LiveRequest => ({
    host: '127.0.0.1',
    port: 0,
    stuckAfterMinutes: 15,
    intervalSeconds: 1,
    rounds,
    ledger,
    preflight: true,
    runtime: { credential },
  });

  it('a later round whose identity gets no token grades nobody, says so on stderr and the dashboard, and the next round goes on', async () => {
    const config = loadClassConfig(workshop.configFile);
    let url = '';
    const seen = new Map<number, ClassSnapshot>();
    const outages: Outage[] = [];
    const rounds = roundCredential(credentialFor(config.azure!, config.caPem), {
      failIn: (round) => round === 2,
      // What the dashboard shows before each round starts: nothing of the next round has been graded yet.
      beforeRound: async (round) => void (round > 1 && seen.set(round, await api(url))),
    });
    const ledger = join(workshop.dir, 'outage.jsonl');
    const notices = collectedNotices();
    const outcome = await runLive(config, request(ledger, 4, rounds.credential), {
      notices,
      announce: notices.status,
      observer: {
        onDashboard: (server) => void (url = server.url),
        onRoundEnd: rounds.roundEnded,
        onOutage: (outage) => {
          outages.push(outage);
          rounds.roundEnded();
        },
      },
    });

    expect(outcome).toMatchObject({ rounds: 4, stopped: false });
    expect([0, 1, 3]).toContain(outcome.exitCode);
    // Round 2 wrote nothing: no all-incomplete round that would read as a regression.
    expect(
      ledgerLines(ledger)
        .map((l) => `${l.round} ${l.student.user}`)
        .sort(),
    ).toEqual(['1 labuser01', '1 labuser08', '3 labuser01', '3 labuser08', '4 labuser01', '4 labuser08']);
    const expected = { round: 2, message: `the Azure identity could not get a token: ${loginHint(config)} (${EXPIRED})` };
    expect(outages).toEqual([expect.objectContaining(expected)]);
    // The dashboard showed it until round 3 graded the class again.
    expect(seen.get(3)).toMatchObject({ outage: expected, graded: 2 });
    expect(seen.get(4)!.outage).toBeNull();
    // Said once, on stderr.
    expect(notices.text().split(EXPIRED)).toHaveLength(2);
  }, 120_000);

  it("a shard's ledger names its shard: merge (with the class config) and a dashboard following it tell the shard that is missing", async () => {
    const config = loadClassConfig(workshop.configFile);
    const index = shardOf('labuser01', 2);
    const other = { index: 3 - index, count: 2 };
    const dir = join(workshop.dir, 'shards');
    const ledger = join(dir, `shard-${index}.jsonl`);
    const notices = collectedNotices();
    await runLive(config, { ...request(ledger, 1, credentialFor(config.azure!, config.caPem)), shard: { index, count: 2 } }, { notices, announce: notices.status });
    expect(readHeader(ledger).shard).toEqual({ index, count: 2 });

    const roster = targetsFor(config);
    const merged = collectedNotices();
    await mergeReports([ledger], [{ format: 'json' }], undefined, { stdout: bufferOutput(), notices: merged }, { configFile: workshop.configFile, credit: 'earned' });
    expect(merged.text()).toBe(`lab-grade: warning: ${missingShardWarning(other, roster)}\n`);

    const stop = new AbortController();
    let url = '';
    const following = followLive(
      config,
      { pattern: join(dir, '*.jsonl'), host: '127.0.0.1', port: 0, stuckAfterMinutes: 15, pollMs: 50 },
      { notices: collectedNotices(), announce: collectedNotices().status, observer: { onDashboard: (server) => void (url = server.url) } },
      stop.signal,
    );
    const shown = await until('the dashboard to tell the missing shard', async () => {
      const snapshot = url !== '' && (await api(url));
      return snapshot && snapshot.missingShards.length > 0 && snapshot;
    });
    expect(shown.missingShards).toEqual([`${other.index}/2`]);
    stop.abort();
    await following;
  }, 120_000);

  it('the first round stops at once as a class run does (exit 2, how to log in), having written no result', async () => {
    const config = loadClassConfig(workshop.configFile);
    const { credential } = roundCredential(credentialFor(config.azure!, config.caPem), { failIn: () => true, beforeRound: async () => undefined });
    const ledger = join(workshop.dir, 'first-round.jsonl');
    const notices = collectedNotices();
    const run = runLive(config, request(ledger, 3, credential), { notices, announce: notices.status });
    await expect(run).rejects.toBeInstanceOf(IdentityError);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    expect(ledgerLines(ledger)).toEqual([]);
  }, 60_000);
});

describe("the pre-flight's command for a student it could not reach", () => {
  let noVm: Workshop;
  beforeAll(async () => {
    noVm = await startWorkshop(['01-perfect.yaml', '10-no-vm-cluster-creating.yaml']);
  }, 60_000);
  afterAll(async () => {
    killLeftovers();
    await noVm?.stop();
  });

  it('is a class run the real command line accepts, grading that student', async () => {
    const ledger = join(noVm.dir, 'hint.jsonl');
    const live = startLive(['live', '-c', noVm.configFile, '--interval', '60', '--rounds', '1', '--port', '0', '--ledger', ledger, '-j', '4', '--stuck-after', '20'], { cwd: noVm.dir });
    const [, command] = await live.waitFor(/once they are reachable: (lab-grade .*)$/m, 60_000);
    expect([0, 1, 3]).toContain((await live.exited).code);
    expect(command).toBe(`lab-grade -c ${noVm.configFile} -j 4 --user labuser10`);
    // Our commands quote nothing this one holds: its words are its arguments.
    const again = await runCli(command.replace(/^lab-grade /, '').split(' '), { cwd: noVm.dir, timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(3); // still no VM: still incomplete, but graded
    expect([...again.stdout.matchAll(/^(labuser\d\d)$/gm)].map((m) => m[1])).toEqual(['labuser10']);
  }, 180_000);
});
