/**
 * Where the grader may connect, applied before any DNS lookup and to every probe's sockets:
 * - `connectTo` maps a public "host:port" to another "host:port" (like curl's --connect-to), so the
 *   simulated lab or an SSH tunnel can stand in for the real addresses; TLS still verifies the
 *   original host name;
 * - in sandbox mode nothing outside 127.0.0.0/8 is reached;
 * - otherwise, loopback (this machine, however it is written or resolved), link-local (incl. the cloud
 *   metadata address 169.254.169.254), private and other special ranges are refused unless the class
 *   config names that host as a target; loopback is also allowed by `network.allowLoopback` or through
 *   a `connectTo` entry (a tunnel). A student's LoadBalancer, kubeconfig or redirect cannot turn the
 *   grader against the instructor's own machine or network.
 */
import { lookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { sharedSecureContext } from './tls.js';
import { dialText, isLoopback, parseAddress, specialRange } from './addresses.js';

export { specialRange };

export class NetworkRefused extends Error {
  /**
   * @param attempt the connection refused, `host:port -> address`; undefined when the refusal is of a
   *   setting rather than a connection
   */
  constructor(
    message: string,
    readonly attempt?: string,
  ) {
    super(message);
    this.name = 'NetworkRefused';
  }
}

/** The policy's refusal in an error or its chain of causes (clients wrap it, e.g. undici's `fetch failed`). */
export function refusedByPolicy(err: unknown): NetworkRefused | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur instanceof Error; i++, cur = cur.cause) if (cur instanceof NetworkRefused) return cur;
  return undefined;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface NetworkPolicyOptions {
  /** "host:port" -> "host:port" */
  connectTo?: Record<string, string>;
  /** Sandbox mode: only 127.0.0.0/8 (and ::1). */
  loopbackOnly?: boolean;
  /** Hosts the class config names as targets: allowed even in special ranges. */
  trustedHosts?: Iterable<string>;
  /** `network.allowLoopback`: any target may be on this machine (127.0.0.0/8, ::1). */
  allowLoopback?: boolean;
}

const LOOPBACK_REFUSED = 'loopback addresses (this machine) are not graded unless the class config allows them (network.allowLoopback: true, or a network.connectTo entry for that host:port)';

function parseEndpoint(text: string, what: string): Endpoint {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new NetworkRefused(`${what}: expected "host:port", got ${JSON.stringify(text)}`);
  return { host: m[1].toLowerCase(), port: Number(m[2]) };
}

// Stryker disable next-line MethodExpression: key() folds case both when an entry is stored and when it is looked up, so any consistent folding finds the same entries
const key = (e: Endpoint) => `${e.host.toLowerCase()}:${e.port}`;

/** How a host is named in the trusted set: an address in its canonical form, a name in lower case. */
const trustKey = (host: string) => parseAddress(host)?.canonical ?? host.toLowerCase();

/**
 * Verdicts a policy keeps: a class dials the same few addresses once per connection (about ten a
 * student), and classifying one parses the special ranges again (profiled: 2 % of a class's CPU).
 */
export const VERDICTS_KEPT = 1_024;

export class NetworkPolicy {
  private readonly map = new Map<string, Endpoint>();
  private readonly trusted: Set<string>;
  /** `vet`'s answers (its inputs decide them: the policy does not change once built); "" is "allowed". */
  private readonly verdicts = new Map<string, string>();
  readonly loopbackOnly: boolean;
  private readonly allowLoopback: boolean;

  constructor(opts: NetworkPolicyOptions = {}) {
    for (const [from, to] of Object.entries(opts.connectTo ?? {})) {
      this.map.set(key(parseEndpoint(from, 'network.connectTo key')), parseEndpoint(to, `network.connectTo["${from}"]`));
    }
    this.loopbackOnly = !!opts.loopbackOnly;
    this.allowLoopback = !!opts.allowLoopback;
    this.trusted = new Set([...(opts.trustedHosts ?? [])].map(trustKey));
  }

  /** The endpoint actually dialled for a logical one. */
  route(host: string, port: number): Endpoint {
    return this.mapping(host, port).target;
  }

  /** The endpoint dialled, and whether a connectTo entry chose it (the class config names that host:port). */
  private mapping(host: string, port: number): { target: Endpoint; mapped: boolean } {
    const entry = this.map.get(key({ host, port }));
    return { target: entry ?? { host, port }, mapped: !!entry };
  }

  /** Maps, resolves and vets an endpoint; returns the IP address to dial. */
  async resolve(host: string, port: number): Promise<{ address: string; port: number; mapped: boolean }> {
    const { target, mapped } = this.mapping(host, port);
    // An address in any spelling is dialled as it was vetted: canonical, never handed to getaddrinfo.
    const literal = parseAddress(target.host);
    const address = literal ? dialText(literal) : (await lookup(target.host)).address;
    const verdict = this.vet(address, mapped ? target.host : host, mapped);
    if (verdict) throw new NetworkRefused(`refused to connect to ${host}:${port} (${address}): ${verdict}`, `${host}:${port} -> ${address}`);
    return { address, port: target.port, mapped };
  }

