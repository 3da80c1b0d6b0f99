/**
 * `services.<svc>.ports` as Docker Compose reads it (compose-go `ParsePortConfig`, which uses
 * docker/go-connections `nat.ParsePortSpec`), normalised to one entry per container port:
 * - short syntax `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, IPv6 host IPs in brackets,
 *   ranges on either side (equal lengths expand pairwise; one container port with a host range keeps
 *   the range as `published`, Docker picks a free port from it), a bare number is a container port;
 * - long syntax `{target, published, host_ip, protocol, mode, app_protocol, name}`.
 */
import { isIP } from 'node:net';

export interface PortMapping {
  target: number;
  /** Host port or host port range ("8000-8010"); absent: Docker picks an ephemeral port. */
  published?: string;
  hostIp?: string;
  protocol: string;
  mode?: string;
  appProtocol?: string;
  name?: string;
}

export class PortSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortSyntaxError';
  }
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'];
const MODES = ['host', 'ingress'];
const LONG_KEYS = ['target', 'published', 'host_ip', 'protocol', 'mode', 'app_protocol', 'name'];

/** "8000" -> [8000, 8000]; "8000-8010" -> [8000, 8010]. */
function parsePortRange(text: string, what: string): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  if (!m || end > 65535 || end < start) throw new PortSyntaxError(`invalid ${what}: ${JSON.stringify(text)}`);
  return [start, end];
}

/** nat.splitParts: the last two ':'-separated parts are the ports, anything before is the host IP. */
function splitParts(raw: string): [ip: string, host: string, container: string] {
  const parts = raw.split(':');
  const n = parts.length;
  // Stryker disable next-line ConditionalExpression: a fast path; without it the general case gives '' for the IP and undefined for the host port, which every caller reads like ''
  if (n === 1) return ['', '', parts[0]];
  // Stryker disable next-line ConditionalExpression: a fast path; the general case gives the same three parts when n is 2
  if (n === 2) return ['', parts[0], parts[1]];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2], parts[n - 1]];
}

/** nat.SplitProtoPort: "8080/udp" -> ["udp", "8080"]; no or an empty protocol means tcp. */
function splitProtocol(raw: string): [protocol: string, port: string] {
  const parts = raw.split('/');
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral,ArrayDeclaration: without this line the container port is '' all the same, and parseShortPort throws its "no container port" error before it reads the protocol
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function checkProtocol(protocol: string): string {
  const p = protocol.toLowerCase();
  if (!PROTOCOLS.includes(p)) throw new PortSyntaxError(`invalid protocol ${JSON.stringify(protocol)} (expected ${PROTOCOLS.join(', ')})`);
  return p;
}

/** One short-syntax entry, already interpolated. */
export function parseShortPort(spec: string | number): PortMapping[] {
  const raw = String(spec).trim();
  const [rawIp, hostPort, rest] = splitParts(raw);
  const [protocol, containerPort] = splitProtocol(rest);
  const ip = rawIp.startsWith('[') && rawIp.endsWith(']') ? rawIp.slice(1, -1) : rawIp;
  if (ip && !isIP(ip)) throw new PortSyntaxError(`invalid IP address ${JSON.stringify(ip)} in ${JSON.stringify(raw)}`);
  if (!containerPort) throw new PortSyntaxError(`no container port in ${JSON.stringify(raw)}`);
  const [start, end] = parsePortRange(containerPort, 'container port');
  // Stryker disable next-line ArrayDeclaration: without a host port, hostStart and hostEnd are never read
  const [hostStart, hostEnd] = hostPort ? parsePortRange(hostPort, 'host port') : [0, 0];
  if (hostPort && end - start !== hostEnd - hostStart && end !== start) {
    throw new PortSyntaxError(`the container port range ${containerPort} and the host port range ${hostPort} differ in length`);
  }
  const proto = checkProtocol(protocol);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let published: string | undefined;
    if (hostPort) published = start === end && hostStart !== hostEnd ? `${hostStart}-${hostEnd}` : String(hostStart + i);
    out.push({ target: start + i, ...(published !== undefined ? { published } : {}), ...(ip ? { hostIp: ip } : {}), protocol: proto, mode: 'ingress' });
  }
  return out;
}

function portNumber(value: unknown, what: string): number {
  // Stryker disable next-line StringLiteral: for a value neither number nor string, any text that is not digits fails the test below the same way
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new PortSyntaxError(`${what} must be a port number, got ${JSON.stringify(value)}`);
  return Number(text);
}

function optionalString(entry: Record<string, unknown>, key: string): string | undefined {
  const v = entry[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new PortSyntaxError(`${key} must be a string, got ${JSON.stringify(v)}`);
  return String(v);
}

/** One long-syntax entry, its string values already interpolated. */
export function parseLongPort(entry: Record<string, unknown>): PortMapping {
  const unknown = Object.keys(entry).filter((k) => !LONG_KEYS.includes(k) && !k.startsWith('x-'));
  if (unknown.length) throw new PortSyntaxError(`unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} in a port mapping (expected ${LONG_KEYS.join(', ')})`);
  if (entry.target === undefined || entry.target === null) throw new PortSyntaxError('a long-syntax port mapping needs `target` (the container port)');
  const target = portNumber(entry.target, 'target');
  const published = optionalString(entry, 'published');
  if (published) parsePortRange(published, 'published port');
  const hostIp = optionalString(entry, 'host_ip');
  if (hostIp && !isIP(hostIp)) throw new PortSyntaxError(`invalid host_ip ${JSON.stringify(hostIp)}`);
  const mode = optionalString(entry, 'mode');
  if (mode && !MODES.includes(mode)) throw new PortSyntaxError(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const appProtocol = optionalString(entry, 'app_protocol');
  const name = optionalString(entry, 'name');
  return {
    target,
    ...(published ? { published } : {}),
    ...(hostIp ? { hostIp } : {}),
    protocol: checkProtocol(optionalString(entry, 'protocol') ?? 'tcp'),
    mode: mode ?? 'ingress',
    ...(appProtocol ? { appProtocol } : {}),
    ...(name ? { name } : {}),
  };
}

/** Whether a mapping publishes `hostPort` (exactly or within its host range) to `containerPort` over TCP. */
export function publishes(p: PortMapping, hostPort: number, containerPort: number): boolean {
  if (p.target !== containerPort || p.protocol !== 'tcp' || !p.published) return false;
  const [start, end] = parsePortRange(p.published, 'published port');
  return start <= hostPort && hostPort <= end;
}

/** "80:8080", "127.0.0.1:80:8080/udp", "8080": a mapping as a student would write it. */
export function describePort(p: PortMapping): string {
  const ip = p.hostIp ? (p.hostIp.includes(':') ? `[${p.hostIp}]:` : `${p.hostIp}:`) : '';
  const host = p.published ? `${ip}${p.published}:` : ip ? `${ip}:` : '';
  return `${host}${p.target}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`;
}
