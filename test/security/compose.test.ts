/**
 * Files from the student: a compose file that is 50 MB, binary, nested 10 000 levels deep, an alias
 * bomb or a thousand short keys is read over SFTP from the SSH stand-in within a size cap and a time
 * bound, and ex2.compose.valid grades it `fail` with a message that says why (never `error`, never a
 * crash). Parse work is bounded, so ten such students graded at once do not hold up an innocent one.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { selectChecks } from '../../core/selection.js';
import { COMPOSE_LIMITS, readCompose } from '../../checks/compose/read.js';
import { gradeStudent } from '../../core/engine.js';
import { loadProfile } from '../../core/profile.js';
import { Secret } from '../../core/secret.js';
import { NetworkPolicy } from '../../probes/net.js';
import { sshVm } from '../../probes/vm/ssh.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { startVm, type SimulatedVm } from '../../sandbox/vm/server.js';
import { sharedPath } from '../support/shared.js';
import { BUILT_IN, peakMemoryDuring, timed, variant } from './support.js';
import { yamlWorkOf } from '../support/yaml-work.js';

vi.mock('yaml', async (original) => (await import('../support/yaml-work.js')).countingYaml(await original()));

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
  for (let i = 1; i < levels; i++)
    lines.push(
      `x-l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\nservices:\n  app:\n    image: *l${levels - 1}\n`;
}

/**
 * Short keys in one flow mapping, past the key bound within the size and line bounds: cheap to send,
 * work for a parser that checks keys are unique (30 000 of them cost seconds before the bounds).
 */
function manyKeys(count = COMPOSE_LIMITS.maxKeys + 100): string {
  const keys = Array.from({ length: count }, (_, i) => `k${i.toString(36)}: 1`);
  return `services:\n  app:\n    image: myapp\nx-keys: {${keys.join(', ')}}\n`;
}

/** Empty list items in one flow sequence: no key at all, still a node each. */
const manyItems = () => `services:\n  app:\n    image: myapp\nx-items: [${'a,'.repeat(COMPOSE_LIMITS.maxNodes + 100)}]\n`;

const KEYS_MESSAGE = new RegExp(`the compose file has more than ${COMPOSE_LIMITS.maxKeys} keys; the lab's has about 10`);

