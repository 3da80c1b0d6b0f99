/**
 * Shared, bounded access to a student's probes. Every probe method call goes through here:
 * - the reads the probe contract lists (MEMOISED_READS) are memoised per (probe, method, arguments,
 *   round): data fetched once serves every check that needs it (one pod list per student, not one per
 *   check); writes and deliberately fresh reads go through every time;
 * - bounded by the probe's timeout: a hanging probe becomes a ProbeError, never a hung grader;
 * - counted, so tests and the benchmark can assert how many requests a student cost.
 * Under `--wait`, a check polling again asks for a new `round`: checks polling in the same round
 * share one fresh read.
 */
import type { ProbeKind } from './model.js';
import { MEMOISED_READS, ProbeError, type Probes } from '../probes/types.js';
import { TimeoutError, withTimeout } from './timeout.js';

export interface ProbeCallStats {
  /** Calls that reached the probe (cache misses), by "probe.method". */
  calls: Record<string, number>;
}

/** How long one probe call may take when the class config's `timeouts` does not say. */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

const MEMOISED: ReadonlyMap<ProbeKind, ReadonlySet<string>> = new Map(Object.entries(MEMOISED_READS).map(([kind, methods]) => [kind as ProbeKind, new Set<string>(methods)]));

export class ProbeSession {
  private readonly cache = new Map<string, Promise<unknown>>();
  readonly stats: ProbeCallStats = { calls: {} };

  constructor(
    private readonly raw: Probes,
    private readonly timeoutMs: Partial<Record<ProbeKind, number>>,
    private readonly signal: AbortSignal,
    private readonly defaultTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
  ) {}

  /** The probes as a check sees them, reading the cache of the given polling round. */
  view(round = 0): Probes {
    const out: Probes = {};
    for (const kind of Object.keys(this.raw) as ProbeKind[]) {
      const probe = this.raw[kind];
      if (probe) (out as Record<string, unknown>)[kind] = this.wrap(kind, probe as object, round);
    }
    return out;
  }

  private wrap<T extends object>(kind: ProbeKind, probe: T, round: number): T {
    const memoised = MEMOISED.get(kind)!;
    return new Proxy(probe, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const invoke = (args: unknown[]) => () => value.apply(target, args);
        if (!memoised.has(prop)) return (...args: unknown[]) => this.bounded(kind, prop, invoke(args));
        return (...args: unknown[]) => this.memoised(kind, prop, args, round, invoke(args));
      },
    });
  }

  private memoised(kind: ProbeKind, method: string, args: unknown[], round: number, invoke: () => Promise<unknown>): Promise<unknown> {
    const key = `${kind}.${method}(${JSON.stringify(args)})#${round}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.bounded(kind, method, invoke);
      // A failed call is not cached for later rounds: polling may succeed once the cause is gone.
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** How long one call of this kind of probe may take. */
  timeoutOf(kind: ProbeKind): number {
    return this.timeoutMs[kind] ?? this.defaultTimeoutMs;
  }

  private bounded(kind: ProbeKind, method: string, invoke: () => Promise<unknown>): Promise<unknown> {
    const name = `${kind}.${method}`;
    this.stats.calls[name] = (this.stats.calls[name] ?? 0) + 1;
    const ms = this.timeoutOf(kind);
    return withTimeout(Promise.resolve().then(invoke), ms, `${kind} probe (${method})`, this.signal).catch((err: unknown) => {
      if (err instanceof TimeoutError) throw new ProbeError(kind, err.message, { timeoutMs: ms });
      throw err;
    });
  }
}
