/**
 * Files from the student: a compose file that is 50 MB, binary, nested 100 000 levels deep or an alias
 * bomb is read over SFTP from the SSH stand-in within a size cap and a time bound, and
 * ex2.compose.valid grades it `fail` with a message that says why (never `error`, never a crash).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { selectChecks } from '../../core/selection.js';
import { COMPOSE_LIMITS } from '../../checks/compose/read.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { Secret } from '../../core/secret.js';
import { NetworkPolicy } from '../../probes/net.js';
import { sshVm } from '../../probes/vm/ssh.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { startVm, type SimulatedVm } from '../../sandbox/vm/server.js';
import { BUILT_IN, peakMemoryDuring, timed, variant } from './support.js';

const PASSWORD = 'Vm-Compose-Pass-2024!';
const MB = 1024 * 1024;
const profile = loadProfile();
const base = loadScenarios([join(BUILT_IN, 'vm', 'correct.yaml')])[0];
let sim: SimulatedVm;

beforeAll(async () => {
  sim = await startVm({ scenario: variant(base, 'compose-hostile'), password: PASSWORD });
});
afterAll(() => sim?.close());

function aliasBomb(levels = 12): string {
  const lines = ['x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`x-l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\nservices:\n  app:\n    image: *l${levels - 1}\n`;
}

const HOSTILE: Array<[string, () => string | Buffer, RegExp]> = [
  ['50 MB of valid-looking YAML', () => 'services:\n' + '  # padding\n'.repeat((50 * MB) / 12), new RegExp(`the file is \\d+ bytes, more than the ${COMPOSE_LIMITS.maxBytes} a compose file may have here`)],
  ['binary (random bytes)', () => randomBytes(64 * 1024), /the file is not text/],
  ['binary with NUL bytes in valid UTF-8', () => 'services:\n  app:\n    image: "a\0b"\n', /the file is not text \(a NUL byte at offset \d+\)/],
  ['flow nesting 100 000 deep', () => `services:\n  app:\n    image: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /the YAML is nested deeper than 64 levels/],
  ['block nesting 300 deep', () => `services:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 * (i + 1))}a${i}:`).join('\n')}\n`, /the YAML is nested deeper than 64 levels/],
  ['compact sequences 100 000 deep', () => `services:\n  app:\n    ports:\n${'- '.repeat(100_000)}x\n`, /nested deeper than 64 levels/],
  ['a YAML error quoting 200 KB of the file', () => `{}\n - x\n ${'y'.repeat(200_000)}\n`, /Unexpected seq-item-ind/],
  ['an alias bomb (10^12 strings expanded)', () => aliasBomb(), /the YAML cannot be expanded: .*too many aliases/],
  ['merge-key alias bomb', () => `x0: &a {k0: v, k1: v}\n${Array.from({ length: 200 }, (_, i) => `x${i + 1}: &a${i} {<<: [*a, *a, *a], n${i}: v}`).join('\n')}\nservices: {}\n`, /too many aliases|cannot be expanded/],
];

describe('hostile compose files through the SSH stand-in and ex2.compose.valid', () => {
  it.each(HOSTILE)('%s: fail, within the size cap and the time bound', async (_name, make, message) => {
    writeFileSync(join(sim.home, 'greetings', 'docker-compose.yaml'), make());
    const vm = sshVm({
      target: { host: 'compose.example.com', port: 22, username: 'compose-hostile', password: new Secret(PASSWORD, 'vm password') },
      policy: new NetworkPolicy({ loopbackOnly: true, connectTo: { 'compose.example.com:22': `127.0.0.1:${sim.port}` } }),
      timeoutMs: 5_000,
      maxOutputBytes: 64 * 1024,
    });
    const { value, rssGrowth, heapGrowth } = await peakMemoryDuring(() =>
      timed(8_000, () => gradeStudent({ user: 'compose-hostile', resourceGroup: 'rg' }, selectChecks(ALL_CHECKS, ['ex2.compose.valid']), { probes: { vm } }, profile)),
    );
    await vm.close();
    const check = value.value.result.checks.find((c) => c.id === 'ex2.compose.valid')!;
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(message);
    expect(check.message.length).toBeLessThan(400);
    expect(JSON.stringify(check.evidence).length).toBeLessThan(4_000);
    expect(value.ms).toBeLessThan(5_000);
    // Only the first cap's worth of a 50 MB file crosses the wire or sits in memory.
    expect(heapGrowth).toBeLessThan(40 * MB);
    expect(rssGrowth).toBeLessThan(80 * MB);
  });
});
