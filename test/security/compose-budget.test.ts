/**
 * A compose file's cost is bounded by its bytes and lines too, not only by its keys and nodes: 256 KB
 * of blank lines or short comments held the parser 420 ms a file, and forty such students graded at
 * once left others incomplete ("vm probe (readFile) timed out"), a way to dodge a grade. Such a file is
 * now a `fail` of its own (LG-216, LG-227) decided in milliseconds. The nesting pre-check reads flow
 * collections as the YAML lexer does, so a quote inside a plain scalar (`[a'b, [[[…`) no longer hides
 * the brackets after it from the bound.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { COMPOSE_LIMITS, readCompose, type ComposeLimit } from '../../checks/compose/read.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { selectChecks } from '../../core/selection.js';
import { localVm } from '../../probes/vm/local.js';
import { timed } from './support.js';
import { LAB_COMPOSE } from '../support/lab-vm.js';
import { yamlWorkOf } from '../support/yaml-work.js';

vi.mock('yaml', async (original) => (await import('../support/yaml-work.js')).countingYaml(await original()));

const profile = loadProfile();
const root = mkdtempSync(join(tmpdir(), 'lab-grade-compose-budget-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KB = 1024;

/** The lab's file followed by what the student padded it with. */
const padded = (pad: string, bytes: number) => LAB_COMPOSE + pad.repeat(Math.floor((bytes - LAB_COMPOSE.length) / pad.length));

/** Flow nesting `depth` deep after a plain scalar holding `quote`: a hand scan took the quote as opening a string. */
const hiddenFlow = (quote: string, depth = 3_990) => `services:\n  app:\n    image: [a${quote}b, ${'['.repeat(depth)}${']'.repeat(depth)}]\n`;

/**
 * Each file, the bound it goes over, and how many lexer tokens the pre-scans may read before refusing it:
 * bytes and lines are counted on the text (no token); nesting stops at the first bracket past the bound,
 * so the few tokens of the lines before the brackets and the brackets up to it, of the ~8 000 in the file.
 */
const NESTING_TOKENS = 2 * COMPOSE_LIMITS.maxDepth;
const HOSTILE: Array<[string, () => string, ComposeLimit, number]> = [
  ['256 KB of blank lines', () => padded('\n', 256 * KB), 'bytes', 0],
  ['256 KB of short comments', () => padded('#c\n', 256 * KB), 'bytes', 0],
  ['2 000 blank lines (2 KB)', () => LAB_COMPOSE + '\n'.repeat(2_000), 'lines', 0],
  ['2 000 short comment lines (6 KB)', () => LAB_COMPOSE + '#c\n'.repeat(2_000), 'lines', 0],
  ["flow nesting hidden behind a ' in a plain scalar", () => hiddenFlow("'"), 'depth', NESTING_TOKENS],
  ['flow nesting hidden behind a " in a plain scalar', () => hiddenFlow('"'), 'depth', NESTING_TOKENS],
  ['flow nesting after a # that starts no comment', () => hiddenFlow('#'), 'depth', NESTING_TOKENS],
];

describe('the compose reader refuses by bytes, lines and nesting before it builds a document', () => {
  it.each(HOSTILE)('%s', (_name, make, limit, tokensAtMost) => {
    const text = make();
    const t0 = performance.now();
    const { result, documents, tokens } = yamlWorkOf(() => readCompose(text));
    expect(result.model).toBeUndefined();
    expect(result.errors.map((e) => e.limit)).toEqual([limit]);
    // Parsing 256 KB of blank lines took 420 ms: a refusal builds no document, and reads no further than its bound.
    expect(documents).toBe(0);
    expect(tokens).toBeLessThanOrEqual(tokensAtMost);
    // Only against a hang: the counts above are the bound.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('points at the first bracket past the bound, however the brackets were hidden', () => {
    for (const quote of ["'", '"', '#']) {
      const text = hiddenFlow(quote);
      const [problem] = readCompose(text).errors;
      const firstBracket = text.indexOf('[', text.indexOf(`a${quote}b`));
      expect({ quote, line: problem.line, col: problem.col }).toEqual({ quote, line: 3, col: firstBracket - text.lastIndexOf('\n', firstBracket) + COMPOSE_LIMITS.maxDepth - 1 });
    }
  });

  it('a file at the bounds still reads: the lab file padded to just under the size and line bounds', () => {
    const atBytes = padded('#' + 'c'.repeat(62) + '\n', COMPOSE_LIMITS.maxBytes);
    const atLines = LAB_COMPOSE + '\n'.repeat(COMPOSE_LIMITS.maxLines - LAB_COMPOSE.split('\n').length);
    for (const text of [atBytes, atLines]) {
      const result = readCompose(text);
      expect(result.errors).toEqual([]);
      expect(Object.keys(result.model!.services)).toEqual(['app', 'api']);
    }
  });
});

