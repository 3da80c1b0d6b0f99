/**
 * Fuzzing the two readers of text people write (fast-check, seeded and bounded so CI stays fast):
 * - the Compose reader (`readCompose`) with random text, random bytes and mutations of real compose
 *   files (the shared fixtures' compose files, test/support/shared.ts): it never throws and never hangs, it returns a model or
 *   problems with a message (what ex2.compose.valid grades `fail`);
 * - the scenario loader (`parseYamlText` + `parseScenario`) with mutations of the project's scenario
 *   files and random values: a Scenario or a ConfigError that names the file, nothing else, in time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROBLEM_CHARS, readCompose } from '../../checks/compose/read.js';
import { CHECK_IDS } from '../../checks/index.js';
import { ConfigError } from '../../core/errors.js';
import { parseYamlText } from '../../core/fields.js';
import { packagePath } from '../../core/paths.js';
import { parseScenario } from '../../sandbox/scenario.js';
import { sharedPath } from '../support/shared.js';

const RUNS = 300;
const SEED = 20_241_129;
/** One read of one input: generous for a loaded 2-core CI machine, far below anything a hang takes. */
const PER_RUN_MS = 1_500;

const COMPOSE_DIR = sharedPath('fixtures', 'compose');
const composeTexts = readdirSync(COMPOSE_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => readFileSync(join(COMPOSE_DIR, f), 'utf8'));
const SCENARIO_DIRS = ['', 'vm', 'azure', 'kube', 'hostile'].map((d) => packagePath('fixtures', 'scenarios', d));
const scenarioTexts = SCENARIO_DIRS.flatMap((d) =>
  readdirSync(d)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => readFileSync(join(d, f), 'utf8')),
);

/** What a hostile author would type into YAML. */
const TOKENS = [
  '[',
  ']',
  '{',
  '}',
  '[[[[[[[[',
  '- - - - - - ',
  '&a ',
  '*a',
  '<<: *a',
  '&b [*a,*a,*a,*a] ',
  '? ',
  ': ',
  '- ',
  '#',
  "'",
  '"',
  '|',
  '>-',
  '\t',
  '\n',
  '\r\n',
  '  ',
  '\0',
  '\uFEFF',
  '\u2028',
  '${',
  '${REGISTRY:?unset}',
  '$${X}',
  '${A-${B-${C}}}',
  '!!binary ',
  '!!js/function ',
  '!!python/object ',
  '!<tag:yaml.org,2002:str> ',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  '80:8080',
  '"99999:0"',
  '0x50',
  '1e400',
  '.inf',
  'null',
  '~',
  'true',
  'services:',
  'ports:',
  'image: ',
  'build: ',
  'vm:',
  'faults:',
  'expect:',
  'home:',
  '__proto__: ',
  'constructor: ',
];

type Mutation = { kind: 'flip' | 'delete' | 'dup' | 'insert'; at: number; len: number; token: string; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'delete', 'dup', 'insert'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  len: fc.integer({ min: 1, max: 400 }),
  token: fc.constantFrom(...TOKENS),
  byte: fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
});

function mutate(text: string, ops: Mutation[]): string {
  let t = text;
  for (const m of ops) {
    const i = Math.floor(m.at * t.length);
    if (m.kind === 'flip') t = t.slice(0, i) + String.fromCodePoint(m.byte) + t.slice(i + 1);
    else if (m.kind === 'delete') t = t.slice(0, i) + t.slice(i + m.len);
    else if (m.kind === 'dup') t = t.slice(0, i + m.len) + t.slice(i, i + m.len) + t.slice(i);
    else t = t.slice(0, i) + m.token.repeat(1 + (m.len % 8)) + t.slice(i);
  }
  return t;
}

const mutated = (texts: string[]) => fc.tuple(fc.constantFrom(...texts), fc.array(mutation, { minLength: 1, maxLength: 10 })).map(([t, ops]) => mutate(t, ops));
const tokenSoup = fc.array(fc.constantFrom(...TOKENS, 'a', 'b', '1'), { maxLength: 300 }).map((a) => a.join(''));
const options = { numRuns: RUNS, seed: SEED, endOnFailure: true };

function timedRun<T>(fn: () => T): T {
  const t0 = performance.now();
  const v = fn();
  const ms = performance.now() - t0;
  if (ms > PER_RUN_MS) throw new Error(`took ${Math.round(ms)} ms (bound ${PER_RUN_MS} ms)`);
  return v;
}

function composeRead(input: string | Uint8Array): void {
  const r = timedRun(() => readCompose(typeof input === 'string' ? input : Buffer.from(input)));
  expect(Array.isArray(r.errors)).toBe(true);
  for (const e of r.errors) {
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
  }
  if (r.errors.length === 0) expect(r.model).toBeDefined();
}

describe('fuzz: the Compose reader never throws or hangs', () => {
  it('mutations of real compose files', () => {
    expect(composeTexts.length).toBeGreaterThan(5);
    fc.assert(fc.property(mutated(composeTexts), composeRead), options);
  }, 20_000);

  it('random text, YAML token soup and random bytes', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2_000 }), tokenSoup, fc.uint8Array({ maxLength: 4_096 })), composeRead), options);
  }, 20_000);
});

function loadScenarioText(text: string, file: string): void {
  try {
    timedRun(() => parseScenario(parseYamlText(text, file), file, CHECK_IDS));
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('took ')) throw err;
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((err as Error).message.length).toBeLessThan(4_000);
  }
}

describe('fuzz: the scenario loader gives a Scenario or a ConfigError naming the file', () => {
  const FILE = '/classes/fuzzed-scenario.yaml';

  it('mutations of the scenario files', () => {
    expect(scenarioTexts.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(mutated(scenarioTexts), (t) => loadScenarioText(t, FILE)),
      options,
    );
  }, 20_000);

  it('random text and YAML token soup', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 2_000 }), tokenSoup), (t) => loadScenarioText(t, FILE)),
      options,
    );
  }, 20_000);

  it('random values where the structure should be (mutated parsed scenarios and arbitrary values)', () => {
    const parsed = scenarioTexts.map((t) => parseYamlText(t, FILE) as Record<string, unknown>);
    const keys = [
      'user',
      'vm',
      'azure',
      'kubernetes',
      'faults',
      'expect',
      'description',
      'vm.home',
      'vm.images',
      'azure.clusters',
      'azure.registries',
      'azure.roleAssignments',
      'kubernetes.helm',
      'faults.latencyMs',
      'faults.http',
    ];
    const structured = fc.tuple(fc.constantFrom(...parsed), fc.constantFrom(...keys), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 }))).map(([doc, key, value]) => {
      const copy = structuredClone(doc);
      const path = key.split('.');
      let node: Record<string, unknown> = copy;
      for (const k of path.slice(0, -1)) node = (node[k] && typeof node[k] === 'object' ? node[k] : (node[k] = {})) as Record<string, unknown>;
      node[path[path.length - 1]] = value;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(structured, fc.anything({ maxDepth: 3 })), (value) => {
        try {
          timedRun(() => parseScenario(value, FILE, CHECK_IDS));
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('took ')) throw err;
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message.startsWith(`${FILE}: `)).toBe(true);
        }
      }),
      options,
    );
  }, 20_000);
});
