/**
 * The README shows what the tool prints: every ```console block of README.md that starts with
 * `$ lab-grade …` is run with the built command line (from the package folder, against the simulated
 * lab where the command says `demo`) and its stdout must equal the block, durations aside.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { runCli } from './support/cli.js';

interface Example {
  command: string;
  shown: string;
}

/** The README's console examples: the command line, and what the README says it prints. */
function examples(): Example[] {
  const text = readFileSync(packagePath('README.md'), 'utf8');
  return [...text.matchAll(/^```console\n\$ (lab-grade [^\n]+)\n([\s\S]*?)^```$/gm)].map((m) => ({ command: m[1], shown: m[2] }));
}

/** Durations differ on every run: `995ms`, `4.2s`, `2m 03s` at the end of a student's line. */
const withoutDurations = (text: string) => text.replace(/ {2}(\d+ms|\d+\.\d+s|\d+m \d{2}s)$/gm, '  <time>').trimEnd();

describe('README examples', () => {
  const found = examples();

  it('shows a single student, a class and the list of checks', () => {
    expect(found.map((e) => e.command.split(' ')[1])).toEqual(['demo', 'demo', 'checks']);
    expect(found[1].command).toContain('--scenarios fixtures/scenarios/10-no-vm-cluster-creating.yaml');
  });

  it.each(found.map((e) => [e.command, e] as const))(
    '%s prints what the README shows',
    async (_, example) => {
      // Our examples quote nothing: a plain split gives the arguments as a shell would.
      const r = await runCli(example.command.split(' ').slice(1), { timeoutMs: 90_000 });
      expect(r.code === 0 || r.code === 1 || r.code === 3, r.stderr).toBe(true);
      expect(withoutDurations(r.stdout)).toBe(withoutDurations(example.shown));
    },
    120_000,
  );
});
