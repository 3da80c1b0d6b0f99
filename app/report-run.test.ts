/** Grading a class config into reports: what a new instructor is told when there is no config yet. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { packagePath } from '../core/paths.js';
import { bufferOutput } from '../reporters/replay.js';
import { NO_NOTICES } from './io.js';
import { CLASS_CONFIG_SECTION, gradeConfigFile } from './report-run.js';

describe('gradeConfigFile', () => {
  it('without the config file names it, the README section that says how to write one, and --config', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lab-grade-no-config-')), 'lab-grade.yaml');
    const err = await gradeConfigFile(file, { reports: [], users: ['labuser29'] }, { stdout: bufferOutput(), notices: NO_NOTICES }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(file);
    expect((err as ConfigError).message).toContain(`"${CLASS_CONFIG_SECTION}"`);
    expect((err as ConfigError).message).toContain('--config');
    expect(readFileSync(packagePath('README.md'), 'utf8')).toContain(`\n## ${CLASS_CONFIG_SECTION}\n`);
  });
});
