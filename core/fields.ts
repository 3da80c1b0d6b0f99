/**
 * A strict reader for YAML/JSON documents written by people (class configs, lab profiles, scenario
 * files). Every error names the file and the key path and says what was expected; unknown keys are
 * errors too, so a typo never silently changes a grade.
 */
import { existsSync } from 'node:fs';
import { parseDocument, LineCounter } from 'yaml';
import { assetSource, builtYamlAsset, readAsset } from './assets.js';
import { readRegularFile } from './file-io.js';
import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

type Json = unknown;

export class Fields {
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: Record<string, Json>,
  ) {}

  static root(file: string, value: Json, what = 'a mapping'): Fields {
    if (!isPlainObject(value)) throw new ConfigError(`expected ${what} at the top level`, file);
    return new Fields(file, '', value);
  }

  private key(k: string): string {
    return this.path ? `${this.path}.${k}` : k;
  }

  fail(k: string, message: string): never {
    throw new ConfigError(message, this.file, this.key(k));
  }

  has(k: string): boolean {
    return this.value[k] !== undefined && this.value[k] !== null;
  }

  raw(k: string): Json {
    this.seen.add(k);
    return this.value[k];
  }

  optString(k: string): string | undefined {
    const v = this.raw(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') this.fail(k, `expected a string, got ${describe(v)}`);
    return v;
  }

  string(k: string): string {
    const v = this.optString(k);
    if (v === undefined || v === '') this.fail(k, 'is required (a non-empty string)');
    return v;
  }

  oneOf<T extends string>(k: string, allowed: readonly T[], fallback?: T): T {
    const v = this.optString(k);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(k, `is required (one of ${allowed.join(', ')})`);
    }
    if (!allowed.includes(v as T)) this.fail(k, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  optOneOf<T extends string>(k: string, allowed: readonly T[]): T | undefined {
    return this.has(k) ? this.oneOf(k, allowed) : (this.raw(k), undefined);
  }

  optNumber(k: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const v = this.raw(k);
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(k, `expected a number, got ${describe(v)}`);
    if (opts.integer && !Number.isInteger(n)) this.fail(k, `expected a whole number, got ${n}`);
    if (opts.min !== undefined && n < opts.min) this.fail(k, `expected at least ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) this.fail(k, `expected at most ${opts.max}, got ${n}`);
    return n;
  }

  number(k: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    const n = this.optNumber(k, opts);
    if (n === undefined) this.fail(k, 'is required (a number)');
    return n;
  }

  optBoolean(k: string): boolean | undefined {
    const v = this.raw(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(k, `expected true or false, got ${describe(v)}`);
    return v;
  }

  optObject(k: string): Fields | undefined {
    const v = this.raw(k);
    if (v === undefined || v === null) return undefined;
    if (!isPlainObject(v)) this.fail(k, `expected a mapping, got ${describe(v)}`);
    return new Fields(this.file, this.key(k), v);
  }

  object(k: string): Fields {
    const f = this.optObject(k);
    if (!f) this.fail(k, 'is required (a mapping)');
    return f;
  }

  optList(k: string): Json[] | undefined {
    const v = this.raw(k);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail(k, `expected a list, got ${describe(v)}`);
    return v;
  }

  optStringList(k: string): string[] | undefined {
    const list = this.optList(k);
    return list?.map((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'number') this.fail(`${k}[${i}]`, `expected a string, got ${describe(item)}`);
      return String(item);
    });
  }

  /** Each element of a list of mappings, as Fields with `key[i]` paths. */
  objectList(k: string): Fields[] {
    const list = this.optList(k) ?? [];
    return list.map((item, i) => {
      if (!isPlainObject(item)) this.fail(`${k}[${i}]`, `expected a mapping, got ${describe(item)}`);
      return new Fields(this.file, this.key(`${k}[${i}]`), item);
    });
  }

  /** The entries of a mapping whose keys are free (ids, paths), each value as Fields when it is a mapping. */
  entries(): Array<[string, Json]> {
    for (const k of Object.keys(this.value)) this.seen.add(k);
    return Object.entries(this.value);
  }

  /** Rejects keys nobody read: call after reading everything. */
  done(): void {
    for (const k of Object.keys(this.value)) {
      if (!this.seen.has(k)) this.fail(k, `unknown key${didYouMean(k, [...this.seen])} (expected one of: ${[...this.seen].join(', ') || 'none'})`);
    }
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Parses YAML text people wrote: syntax errors carry line and column, aliases are bounded (an alias
 * bomb is an error, not a hang), and the text size is capped by the caller.
 */
export function parseYamlText(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ConfigError(`invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`, file);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`cannot read YAML: ${(err as Error).message}`, file);
  }
}

/** A YAML file that ships with lab-grade (the built-in profile, the built-in class), parsed. */
export function readYamlAsset(relPath: string): unknown {
  return builtYamlAsset(relPath) ?? parseYamlText(readAsset(relPath), assetSource(relPath));
}

export function readYamlFile(file: string, maxBytes = 4 * 1024 * 1024): unknown {
  // Only a regular file of bounded size: `-c /dev/zero` or a FIFO must be refused, not read forever.
  if (!existsSync(file)) throw new ConfigError('file not found', file);
  const text = readRegularFile(file, 'the file', maxBytes).toString('utf8');
  return parseYamlText(text, file);
}
