/**
 * Host key pinning with an OpenSSH known_hosts file (plain or hashed host names, wildcards, negation,
 * `@revoked`), and the SHA256 fingerprint OpenSSH prints (`ssh-keygen -lf`), for evidence.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

/** `SHA256:<base64 without padding>` of the key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The name known_hosts uses for an endpoint: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (fields.length < 3 || (marker && marker !== '@revoked' && marker !== '@cert-authority')) continue;
    const key = Buffer.from(fields[2], 'base64');
    if (key.length === 0) continue;
    entries.push({ marker: marker as KnownHostEntry['marker'], hosts: fields[0], keyType: fields[1], key });
  }
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const mine = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  const theirs = Buffer.from(hash, 'base64');
  return mine.length === theirs.length && timingSafeEqual(mine, theirs);
}

/** Whether a host pattern list (comma separated, `!` negates) names this host. */
function hostPatternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    if (globToRegExp(negated ? p.slice(1) : p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Compares the key a server presented with the pinned keys for that host. */
export function verifyHostKey(entries: KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && hostPatternsMatch(e.hosts, name));
  if (forHost.some((e) => e.marker === '@revoked' && e.key.equals(keyBlob))) return 'revoked';
  const pinned = forHost.filter((e) => !e.marker);
  if (pinned.length === 0) return 'unknown';
  return pinned.some((e) => e.key.equals(keyBlob)) ? 'match' : 'mismatch';
}
