/**
 * Deterministic identity for a simulated cluster: every uid, generated name and address follows from a
 * seed (the student) and a key, so two runs of the same scenario show byte-identical objects.
 */
import { createHash } from 'node:crypto';

/** Kubernetes' utilrand alphabet: no vowels, no confusable characters. */
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class Seeded {
  constructor(readonly seed: string) {}

  bytes(key: string): Buffer {
    return createHash('sha256').update(this.seed).update('\0').update(key).digest();
  }

  /** An RFC 4122 version-4-shaped uid. */
  uid(key: string): string {
    const h = this.bytes(`uid:${key}`).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  hex(key: string, length: number): string {
    return this.bytes(`hex:${key}`).toString('hex').slice(0, length);
  }

  /** Like the suffix of generateName (`myapp-7d4b578979-xk2p9`). */
  suffix(key: string, length = 5): string {
    const b = this.bytes(`suffix:${key}`);
    let s = '';
    for (let i = 0; i < length; i++) s += K8S_ALPHABET[b[i] % K8S_ALPHABET.length];
    return s;
  }

  int(key: string, modulo: number): number {
    return this.bytes(`int:${key}`).readUInt32BE(0) % modulo;
  }
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: what turns the decimal template hash into `7d4b578979`. */
function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) out += K8S_ALPHABET[ch.charCodeAt(0) % K8S_ALPHABET.length];
  return out;
}

/** A stable JSON string (sorted keys) so equal templates hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The Deployment controller's pod-template-hash: FNV-32a of the template, safe-encoded. */
export function podTemplateHash(template: unknown): string {
  return safeEncode(String(fnv32a(stableJson(template))));
}
