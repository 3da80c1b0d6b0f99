/**
 * Shared helpers of the security tests (test/security): where the hostile scenarios live, a record of
 * every TCP connection the process opens (to prove a refusal happened before any packet), peak memory
 * around a call, time bounds, captured stdout/stderr, and the grading request of the real CLI path.
 */
import type { LookupAddress, LookupOneOptions } from 'node:dns';
import { isIP, Socket, type LookupFunction } from 'node:net';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHECK_IDS } from '../../checks/index.js';
import { packagePath } from '../../core/paths.js';
import type { ReportedRequest } from '../../app/report-run.js';
import { isLoopback } from '../../probes/net.js';
import { loadScenarios, type Scenario } from '../../sandbox/scenario.js';

export const HOSTILE = packagePath('fixtures', 'scenarios', 'hostile');
export const BUILT_IN = packagePath('fixtures', 'scenarios');

export function hostileScenario(name: string): Scenario {
  return loadScenarios([packagePath('fixtures', 'scenarios', 'hostile', `${name}.yaml`)], CHECK_IDS)[0];
}

/** A built-in or hostile scenario with another user and faults (a student of its own). */
export function variant(base: Scenario, user: string, faults: Partial<Scenario['faults']> = {}): Scenario {
  return { ...base, user, faults: { ...base.faults, ...faults } };
}

/** A grading request as the command line makes it, with no pre-flight, progress or journal unless asked. */
export function gradeRequest(over: Partial<ReportedRequest> = {}): ReportedRequest {
  return { concurrency: 16, reports: [], ...over };
}

export interface Dial {
  host: string;
  port: number;
  via: 'net' | 'undici';
  /** The watcher stopped it before any packet: an address (or a name) outside 127.0.0.0/8. */
  blocked?: boolean;
}

/** The error a blocked connection fails with: the grader sees a refused connection, the test sees who asked. */
export const BLOCKED_CODE = 'EACCES';

/**
 * Records every outgoing TCP connection of this process and **blocks** any towards an address outside
 * 127.0.0.0/8 before it is made, so a regression in the network policy fails the test without a packet
 * leaving the machine. It hooks `net.Socket#connect` (which `net.connect`, `tls.connect`, undici's
 * connector and the SSH probe's socket all go through) and records undici's
 * `undici:client:beforeConnect` diagnostics channel (the origin undici is about to dial). A name other
 * than `localhost` is blocked outright, since looking it up would already send a DNS query, unless the
 * caller resolves it with its own `lookup` (the policy's connector does): then the answer is checked.
 */
export function watchConnections() {
  const dials: Dial[] = [];
  const original = Socket.prototype.connect;
  const block = (socket: Socket, dial: Dial) => {
    dial.blocked = true;
    const error = Object.assign(new Error(`connect ${BLOCKED_CODE} ${dial.host}:${dial.port} (blocked by the test's connection watcher: outside 127.0.0.0/8)`), {
      code: BLOCKED_CODE,
    });
    process.nextTick(() => socket.destroy(error));
    return socket;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Socket.prototype.connect = function (this: Socket, ...args: any[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    let dial: Dial | undefined;
    let options: { lookup?: LookupFunction } | undefined;
    if (first && typeof first === 'object') {
      if (!first.path) {
        dial = { host: String(first.host ?? 'localhost'), port: Number(first.port), via: 'net' };
        options = first;
      }
    } else if (typeof first === 'number' || typeof first === 'string') {
      if (typeof first === 'number' || /^\d+$/.test(first)) dial = { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first), via: 'net' };
    }
    if (dial) {
      dials.push(dial);
      const host = dial.host.replace(/^\[|\]$/g, '');
      if (isIP(host) ? !isLoopback(host) : host !== 'localhost' && !options?.lookup) return block(this, dial);
      if (!isIP(host) && options?.lookup) {
        const lookup = options.lookup;
        const seen = dial;
        // The caller's own resolution: block an answer outside loopback before the connect.
        options.lookup = ((hostname: string, opts: LookupOneOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) =>
          lookup(hostname, opts, (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
            const addresses = typeof address === 'string' ? [address] : (address ?? []).map((a) => a.address);
            if (!err && addresses.some((a) => !isLoopback(a))) {
              seen.blocked = true;
              seen.host = addresses.find((a) => !isLoopback(a))!;
              callback(Object.assign(new Error(`connect ${BLOCKED_CODE} ${hostname} → ${seen.host} (blocked by the test's connection watcher)`), { code: BLOCKED_CODE }), '', 4);
              return;
            }
            callback(err, address, family);
          })) as LookupFunction;
      }
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof original;
  const onUndici = (message: unknown) => {
    const p = (message as { connectParams?: { hostname?: string; port?: string | number } }).connectParams;
    if (p?.hostname) dials.push({ host: p.hostname, port: Number(p.port), via: 'undici' });
  };
  subscribe('undici:client:beforeConnect', onUndici);
  return {
    dials,
    /** TCP connections attempted towards an address outside 127.0.0.0/8 (names count as outside), blocked or not. */
    outsideLoopback: () => dials.filter((d) => d.via === 'net' && !isLoopback(d.host.replace(/^\[|\]$/g, '')) && d.host !== 'localhost'),
    /** Any attempt (undici or net) towards this host. */
    towards: (host: string) => dials.filter((d) => d.host.replace(/^\[|\]$/g, '') === host),
    stop() {
      Socket.prototype.connect = original;
      unsubscribe('undici:client:beforeConnect', onUndici);
    },
  };
}

/** Runs `fn` while sampling RSS and heap every 5 ms: the growth over the starting values. */
export async function peakMemoryDuring<T>(fn: () => Promise<T>): Promise<{ value: T; rssGrowth: number; heapGrowth: number }> {
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await fn();
    sample();
    return { value, rssGrowth: rss - start.rss, heapGrowth: heap - start.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

/** The time `fn` took; throws if it took longer than `limitMs` (a hang is a failure, not a stuck test). */
export async function timed<T>(limitMs: number, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${limitMs} ms`)), limitMs);
  });
  try {
    const value = await Promise.race([fn(), limit]);
    return { value, ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** `fn`'s rejection (the test fails if it resolves). */
export async function rejection(fn: () => Promise<unknown>): Promise<Error & { detail?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Everything written to process.stdout/stderr and console.* while capturing (still not shown). */
export function captureStd() {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  methods.forEach((m) => (console[m] = (...a: unknown[]) => void err.push(a.map(String).join(' ') + '\n')));
  return {
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    restore() {
      process.stdout.write = o;
      process.stderr.write = e;
      methods.forEach((m, i) => (console[m] = saved[i]));
    },
  };
}

/** Every string of a JSON value (keys included), for "no string longer than" assertions. */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      allStrings(v, out);
    }
  }
  return out;
}