  /**
   * Why an address may not be dialled, or undefined when it may. `mapped`: a connectTo entry chose it
   * (the class config names that host:port, so it may be on this machine).
   */
  vet(address: string, hostAsConfigured: string, mapped = false): string | undefined {
    const question = `${mapped} ${address} ${hostAsConfigured}`;
    let verdict = this.verdicts.get(question);
    if (verdict === undefined) {
      if (this.verdicts.size >= VERDICTS_KEPT) this.verdicts.clear();
      verdict = this.decide(address, hostAsConfigured, mapped) ?? '';
      this.verdicts.set(question, verdict);
    }
    return verdict || undefined;
  }

  private decide(address: string, hostAsConfigured: string, mapped: boolean): string | undefined {
    const loopback = isLoopback(address);
    if (this.loopbackOnly) return loopback ? undefined : 'the simulated lab only reaches 127.0.0.0/8';
    if (this.trusted.has(trustKey(hostAsConfigured)) || this.trusted.has(trustKey(address))) return undefined;
    if (loopback) return mapped || this.allowLoopback ? undefined : LOOPBACK_REFUSED;
    const range = specialRange(address);
    return range ? `${range} addresses are not graded unless the class config names them` : undefined;
  }

  /** For a host written as an IP address (any spelling): why it may not be dialled (after connectTo); names are vetted when dialled. */
  vetLiteral(host: string, port: number): string | undefined {
    const bare = host.replace(/^\[|\]$/g, '');
    const { target, mapped } = this.mapping(bare, port);
    if (!parseAddress(target.host)) return undefined;
    return this.vet(target.host, mapped ? target.host : bare, mapped);
  }

  /** An undici dispatcher that dials through this policy (TLS verifies the original name). */
  dispatcher(tls: { ca?: string | string[] } = {}, options: Agent.Options = {}): Agent {
    // A shared context: a `ca` option would make Node parse the whole bundle again for every connection.
    const base = resumingConnector(buildConnector({ ...(tls.ca ? { secureContext: sharedSecureContext(tls.ca) } : {}), timeout: options.connectTimeout ?? 10_000 }));
    return new Agent({
      ...options,
      connect: (opts, callback) => {
        const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
        this.resolve(opts.hostname, port).then(
          // Stryker disable next-line LogicalOperator: undici's connector falls back to the name in opts.host (the original host, '' for an IP), which is the same servername
          ({ address, port: dialPort }) => base({ ...opts, hostname: address, port: String(dialPort), servername: opts.servername ?? (isIP(opts.hostname) ? undefined : opts.hostname) }, callback),
          (err: Error) => callback(err, null),
        );
      },
    });
  }

  /** A plain TCP socket through this policy (SSH). */
  async socket(host: string, port: number, timeoutMs: number): Promise<Socket> {
    const { address, port: dialPort } = await this.resolve(host, port);
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: address, port: dialPort });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new NetworkRefused(`connection to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }
}

/**
 * Wraps an undici connector so that parallel first requests to one TLS server resume one session
 * instead of each making a full handshake. While the first handshake to a server (its name and
 * address) is in flight, further connections to it wait until its session ticket arrives (or it fails,
 * closes, or `maxWaitMs` passes), then dial with that session from undici's cache: an abbreviated
 * handshake, with no certificate chain to verify and describe again (measured: the peer certificate
 * chain Node builds for every full handshake was the largest CPU cost of a simulated class). Only the
 * first burst to a server waits; later connections dial at once.
 */
export function resumingConnector(base: buildConnector.connector, maxWaitMs = 250): buildConnector.connector {
  const firstHandshake = new Map<string, Promise<void>>();
  return (opts, callback) => {
    if (opts.protocol !== 'https:') return base(opts, callback);
    const key = `${opts.servername ?? ''}@${opts.hostname}:${opts.port}`;
    const inFlight = firstHandshake.get(key);
    if (inFlight) {
      void inFlight.then(() => base(opts, callback));
      return;
    }
    let release!: () => void;
    firstHandshake.set(key, new Promise<void>((resolve) => (release = resolve)));
    base(opts, (...answer) => {
      const [err, socket] = answer;
      if (err || !socket) release();
      else {
        const timer = setTimeout(() => release(), maxWaitMs);
        timer.unref();
        const done = () => {
          clearTimeout(timer);
          release();
        };
        socket.once('session', done);
        socket.once('close', done);
      }
      callback(...answer);
    });
  };
}
