/**
 * Reads a docker-compose file a student wrote into the few facts the checks grade: per service the
 * image (as written and as resolved), the build context and the published ports, each with its line
 * and column. Hostile or broken input is a bounded failure, never a crash or a hang: the size in bytes
 * and in lines is capped before parsing (the parser spends time on every line, blank or comment),
 * binary content is refused, nesting is bounded before the YAML parser sees
 * it (deep `- - - …` or `[[[…` would exhaust its stack or memory), keys and nodes are counted by the
 * lexer before a document is built (building one checks every key of a map against the others, so
 * 30 000 keys cost seconds of CPU that other students would wait for), aliases are bounded (alias bombs).
 */
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { yamlTokens, yamlTooDeep } from '../../core/nesting.js';
import { excerpt } from '../text.js';
import { interpolate, InterpolationError, type Environment } from './interpolate.js';
import { parseLongPort, parseShortPort, PortSyntaxError, type PortMapping } from './ports.js';

export interface Position {
  line: number;
  col: number;
}

export interface ComposePort extends PortMapping, Position {
  /** The entry as written (one written entry may expand to several). */
  source: string;
  /** The file it is written in (set when several files are merged). */
  file?: string;
}

export interface ComposeService {
  name: string;
  /** The image after interpolation. */
  image?: string;
  /** The image as written, e.g. `${REGISTRY}myapp:${TAG-latest}`. */
  imageTemplate?: string;
  /** The build context after interpolation (`build: ctx` or `build: {context: ctx}`; default "."). */
  build?: { context: string };
  ports: ComposePort[];
  /** Where the service, its image, build and ports are declared. */
  at: Position & { image?: Position; build?: Position; ports?: Position };
  /** The file that declares the service, and the files its image and build come from when an override replaced them. */
  file?: string;
  imageFile?: string;
  buildFile?: string;
}

export interface ComposeModel {
  version?: string;
  services: Record<string, ComposeService>;
}

/** Which bound a file went over, for callers that grade by reason rather than by message. */
export type ComposeLimit = 'bytes' | 'lines' | 'text' | 'depth' | 'keys' | 'nodes' | 'aliases';

export interface ComposeProblem extends Partial<Position> {
  message: string;
  /** The file it is in (set when several files are read). */
  file?: string;
  /** Set when the file was refused for going over a bound (not for a YAML or Compose mistake). */
  limit?: ComposeLimit;
}

export interface ComposeReadResult {
  /** Absent when the file could not be read as YAML at all. */
  model?: ComposeModel;
  errors: ComposeProblem[];
  /** Variables used while unset (Compose warns and uses an empty string). */
  unsetVariables: string[];
}

export interface ComposeReadOptions {
  /** Values for interpolation; the lab implies none (REGISTRY and TAG unset). */
  env?: Environment;
  maxBytes?: number;
  maxLines?: number;
  maxDepth?: number;
  maxAliasCount?: number;
  maxKeys?: number;
  maxNodes?: number;
}

/**
 * The lab's compose file is 10 lines (under 1 KB) with 8 keys and about 20 nodes; the largest real
 * compose files of the test fixtures (jitsi: 530 lines, 18 KB; docker/cli's full example) have under
 * 400 keys and under 1 200 nodes. Every line costs the parser work, blank or comment (256 KB of blank
 * lines took 420 ms), so bytes and lines are bounded as well as keys and nodes: at these bounds a file
 * costs a few milliseconds to build, so no student can make the others wait.
 */
export const COMPOSE_LIMITS = { maxBytes: 32 * 1024, maxLines: 1000, maxDepth: 64, maxAliasCount: 100, maxKeys: 1000, maxNodes: 4000 };

/** A file over the size cap (also for callers that only read its first bytes). */
export function sizeProblem(bytes: number, maxBytes = COMPOSE_LIMITS.maxBytes): ComposeProblem | undefined {
  return bytes > maxBytes ? { message: `the file is ${bytes} bytes, more than the ${maxBytes} a compose file may have here`, limit: 'bytes' } : undefined;
}

