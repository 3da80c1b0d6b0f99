/**
 * Golden files are compared, never written, by the test command (locally and in CI): a missing golden
 * fails its test. Only `vitest run -u` writes them, on purpose.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config.js';
import { packagePath } from '../core/paths.js';

describe('golden files', () => {
  it('the test configuration never writes a missing snapshot or golden file', () => {
    expect(config.test?.update).toBe('none');
  });

  it('CI does not turn updating back on', () => {
    const ci = readFileSync(packagePath('.ci', 'run'), 'utf8');
    expect(ci).not.toMatch(/UPDATE_SNAPSHOT|--update|\s-u\b/);
  });
});
