/** `lab-grade live`'s options as the issue names them, turned into the application's request (yargs' camelCase keys). */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { defaultCommandRequest, liveRequest } from './options.js';

const keyOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.key;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('live options', () => {
  it('defaults: 127.0.0.1:8080, a round every 120 s until stopped, stuck after 15 min, the config credit, pre-flight, ./lab-grade.yaml', () => {
    expect(liveRequest({ preflight: true }, ['live'])).toEqual({
      configFile: 'lab-grade.yaml',
      grade: {
        host: '127.0.0.1',
        port: 8080,
        stuckAfterMinutes: 15,
        intervalSeconds: 120,
        rounds: undefined,
        concurrency: 16,
        studentTimeoutSeconds: undefined,
        preflight: true,
        allowExecCredentials: false,
        invocation: ['live'],
      },
    });
  });

  it('-c, --interval, --ledger, --port, --host, --rounds, --shard, --stuck-after and --credit reach the request', () => {
    const argv = ['live', '-c', 'class.yaml'];
    const request = liveRequest(
      { config: 'class.yaml', interval: 60, ledger: 'day1.jsonl', port: 0, host: '0.0.0.0', rounds: 3, shard: '2/3', stuckAfter: 20, credit: 'final', preflight: false, concurrency: 4 },
      argv,
    );
    expect(request).toEqual({
      configFile: 'class.yaml',
      grade: {
        host: '0.0.0.0',
        port: 0,
        stuckAfterMinutes: 20,
        credit: 'final',
        intervalSeconds: 60,
        rounds: 3,
        ledger: 'day1.jsonl',
        shard: { index: 2, count: 3 },
        concurrency: 4,
        studentTimeoutSeconds: undefined,
        preflight: false,
        allowExecCredentials: false,
        invocation: argv,
      },
    });
  });

  it('--follow serves ledgers matching its pattern with the dashboard options, and refuses every grading option', () => {
    expect(liveRequest({ follow: 'results/*.jsonl', port: 9000, credit: 'earned' }, [])).toEqual({
      follow: { host: '127.0.0.1', port: 9000, stuckAfterMinutes: 15, credit: 'earned', pattern: 'results/*.jsonl' },
    });
    expect(liveRequest({ follow: 'r/*.jsonl', config: 'class.yaml' }, [])).toMatchObject({ configFile: 'class.yaml' });
    for (const [key, flag] of [
      ['interval', '--interval'],
      ['ledger', '--ledger'],
      ['rounds', '--rounds'],
      ['shard', '--shard'],
      ['studentTimeout', '--student-timeout'],
    ]) {
      expect(
        keyOf(() => liveRequest({ follow: 'r/*.jsonl', [key]: key === 'shard' ? '1/2' : 5 }, [])),
        key,
      ).toBe(flag);
    }
  });

  it('refuses, naming the option, values that are none', () => {
    expect(keyOf(() => liveRequest({ host: ' ' }, []))).toBe('--host');
    expect(keyOf(() => liveRequest({ ledger: '' }, []))).toBe('--ledger');
    expect(keyOf(() => liveRequest({ follow: '' }, []))).toBe('--follow');
    expect(keyOf(() => liveRequest({ port: 65536 }, []))).toBe('--port');
    expect(keyOf(() => liveRequest({ port: 1.5 }, []))).toBe('--port');
    expect(keyOf(() => liveRequest({ interval: 0 }, []))).toBe('--interval');
    expect(keyOf(() => liveRequest({ rounds: 0 }, []))).toBe('--rounds');
    expect(keyOf(() => liveRequest({ stuckAfter: 0 }, []))).toBe('--stuck-after');
    expect(keyOf(() => liveRequest({ shard: '3/2' }, []))).toBe('--shard');
  });
});

describe('the default command', () => {
  it('says whether a class is named (--config, --user) and which self-check options were given, as flags', () => {
    expect(defaultCommandRequest({})).toEqual({ classNamed: false, selfCheckFlags: [] });
    expect(defaultCommandRequest({ config: 'class.yaml' })).toMatchObject({ classNamed: true });
    expect(defaultCommandRequest({ user: ['labuser01'] })).toMatchObject({ classNamed: true });
    expect(defaultCommandRequest({ user: [] })).toMatchObject({ classNamed: false });
    // A boolean option turned off (--no-watch) was not asked for.
    expect(defaultCommandRequest({ watch: false, local: true, resourceGroup: 'rg', userName: 'me' }).selfCheckFlags).toEqual(['--local', '--resource-group', '--user-name']);
  });
});
