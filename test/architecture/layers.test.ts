/**
 * Data flows one way: command line → grading application → engine → probes; results → reporters.
 * These tests read the import graph of the sources and hold every layer to it, and find no cycle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { cycles, importGraph } from './imports.js';

const graph = importGraph();
const isTest = (f: string) => f.endsWith('.test.ts') || f.startsWith('test/') || f.startsWith('bench/') || f.startsWith('fixtures/');
const production = [...graph.entries()].filter(([f]) => !isTest(f));
const layerOf = (f: string) => f.split('/')[0];

/** What each layer's production files may import, besides their own layer. */
const ALLOWED: Record<string, (dep: string) => boolean> = {
  // Argument parsing only: it hands typed requests to the application.
  bin: (d) => d.startsWith('app/') || ['core/errors.ts', 'core/suggest.ts', 'core/version.ts', 'core/shard.ts', 'core/redact.ts', 'reporters/formats.ts'].includes(d),
  app: (d) => ['core', 'checks', 'probes', 'reporters', 'sandbox', 'live'].includes(layerOf(d)),
  // The engine: checks' contract and results; probes only as their contract (types and ProbeError).
  core: (d) => d === 'probes/types.ts',
  // Checks decide from what probes found: the probe contract and pure readers, never a connection.
  checks: (d) =>
    layerOf(d) === 'core' ||
    d === 'probes/types.ts' ||
    ['probes/azure/choose-cluster.ts', 'probes/azure/map.ts', 'probes/kube/helm-release.ts', 'probes/registry/auth-modes.ts', 'probes/addresses.ts'].includes(d),
  probes: (d) => layerOf(d) === 'core',
  reporters: (d) => layerOf(d) === 'core',
  // Live workshops: the ledger, credit and the dashboard render results; they grade nothing themselves.
  live: (d) => ['core', 'reporters'].includes(layerOf(d)),
  // The simulated lab stands in for Azure: it shares the wire formats' readers, not the grader's logic.
  sandbox: (d) => layerOf(d) === 'core' || ['probes/addresses.ts', 'probes/kube/helm-release.ts', 'probes/vm/host-keys.ts'].includes(d),
};

describe('the layers', () => {
  it('has no import cycle anywhere, tests included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it.each(Object.keys(ALLOWED))('%s/ imports only what its layer may', (layer) => {
    const wrong = production.filter(([f]) => layerOf(f) === layer).flatMap(([f, deps]) => deps.filter((d) => layerOf(d) !== layer && !ALLOWED[layer](d)).map((d) => `${f} -> ${d}`));
    expect(wrong).toEqual([]);
  });

  it("bin/ only parses: it reads no file (what is in the folder is the application's to decide on)", () => {
    const reading = production.filter(([f]) => layerOf(f) === 'bin' && /from\s*['"](node:)?fs(\/promises)?['"]/.test(readFileSync(packagePath(f), 'utf8'))).map(([f]) => f);
    expect(reading).toEqual([]);
  });

  it('finds a cycle when there is one (the detector itself)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
