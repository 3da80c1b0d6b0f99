/**
 * One measured live workshop: a generated class in the simulated lab (its own process), every server
 * answering after `latencyMs`, graded in rounds by `runLive` as `lab-grade live` does, with a dashboard
 * client reading Server-Sent Events. Per round: how long it took against the interval, how long each
 * result took from the ledger to the dashboard's event stream, and the grader's heap after a full
 * collection (run it with --expose-gc) and RSS: flat when nothing but each student's latest result and
 * earned map is kept.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_NOTICES } from '../app/io.js';
import { runLive } from '../app/live.js';
import { loadClassConfig } from '../core/config.js';
import { writeClass } from '../test/support/class.js';
import { startLabProcess } from './lab-process.js';

export interface LiveOptions {
  students: number;
  latencyMs: number;
  concurrency: number;
  intervalSeconds: number;
  rounds: number;
}

export interface LiveRound {
  round: number;
  wallMs: number;
  graded: number;
  /** Ledger append → the student's event read by a dashboard client, per result of the round (ms). */
  updateMs: { median: number; p99: number; max: number; count: number };
  /** After the round, after a full collection when the process allows one. */
  heapUsedMb: number;
  rssMb: number;
  ledgerMb: number;
}

export interface LiveMeasurement {
  options: LiveOptions;
  gcExposed: boolean;
  rounds: LiveRound[];
}

/** Reads `/events` of the dashboard, calling `onStudent(version)` as each student's event arrives. */
function followEvents(url: string, onStudent: (version: number) => void): () => void {
  let buffer = '';
  const req = request(new URL('events', url), { headers: { accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: student$/m.test(event)) continue;
        const id = /^id: (\d+)$/m.exec(event);
        if (id) onStudent(Number(id[1]));
      }
    });
  });
  req.on('error', () => undefined); // the dashboard closes when the workshop ends
  req.end();
  return () => req.destroy();
}

const quantile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN);

export async function measureLive(opts: LiveOptions): Promise<LiveMeasurement> {
  const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-live-'));
  const cls = writeClass(opts.students, { dir: join(work, 'class'), faults: { latencyMs: opts.latencyMs } });
  const lab = await startLabProcess(cls.dir, join(work, 'lab'));
  const ledger = join(work, 'ledger.jsonl');
  const gc = (globalThis as { gc?: () => void }).gc;
  /** Event version → when its result was recorded (epoch ms), and its round. */
  const written = new Map<number, { at: number; round: number }>();
  const latencies = new Map<number, number[]>();
  const rounds: Array<Omit<LiveRound, 'updateMs'>> = [];
  let stopEvents = () => undefined as void;
  try {
    const config = loadClassConfig(lab.configFile);
    await runLive(
      config,
      { host: '127.0.0.1', port: 0, stuckAfterMinutes: 15, intervalSeconds: opts.intervalSeconds, rounds: opts.rounds, ledger, concurrency: opts.concurrency, preflight: true },
      {
        notices: NO_NOTICES,
        announce: NO_NOTICES.status,
        observer: {
          onDashboard: (server) => {
            stopEvents = followEvents(server.url, (version) => {
              const w = written.get(version);
              if (w === undefined) return;
              written.delete(version);
              const round = latencies.get(w.round) ?? [];
              round.push(Date.now() - w.at);
              latencies.set(w.round, round);
            });
          },
          // From the time the ledger line carries (taken before it is written and fsync'd) to the event's arrival.
          onEntry: (entry, delta) => void written.set(delta.version, { at: Date.parse(entry.at), round: entry.round }),
          onRoundEnd: (r) => {
            gc?.();
            const mem = process.memoryUsage();
            rounds.push({
              round: r.round,
              wallMs: r.durationMs,
              graded: r.graded,
              heapUsedMb: mem.heapUsed / 1024 / 1024,
              rssMb: mem.rss / 1024 / 1024,
              ledgerMb: statSync(ledger).size / 1024 / 1024,
            });
          },
        },
      },
    );
    const withUpdates = rounds.map((r): LiveRound => {
      // The last round's last events may be cut off when the dashboard closes: `count` says how many arrived.
      const sorted = (latencies.get(r.round) ?? []).sort((a, b) => a - b);
      return { ...r, updateMs: { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN, count: sorted.length } };
    });
    return { options: opts, gcExposed: gc !== undefined, rounds: withUpdates };
  } finally {
    stopEvents();
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
