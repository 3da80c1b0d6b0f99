/**
 * Shared helpers of the security tests (test/security): where the hostile scenarios live, a record of
 * every TCP connection the process opens (to prove a refusal happened before any packet), peak memory
 * around a call, time bounds, captured stdout/stderr, and the grading request of the real CLI path.
 */
import dns, { type LookupAddress, type LookupOneOptions } from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { isIP, Socket, type LookupFunction } from 'node:net';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHECK_IDS } from '../../checks/index.js';
import { packagePath } from '../../core/paths.js';
import type { ReportedRequest } from '../../app/report-run.js';
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

/** A name resolution asked of node:dns (`lookup`, `resolve4`, `reverse`, …, callback or promise). */
export interface Lookup {
  name: string;
  api: string;
  /** The watcher answered it with an error without asking anyone: a name other than `localhost`, or an answer outside loopback. */
  blocked: boolean;
}

/** The error a blocked connection fails with: the grader sees a refused connection, the test sees who asked. */
export const BLOCKED_CODE = 'EACCES';

const DECIMAL_OCTET = '(0|[1-9]\\d{0,2})';
const DOTTED_DECIMAL = new RegExp(`^${DECIMAL_OCTET}\\.${DECIMAL_OCTET}\\.${DECIMAL_OCTET}\\.${DECIMAL_OCTET}$`);

