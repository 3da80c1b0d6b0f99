/**
 * What an address is (loopback, a special-purpose range), from its text alone: no lookup, no socket.
 * Every spelling a socket or a URL accepts is read into one canonical form first, and ranges are
 * compared by value, so `0:0:0:0:0:0:0:0`, `::0`, `FE80::1`, `::1%lo`, `127.1` or `0x7f.1` land in the
 * same range as their usual spelling. The network policy decides with it; checks and the simulated lab
 * read it too.
 */
import { isIP } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  /** Dotted decimal, or compressed lower-case hex IPv6 (as the WHATWG URL parser writes it). */
  canonical: string;
  /** An IPv6 zone (`eth0` of `fe80::1%eth0`): where to dial, not which range the address is in. */
  zone?: string;
}

/** IPv4 in the shapes inet_aton reads (decimal, octal and hex parts, short forms like `127.1`). */
const IPV4_CHARACTERS = /^[0-9a-fA-FxX.]+$/;

/** An IP address in any spelling (IPv6 in brackets or not, with a zone or not), or undefined for a name. */
export function parseAddress(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 6) {
    const [body, zone] = bare.split('%');
    return { family: 6, canonical: new URL(`http://[${body}]/`).hostname.slice(1, -1), ...(zone ? { zone } : {}) };
  }
  if (!IPV4_CHARACTERS.test(bare)) return undefined;
  // The WHATWG URL parser reads the same short, octal and hex forms getaddrinfo does.
  const url = `http://${bare}/`;
  // Stryker disable next-line StringLiteral: any text that is no IPv4 address answers undefined below
  const host = URL.canParse(url) ? new URL(url).hostname : '';
  return isIP(host) === 4 ? { family: 4, canonical: host } : undefined;
}

/** The text to dial for an address: its canonical form, with its zone. */
export function dialText(address: IpAddress): string {
  return address.zone ? `${address.canonical}%${address.zone}` : address.canonical;
}

const WIDTH = { 4: 32, 6: 128 } as const;

function valueOf(address: IpAddress): bigint {
  if (address.family === 4) return address.canonical.split('.').reduce((v, octet) => (v << 8n) | BigInt(octet), 0n);
  // Canonical IPv6 is hex groups with at most one `::` standing for the zero groups left out.
  const [head, tail] = address.canonical.split('::').map((part) => (part ? part.split(':') : []));
  const groups = tail ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  return groups.reduce((v, group) => (v << 16n) | BigInt(parseInt(group, 16)), 0n);
}

interface Prefix {
  family: 4 | 6;
  first: bigint;
  bits: number;
}

function prefix(cidr: string): Prefix {
  const [text, bits] = cidr.split('/');
  const address = parseAddress(text)!;
  return { family: address.family, first: valueOf(address), bits: Number(bits) };
}

function contains(p: Prefix, family: 4 | 6, value: bigint): boolean {
  const shift = BigInt(WIDTH[p.family] - p.bits);
  return p.family === family && value >> shift === p.first >> shift;
}

const range = (cidr: string, name: string) => ({ ...prefix(cidr), name });

// Stryker disable next-line StringLiteral: the name is only compared with itself, never shown
const LOOPBACK = 'loopback';
const RESERVED = 'reserved';

/**
 * The ranges the grader treats specially, by name (`loopback` is this machine). Read on each call
 * (19 short prefixes, microseconds) rather than once when the module loads, so no address is parsed
 * before the first question: the parser's own faults then show in the answers that use it.
 */
const ranges = () => [
  range('127.0.0.0/8', LOOPBACK),
  // "This network": 0.0.0.0 dials this machine on Linux, yet is no loopback address.
  range('0.0.0.0/8', RESERVED),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('169.254.0.0/16', 'link-local (cloud metadata)'),
  range('172.16.0.0/12', 'private'),
  range('192.168.0.0/16', 'private'),
  // Multicast, the former class E and the broadcast address.
  range('224.0.0.0/3', RESERVED),
  range('::1/128', LOOPBACK),
  range('fc00::/7', 'private'),
  range('fe80::/10', 'link-local'),
  range('ff00::/8', RESERVED),
];

/**
 * IPv6 prefixes that carry an IPv4 address, and the bit where its 32 bits start. IPv4-mapped is that
 * IPv4 address itself (a dual-stack socket dials it); the others reach it through a translator or a
 * tunnel, so they are in its range, but its loopback there is not this machine: never a target.
 */
const embeddings = () => [
  // IPv4-mapped
  { prefix: prefix('::ffff:0:0/96'), at: 96, translated: false },
  // IPv4-translated (SIIT)
  { prefix: prefix('::ffff:0:0:0/96'), at: 96, translated: true },
  // NAT64, well-known and local-use
  { prefix: prefix('64:ff9b::/96'), at: 96, translated: true },
  { prefix: prefix('64:ff9b:1::/48'), at: 96, translated: true },
  // 6to4
  { prefix: prefix('2002::/16'), at: 16, translated: true },
  // IPv4-compatible (deprecated); ::1 is matched before. The unspecified :: is 0.0.0.0 here: reserved
  // (like 0.0.0.0, it dials this machine).
  { prefix: prefix('::/96'), at: 96, translated: true },
];

function classOf(address: IpAddress): string | undefined {
  const value = valueOf(address);
  const direct = ranges().find((r) => contains(r, address.family, value));
  if (direct) return direct.name;
  const embedding = embeddings().find((e) => contains(e.prefix, address.family, value));
  if (!embedding) return undefined;
  // The embedded address's four octets, from the bit it starts at.
  const v4 = value >> BigInt(128 - embedding.at - 32);
  const inner = classOf({ family: 4, canonical: [24n, 16n, 8n, 0n].map((shift) => (v4 >> shift) & 255n).join('.') });
  return embedding.translated && inner === LOOPBACK ? RESERVED : inner;
}

/** This machine: 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8, however written. A name is not. */
export function isLoopback(address: string): boolean {
  const parsed = parseAddress(address);
  return !!parsed && classOf(parsed) === LOOPBACK;
}

/** The name of a special-purpose range an address is in, or undefined for a public address, loopback or a name. */
export function specialRange(address: string): string | undefined {
  const parsed = parseAddress(address);
  const name = parsed && classOf(parsed);
  return name === LOOPBACK ? undefined : name;
}