/** A file of more lines than `maxLines`, counted only as far as the bound. */
function linesProblem(text: string, maxLines: number): ComposeProblem | undefined {
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < text.length - 1; at = text.indexOf('\n', at + 1)) {
    if (++lines > maxLines) return { message: `the file has more than ${maxLines} lines, the most a compose file may have here (the lab's has 10)`, limit: 'lines' };
  }
  return undefined;
}

/** Rejects what the parser must never see: returns the text to parse, or the problem. */
function precheck(input: string | Buffer, maxBytes: number, maxLines: number, maxDepth: number): ComposeProblem | string {
  const tooLarge = sizeProblem(typeof input === 'string' ? Buffer.byteLength(input) : input.length, maxBytes);
  if (tooLarge) return tooLarge;
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { message: 'the file is not text (it is not valid UTF-8)', limit: 'text' };
    }
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) return { message: `the file is not text (a NUL byte at offset ${nul})`, limit: 'text', ...positionAt(text, nul) };
  const tooLong = linesProblem(text, maxLines);
  if (tooLong) return tooLong;
  const deep = yamlTooDeep(text, maxDepth);
  if (deep !== undefined) return { message: `the YAML is nested deeper than ${maxDepth} levels`, limit: 'depth', ...positionAt(text, deep) };
  return text.replace(/^\uFEFF/, '');
}

/** Lexer tokens that start a key (`:` and `?`) and those that start any other node. */
const KEY_TOKENS = new Set(['map-value-ind', 'explicit-key-ind']);
const NODE_TOKENS = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar', 'block-scalar-header', 'alias', 'flow-map-start', 'flow-seq-start', 'seq-item-ind']);

/**
 * Counts keys and nodes with the YAML lexer (linear, and cheap next to building a document) and stops
 * at the first one over a bound, so an oversized file costs no more than a file at the bound.
 */