const HOSTILE: Array<[string, () => string | Buffer, RegExp]> = [
  [
    '50 MB of valid-looking YAML',
    () => 'services:\n' + '  # padding\n'.repeat((50 * MB) / 12),
    new RegExp(`the file is \\d+ bytes, more than the ${COMPOSE_LIMITS.maxBytes} a compose file may have here`),
  ],
  ['binary (random bytes)', () => randomBytes(16 * 1024), /the file is not text/],
  ['binary with NUL bytes in valid UTF-8', () => 'services:\n  app:\n    image: "a\0b"\n', /the file is not text \(a NUL byte at offset \d+\)/],
  ['flow nesting 10 000 deep', () => `services:\n  app:\n    image: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, /the YAML is nested deeper than 64 levels/],
  ['block nesting 150 deep', () => `services:\n${Array.from({ length: 150 }, (_, i) => `${' '.repeat(2 * (i + 1))}a${i}:`).join('\n')}\n`, /the YAML is nested deeper than 64 levels/],
  ['compact sequences 10 000 deep', () => `services:\n  app:\n    ports:\n${'- '.repeat(10_000)}x\n`, /nested deeper than 64 levels/],
  ['a YAML error quoting 30 KB of the file', () => `{}\n - x\n ${'y'.repeat(30_000)}\n`, /Unexpected seq-item-ind/],
  ['an alias bomb (10^12 strings expanded)', () => aliasBomb(), /the YAML cannot be expanded: .*too many aliases/],
  ['1 100 short keys', manyKeys, KEYS_MESSAGE],
  ['4 100 list items', manyItems, new RegExp(`the compose file has more than ${COMPOSE_LIMITS.maxNodes} YAML nodes`)],
  [
    'merge-key alias bomb',
    () => `x0: &a {k0: v, k1: v}\n${Array.from({ length: 200 }, (_, i) => `x${i + 1}: &a${i} {<<: [*a, *a, *a], n${i}: v}`).join('\n')}\nservices: {}\n`,
    /too many aliases|cannot be expanded/,
  ],
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

describe('compose parse work is bounded', () => {
  it('refuses a thousand short keys before it builds a document, naming the limit', () => {
    const text = manyKeys();
    const t0 = performance.now();
    const { result, documents } = yamlWorkOf(() => readCompose(text));
    expect(result.model).toBeUndefined();
    expect(result.errors).toEqual([{ message: expect.stringMatching(KEYS_MESSAGE), limit: 'keys', line: 4, col: expect.any(Number) }]);
    // The first key over the limit is where reading stopped (services, app, image and x-keys come before k0).
    expect(text.split('\n')[3].slice(result.errors[0].col! - 1)).toMatch(new RegExp(`^k${(COMPOSE_LIMITS.maxKeys - 4).toString(36)}: 1,`));
    // Building the document (every key checked against the others) is what takes seconds: it never starts.
    expect(documents).toBe(0);
    // Only against a hang: the count above is the bound.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('still reads every real compose file of the fixtures (the largest has a few hundred keys)', () => {
    const dir = sharedPath('fixtures', 'compose');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const result = readCompose(readFileSync(join(dir, f), 'utf8'));
      expect(
        result.errors.filter((e) => e.limit),
        f,
      ).toEqual([]);
      expect(Object.keys(result.model?.services ?? {}).length, f).toBeGreaterThan(0);
    }
  });

  it('ten students sending a thousand short keys, graded at once, hardly delay an innocent student graded beside them', async () => {
    const innocentVm = await startVm({ scenario: variant(base, 'compose-innocent'), password: PASSWORD });
    const hostileVm = await startVm({ scenario: variant(base, 'compose-keys'), password: PASSWORD });
    writeFileSync(join(hostileVm.home, 'greetings', 'docker-compose.yaml'), manyKeys());
    const grade = async (user: string, sim: SimulatedVm) => {
      const vm = sshVm({
        target: { host: `${user}.example.com`, port: 22, username: user, password: new Secret(PASSWORD, 'vm password') },
        policy: new NetworkPolicy({ loopbackOnly: true, connectTo: { [`${user}.example.com:22`]: `127.0.0.1:${sim.port}` } }),
        timeoutMs: 10_000,
        maxOutputBytes: 64 * 1024,
      });
      try {
        const t0 = performance.now();
        const grade = await gradeStudent({ user, resourceGroup: 'rg' }, selectChecks(ALL_CHECKS, ['ex2.compose.valid']), { probes: { vm } }, profile);
        return { check: grade.result.checks.find((c) => c.id === 'ex2.compose.valid')!, ms: performance.now() - t0 };
      } finally {
        await vm.close();
      }
    };
    try {
      await grade('compose-innocent', innocentVm); // warm up: connections, code paths
      const alone = await grade('compose-innocent', innocentVm);
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      const [innocent, ...hostile] = await timed(20_000, () => Promise.all([grade('compose-innocent', innocentVm), ...Array.from({ length: 10 }, () => grade('compose-keys', hostileVm))])).then(
        (r) => r.value,
      );
      lag.disable();
      // No hostile file held the event loop for long: refusing one costs milliseconds.
      expect(lag.max / 1e6).toBeLessThan(400);
      // Ten more SSH sessions cost something on a busy 2-core machine; parsing must not add seconds.
      expect(innocent.ms - alone.ms).toBeLessThan(1_500);
      expect(innocent.check.status).toBe('pass');
      for (const h of hostile) {
        expect(h.check.status).toBe('fail');
        expect(h.check.message).toMatch(KEYS_MESSAGE);
      }
    } finally {
      await Promise.all([innocentVm.close(), hostileVm.close()]);
    }
  }, 60_000);
});
