/** The default command's mode: a class run when a class is named or ./lab-grade.yaml is there, else a self-check. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { isSelfCheck } from './default-command.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-grade-mode-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the default command', () => {
  it('is a self-check with no class named and no lab-grade.yaml in the folder, self-check options or not', () => {
    expect(isSelfCheck({ classNamed: false, selfCheckFlags: [] }, dir)).toBe(true);
    expect(isSelfCheck({ classNamed: false, selfCheckFlags: ['--watch', '--local'] }, dir)).toBe(true);
  });

  it('is a class run when a class is named (--config, --user)', () => {
    expect(isSelfCheck({ classNamed: true, selfCheckFlags: [] }, dir)).toBe(false);
  });

  it("is a class run when the folder has lab-grade.yaml (another folder's is not looked at)", () => {
    writeFileSync(join(dir, 'lab-grade.yaml'), 'roster: [labuser01]\n');
    expect(isSelfCheck({ classNamed: false, selfCheckFlags: [] }, dir)).toBe(false);
    expect(isSelfCheck({ classNamed: false, selfCheckFlags: [] }, mkdtempSync(join(dir, 'elsewhere-')))).toBe(true);
  });

  it('refuses self-check options with a class, naming the first one given', () => {
    const refused = () => isSelfCheck({ classNamed: true, selfCheckFlags: ['--watch', '--local'] }, dir);
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow('--watch: is for a self-check (no --config, no --user and no lab-grade.yaml in this folder)');
    writeFileSync(join(dir, 'lab-grade.yaml'), 'roster: [labuser01]\n');
    expect(() => isSelfCheck({ classNamed: false, selfCheckFlags: ['--kubeconfig'] }, dir)).toThrow(/^--kubeconfig: is for a self-check/);
  });
});
