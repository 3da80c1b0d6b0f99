/**
 * `lab-grade live --follow` reads of the class config only what the dashboard shows (the roster, the
 * profile, the credit): it serves the class where the graders' credentials are not, as the dashboard
 * Deployment of deploy/k8s-live.yaml runs without their Secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassConfig, loadClassOutline } from '../core/config.js';
import type { ClassSnapshot } from '../live/state.js';
import { killLeftovers, startLive } from '../test/support/live-workshop.js';

/** Named nowhere else: the variable is not set where the test runs. */
const ABSENT_VARIABLE = 'LAB_GRADE_TEST_FOLLOW_ABSENT_TOKEN';

let dir: string;
let configFile: string;

describe('live --follow without the credentials', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-grade-follow-'));
    configFile = join(dir, 'class.yaml');
    writeFileSync(
      configFile,
      [
        'roster: [ann, bob]',
        'credit: final',
        'azure:',
        '  subscription: 00000000-0000-0000-0000-000000000000',
        '  credential: token',
        `  token: {env: ${ABSENT_VARIABLE}}`,
        'vm:',
        '  host: "{user}.vm.example"',
        '  password: {file: ./no-such-password}',
        '',
      ].join('\n'),
    );
    delete process.env[ABSENT_VARIABLE];
  });
  afterAll(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grading with the config needs the secrets it names; their absence is named', () => {
    expect(() => loadClassConfig(configFile)).toThrow(`environment variable ${ABSENT_VARIABLE} is not set`);
  });

  it('reads the roster and the credit, and no secret', () => {
    expect(loadClassOutline(configFile)).toEqual({ file: configFile, profileFile: undefined, roster: [{ user: 'ann' }, { user: 'bob' }], credit: 'final' });
  });

  it('serves the dashboard of the class (its roster, its credit) though the secret variable and file are absent', async () => {
    const follower = startLive(['live', '--follow', join(dir, '*.jsonl'), '-c', configFile, '--port', '0']);
    const [, url] = await follower.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    const snapshot = (await (await fetch(new URL('api/class', url))).json()) as ClassSnapshot;
    expect(snapshot.students.map((s) => s.user)).toEqual(['ann', 'bob']);
    expect(snapshot.mode).toBe('final');
    expect((await fetch(url)).status).toBe(200);
    follower.child.kill('SIGINT');
    expect((await follower.exited).code).toBe(130);
  }, 60_000);
});