function tooMany(text: string, maxKeys: number, maxNodes: number): ComposeProblem | undefined {
  let keys = 0;
  let nodes = 0;
  let lastNode = 0;
  for (const { type, offset } of yamlTokens(text)) {
    if (type && KEY_TOKENS.has(type)) {
      // A key is reported where it is written: the node before its `:`.
      const at = type === 'map-value-ind' ? lastNode : offset;
      if (++keys > maxKeys) return { message: `the compose file has more than ${maxKeys} keys; the lab's has about 10`, limit: 'keys', ...positionAt(text, at) };
      nodes++;
    } else if (type && NODE_TOKENS.has(type)) {
      nodes++;
      lastNode = offset;
    }
    if (nodes > maxNodes)
      return { message: `the compose file has more than ${maxNodes} YAML nodes (keys, list items and values); the lab's has about 20`, limit: 'nodes', ...positionAt(text, offset) };
  }
  return undefined;
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A problem's message at most this long, on one line: the YAML parser quotes an offending token whole
 * and a port error shows the entry, so without a cap a student's file would come back as a message.
 */
export const MAX_PROBLEM_CHARS = 240;
const clip = (p: ComposeProblem): ComposeProblem => ({ ...p, message: excerpt(p.message, MAX_PROBLEM_CHARS) });

export function readCompose(input: string | Buffer, opts: ComposeReadOptions = {}): ComposeReadResult {
  const result = readUnclipped(input, opts);
  return result.errors.length ? { ...result, errors: result.errors.map(clip) } : result;
}

function readUnclipped(input: string | Buffer, opts: ComposeReadOptions): ComposeReadResult {
  const { maxBytes, maxLines, maxDepth, maxAliasCount, maxKeys, maxNodes } = { ...COMPOSE_LIMITS, ...opts };
  const env = opts.env ?? {};
  const checked = precheck(input, maxBytes, maxLines, maxDepth);
  if (typeof checked !== 'string') return { errors: [checked], unsetVariables: [] };
  const overBudget = tooMany(checked, maxKeys, maxNodes);
  if (overBudget) return { errors: [overBudget], unsetVariables: [] };

  const lineCounter = new LineCounter();
  const doc = parseDocument(checked, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length) {
    return { errors: doc.errors.map((e) => ({ message: e.message.split('\n')[0], ...lineCounter.linePos(e.pos[0]) })), unsetVariables: [] };
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount });
  } catch (err) {
    return { errors: [{ message: `the YAML cannot be expanded: ${(err as Error).message} (too many aliases)`, limit: 'aliases' }], unsetVariables: [] };
  }

  const errors: ComposeProblem[] = [];
  const unset = new Set<string>();
  const at = (path: (string | number)[]): Position | undefined => nodePosition(doc, lineCounter, path);
  const resolve = (text: string, path: (string | number)[]): string | undefined => {
    try {
      const r = interpolate(text, env);
      r.unset.forEach((v) => unset.add(v));
      return r.value;
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      errors.push({ message: err.message, ...at(path) });
      return undefined;
    }
  };

  if (!isRecord(root)) return { errors: [{ message: 'the file is not a YAML mapping (expected `services:` at the top)', line: 1, col: 1 }], unsetVariables: [] };
  if (!isRecord(root.services)) {
    errors.push({ message: root.services === undefined ? 'the file has no `services:` section' : '`services:` must be a mapping of service names', ...at(['services']) });
  }
  const model: ComposeModel = { ...(root.version !== undefined ? { version: String(root.version) } : {}), services: {} };
  for (const [name, value] of Object.entries(isRecord(root.services) ? root.services : {})) {
    const base = ['services', name];
    const here = at(base) ?? { line: 1, col: 1 };
    if (!isRecord(value)) {
      errors.push({ message: `service ${name} must be a mapping`, ...here });
      continue;
    }
    const service: ComposeService = { name, ports: [], at: { ...here } };
    if (value.image !== undefined && value.image !== null) {
      service.imageTemplate = String(value.image);
      service.at.image = at([...base, 'image']);
      service.image = resolve(service.imageTemplate, [...base, 'image']);
    }
    if (value.build !== undefined && value.build !== null) {
      service.at.build = at([...base, 'build']);
      const raw = isRecord(value.build) ? (value.build.context ?? '.') : value.build;
      const context = typeof raw === 'string' ? resolve(raw, [...base, 'build']) : undefined;
      if (typeof raw !== 'string') errors.push({ message: `service ${name}: build must be a path or a mapping with a context path`, ...service.at.build });
      if (context !== undefined) service.build = { context };
    }
    if (value.ports !== undefined && value.ports !== null) {
      service.at.ports = at([...base, 'ports']);
      if (!Array.isArray(value.ports)) errors.push({ message: `service ${name}: ports must be a list`, ...service.at.ports });
      else value.ports.forEach((entry, i) => service.ports.push(...readPort(entry, [...base, 'ports', i])));
    }
    model.services[name] = service;
  }
  return { model, errors, unsetVariables: [...unset] };

  function readPort(entry: unknown, path: (string | number)[]): ComposePort[] {
    const pos = at(path) ?? service(path);
    try {
      if (typeof entry === 'number' || typeof entry === 'string') {
        const text = typeof entry === 'string' ? resolve(entry, path) : String(entry);
        if (text === undefined) return [];
        return parseShortPort(text).map((p) => ({ ...p, ...pos, source: String(entry) }));
      }
      if (isRecord(entry)) {
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(entry)) {
          const text = typeof v === 'string' ? resolve(v, [...path, k]) : v;
          if (text === undefined) return [];
          values[k] = text;
        }
        return [{ ...parseLongPort(values), ...pos, source: JSON.stringify(entry) }];
      }
      throw new PortSyntaxError(`a port must be a string, a number or a mapping, got ${JSON.stringify(entry)}`);
    } catch (err) {
      if (!(err instanceof PortSyntaxError)) throw err;
      errors.push({ message: `service ${path[1]}: ${err.message}`, ...pos });
      return [];
    }
  }

  function service(path: (string | number)[]): Position {
    return at(path.slice(0, 2)) ?? { line: 1, col: 1 };
  }
}

/** Line and column of the node at `path`, or of its nearest ancestor that is written in the file. */
function nodePosition(doc: Document, lineCounter: LineCounter, path: (string | number)[]): Position | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const start = node && typeof node === 'object' && node.range ? node.range[0] : undefined;
    if (start !== undefined) return lineCounter.linePos(start);
  }
  if (isMap(doc.contents) && doc.contents.range) return lineCounter.linePos(doc.contents.range[0]);
  return undefined;
}