/** A lab user's home holding a greetings clone whose compose file is `compose`. */
function home(name: string, compose: string): string {
  const dir = join(root, name);
  for (const app of ['myapp', 'myapi']) {
    mkdirSync(join(dir, 'greetings', app), { recursive: true });
    writeFileSync(join(dir, 'greetings', app, 'Dockerfile'), 'FROM tomcat:8.5-jre8-alpine\n');
  }
  writeFileSync(join(dir, 'greetings', 'docker-compose.yaml'), compose);
  return dir;
}

const COMPOSE_CHECKS = ['ex2.compose.valid', 'ex2.compose.ports'];

async function grade(user: string, dir: string) {
  const vm = localVm({ home: dir, timeoutMs: 5_000, maxOutputBytes: 64 * KB });
  const { result } = await gradeStudent({ user, resourceGroup: 'rg', localHome: dir }, selectChecks(ALL_CHECKS, COMPOSE_CHECKS), { probes: { vm } }, profile, {
    probeTimeoutMs: { vm: 10_000 },
  });
  return Object.fromEntries(result.checks.map((c) => [c.id, c]));
}

describe('a compose file over the bounds is graded fail LG-216 / LG-227, never incomplete', () => {
  it.each([
    ['256 KB of blank lines', padded('\n', 256 * KB), 'bytes'],
    ['2 000 blank lines', LAB_COMPOSE + '\n'.repeat(2_000), 'lines'],
  ])('%s', async (name, compose, limit) => {
    const by = await grade('compose-budget', home(name.replaceAll(' ', '-'), compose));
    expect(by['ex2.compose.valid']).toMatchObject({ status: 'fail', code: 'LG-216', outcome: 'needs-fix' });
    expect(by['ex2.compose.ports']).toMatchObject({ status: 'blocked', blockedBy: 'ex2.compose.valid' });
    expect((by['ex2.compose.valid'].evidence.errors as Array<{ limit: string }>).map((e) => e.limit)).toEqual([limit]);
  });

  it('ex2.compose.ports graded alone reports its own code', async () => {
    const dir = home('ports-alone', padded('\n', 256 * KB));
    const vm = localVm({ home: dir, timeoutMs: 5_000, maxOutputBytes: 64 * KB });
    const { result } = await gradeStudent({ user: 'ports-alone', resourceGroup: 'rg', localHome: dir }, selectChecks(ALL_CHECKS, ['ex2.compose.ports']), { probes: { vm } }, profile);
    expect(result.checks.find((c) => c.id === 'ex2.compose.ports')).toMatchObject({ status: 'fail', code: 'LG-227' });
  });

  it('forty students with 256 KB of blank lines, graded at once beside an innocent one: all graded, the event loop never held', async () => {
    const hostile = home('blank-class', padded('\n', 256 * KB));
    const innocent = home('innocent', LAB_COMPOSE);
    await grade('innocent', innocent); // warm up: code paths, the file system
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const { value } = await timed(60_000, () => Promise.all([grade('innocent', innocent), ...Array.from({ length: 40 }, (_, i) => grade(`blank${i}`, hostile))]));
    lag.disable();
    const [good, ...bad] = value;
    expect(COMPOSE_CHECKS.map((id) => good[id].status)).toEqual(['pass', 'pass']);
    for (const b of bad) expect(b['ex2.compose.valid']).toMatchObject({ status: 'fail', code: 'LG-216' });
    // Each refusal costs well under a millisecond; parsing them took 420 ms each, one after another.
    expect(lag.max / 1e6).toBeLessThan(400);
  }, 90_000);
});
