/**
 * What an address is (loopback, a special-purpose range), from its text alone: no lookup, no socket.
 * The network policy decides with it; checks and the simulated lab read it too.
 */
import { isIP } from 'node:net';

/**
 * The IPv4 address an IPv6 address carries and is routed to (IPv4-mapped `::ffff:a.b.c.d`, also in its
 * hex form `::ffff:a9fe:a9fe` that URL parsing produces, and NAT64's `64:ff9b::/96`), else the address.
 */
export function embeddedIpv4(address: string): string {
  const raw = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(raw) !== 6) return raw;
  // The WHATWG URL parser writes every IPv6 address in one canonical, compressed, hex-only form.
  const a = new URL(`http://[${raw}]/`).hostname.slice(1, -1);
  const m = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!m) return a;
  const [hi, lo] = [parseInt(m[1], 16), parseInt(m[2], 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

export function isLoopback(address: string): boolean {
  const a = embeddedIpv4(address);
  return a.startsWith('127.') || a === '::1';
}

/** The name of a special-purpose range an address is in, or undefined for a public address. */
export function specialRange(address: string): string | undefined {
  const v4 = embeddedIpv4(address);
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    if (a === 127) return undefined; // loopback is where the sandbox and tunnels live
    if (a === 169 && b === 254) return 'link-local (cloud metadata)';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    if (a === 100 && b >= 64 && b <= 127) return 'carrier-grade NAT';
    if (a === 0 || a >= 224) return 'reserved';
    return undefined;
  }
  const v6 = address.toLowerCase();
  if (v6 === '::1') return undefined;
  if (v6.startsWith('fe8') || v6.startsWith('fe9') || v6.startsWith('fea') || v6.startsWith('feb')) return 'link-local';
  if (v6.startsWith('fc') || v6.startsWith('fd')) return 'private';
  if (v6 === '::' || v6.startsWith('ff')) return 'reserved';
  return undefined;
}