/** The value of IPv6 written as hex groups (at most one `::`), else undefined. */
function ipv6Value(text: string): bigint | undefined {
  const halves = text.split('::').map((half) => (half ? half.split(':') : []));
  const written = halves.flat();
  if (halves.length > 2 || !written.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  if (halves.length === 1 ? written.length !== 8 : written.length > 7) return undefined;
  const groups = halves.length === 1 ? written : [...halves[0], ...Array<string>(8 - written.length).fill('0'), ...halves[1]];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * The watcher's own rule, independent of the network policy it polices: loopback is 127.0.0.0/8
 * written as four decimal octets, or the value ::1 (a zone allowed: ::1 never leaves the machine).
 * Every other text is outside: other spellings (`127.1`, `::ffff:127.0.0.1`), the unspecified address
 * (`0.0.0.0`, `::`: it reaches this machine by a route the policy must refuse) and names.
 */
export function watcherLoopback(host: string): boolean {
  const v4 = DOTTED_DECIMAL.exec(host);
  if (v4) return Number(v4[1]) === 127 && v4.slice(2).every((octet) => Number(octet) <= 255);
  const v6 = /^([0-9a-fA-F:]+)(%[0-9A-Za-z._-]+)?$/.exec(host);
  return !!v6 && ipv6Value(v6[1]) === 1n;
}

/** Loopback by the watcher's rule, or the name `localhost` (resolved through the watched lookup). */
const loopbackHost = (host: string) => watcherLoopback(host) || host.toLowerCase() === 'localhost';

const blockedError = (what: string) => Object.assign(new Error(`${BLOCKED_CODE} ${what} (blocked by the test's connection watcher: outside 127.0.0.0/8)`), { code: BLOCKED_CODE });

const answers = (address: string | LookupAddress | LookupAddress[] | undefined) => (typeof address === 'string' ? [address] : [address ?? []].flat().map((a) => a.address));

// The names of node:dns that always ask a DNS server (any name, any answer).
const QUERIES = /^(resolve|reverse)/;

type Patch = { target: Record<string, unknown>; name: string; original: unknown };

/**
 * Stops node:dns from resolving anything but `localhost` (and an IP address on loopback): `lookup`
 * in both forms, every `resolve*`/`reverse` of the module and of its `Resolver` classes, and
 * `lookupService`, so a grader asking for a name fails at once instead of sending a query. A
 * `localhost` answer outside loopback is blocked too. Named ESM imports (`import { lookup } from
 * 'node:dns/promises'`) see the patch through `syncBuiltinESMExports`.
 */
function watchDns(lookups: Lookup[]): () => void {
  const patches: Patch[] = [];
  const patch = (target: object, name: string, replacement: (original: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const t = target as Record<string, unknown>;
    const original = t[name] as (...a: unknown[]) => unknown;
    patches.push({ target: t, name, original });
    t[name] = replacement(original);
  };
  const refuse = (name: string, api: string) => {
    lookups.push({ name, api, blocked: true });
    return blockedError(`${api} ${name}`);
  };
  const callbackQuery = (api: string) => () =>
    function (this: unknown, ...args: unknown[]) {
      const callback = args.at(-1) as (err: Error) => void;
      const error = refuse(String(args[0]), api);
      process.nextTick(() => callback(error));
    };
  const promiseQuery = (api: string) => () =>
    function (this: unknown, ...args: unknown[]) {
      return Promise.reject(refuse(String(args[0]), api));
    };
  for (const [target, form] of [
    [dns, callbackQuery],
    [dns.Resolver.prototype, callbackQuery],
    [dns.promises, promiseQuery],
    [dns.promises.Resolver.prototype, promiseQuery],
  ] as const) {
    for (const name of Object.getOwnPropertyNames(target).filter((n) => QUERIES.test(n))) patch(target, name, form(name));
  }
  // getnameinfo asks a DNS server for the name of an address outside loopback.
  patch(
    dns,
    'lookupService',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        if (watcherLoopback(String(args[0]))) return original.apply(this, args);
        return callbackQuery('lookupService')()(...args);
      },
  );
  patch(
    dns.promises,
    'lookupService',
    (original) =>
      (...args: unknown[]) =>
        watcherLoopback(String(args[0])) ? original(...args) : promiseQuery('lookupService')()(...args),
  );
  const outside = (name: string, answer: string | LookupAddress | LookupAddress[] | undefined) => {
    const bad = answers(answer).find((a) => !watcherLoopback(a));
    return bad === undefined ? undefined : refuse(`${name} → ${bad}`, 'lookup');
  };
  patch(
    dns,
    'lookup',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const name = String(args[0]);
        const callback = args.at(-1) as (err: Error | null, address?: unknown, family?: number) => void;
        if (!loopbackHost(name)) {
          const error = refuse(name, 'lookup');
          process.nextTick(() => callback(error));
          return;
        }
        return original.apply(this, [
          ...args.slice(0, -1),
          (err: Error | null, address: string | LookupAddress[], family?: number) => {
            const error = err ? undefined : outside(name, address);
            if (error) return callback(error);
            lookups.push({ name, api: 'lookup', blocked: false });
            callback(err, address, family);
          },
        ]);
      },
  );
  patch(dns.promises, 'lookup', (original) => async (...args: unknown[]) => {
    const name = String(args[0]);
    if (!loopbackHost(name)) throw refuse(name, 'lookup');
    const answer = (await original(...args)) as LookupAddress | LookupAddress[];
    const error = outside(name, answer);
    if (error) throw error;
    lookups.push({ name, api: 'lookup', blocked: false });
    return answer;
  });
  syncBuiltinESMExports();
  return () => {
    for (const { target, name, original } of patches.reverse()) target[name] = original;
    syncBuiltinESMExports();
  };
}

/**
 * Records every outgoing TCP connection and name resolution of this process and **blocks** any towards
 * an address outside 127.0.0.0/8 before it is made, so a regression in the network policy fails the
 * test without a packet leaving the machine. It decides by its own rule (`watcherLoopback`), never by
 * the policy's, so a bug there cannot weaken it. It hooks `net.Socket#connect` (which `net.connect`,
 * `tls.connect`, undici's connector and the SSH probe's socket all go through), node:dns (see
 * `watchDns`), and records undici's `undici:client:beforeConnect` diagnostics channel (the origin undici
 * is about to dial). A name other than `localhost` is blocked outright, since looking it up would
 * already send a DNS query, unless the caller resolves it with its own `lookup`: then the answer is checked.
 */
export function watchConnections() {
  const dials: Dial[] = [];
  const lookups: Lookup[] = [];
  const original = Socket.prototype.connect;
  const block = (socket: Socket, dial: Dial) => {
    dial.blocked = true;
    const error = blockedError(`connect ${dial.host}:${dial.port}`);
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
      // What Node dials without a lookup is judged by the watcher's rule; a name is resolved first.
      const literal = isIP(dial.host) !== 0;
      if (literal ? !watcherLoopback(dial.host) : dial.host.toLowerCase() !== 'localhost' && !options?.lookup) return block(this, dial);
      if (!literal && options?.lookup) {
        const lookup = options.lookup;
        const seen = dial;
        // The caller's own resolution: block an answer outside loopback before the connect.
        options.lookup = ((hostname: string, opts: LookupOneOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) =>
          lookup(hostname, opts, (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
            const outside = err ? undefined : answers(address).find((a) => !watcherLoopback(a));
            if (outside !== undefined) {
              seen.blocked = true;
              seen.host = outside;
              callback(blockedError(`connect ${hostname} → ${outside}`), '', 4);
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
  const stopDns = watchDns(lookups);
  return {
    dials,
    lookups,
    /** TCP connections attempted towards an address outside 127.0.0.0/8 (names count as outside), blocked or not, and blocked name resolutions. */
    outsideLoopback: (): Array<Dial | Lookup> => [...dials.filter((d) => d.via === 'net' && !loopbackHost(d.host)), ...lookups.filter((l) => l.blocked)],
    /** Any attempt (undici or net) towards this host. */
    towards: (host: string) => dials.filter((d) => d.host.replace(/^\[|\]$/g, '') === host),
    /** Forgets what was seen so far (between tests). */
    clear() {
      dials.length = 0;
      lookups.length = 0;
    },
    stop() {
      Socket.prototype.connect = original;
      unsubscribe('undici:client:beforeConnect', onUndici);
      stopDns();
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
