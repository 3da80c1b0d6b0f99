import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClassConfig, targetsFor } from './config.js';
import { ConfigError } from './errors.js';
import { readYamlFile } from './fields.js';
import { loadProfile } from './profile.js';
import { packagePath } from './paths.js';
import { ALL_CHECKS } from '../checks/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grade-config-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('class config', () => {
  it('reads a config or profile only as a regular file: a device, a pipe or a folder is refused, not read forever', () => {
    const fifo = join(dir, 'class.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [
      ['/dev/zero', 'a character device'],
      [fifo, 'a named pipe'],
      [dir, 'a folder'],
    ]) {
      expect(() => loadClassConfig(file), file).toThrow(`${file}: the file must be a regular file; this is ${kind}`);
      expect(() => loadProfile(file, ALL_CHECKS), file).toThrow(`${file}: the file must be a regular file; this is ${kind}`);
    }
    expect(() => loadClassConfig(join(dir, 'absent.yaml'))).toThrow('absent.yaml: file not found');
  });

  it('a profile: that is not there is refused naming the config, the key and the path as written and as resolved', () => {
    const file = write('missing-profile.yaml', 'profile: ./nowhere.yaml\nroster: [labuser01]\n');
    const err = (() => {
      try {
        loadClassConfig(file);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ file, key: 'profile' });
    expect(err!.message).toContain(`"./nowhere.yaml" not found (${join(dir, 'nowhere.yaml')})`);
    // One that is there is taken, resolved against the config's folder.
    write('here.yaml', 'extends: builtin\n');
    expect(loadClassConfig(write('with-profile.yaml', 'profile: here.yaml\nroster: [labuser01]\n')).profileFile).toBe(join(dir, 'here.yaml'));
  });

  it('expands per-user templates, reads the password from an env variable and the roster from CSV', () => {
    write('roster.csv', 'user,vmHost\nlabuser01,\nlabuser02,special-vm.example.net\n');
    write('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    process.env.LAB_GRADE_TEST_PW = 'pw-from-the-environment';
    const config = loadClassConfig(
      write(
        'class.yaml',
        [
          'roster: roster.csv',
          'resourceGroup: "rg-{user}"',
          'azure: { subscription: 11111111-2222-3333-4444-555555555555 }',
          'vm:',
          '  host: "{user}-xxxx.westeurope.cloudapp.azure.com"',
          '  password: { env: LAB_GRADE_TEST_PW }',
          'tls: { caFile: ca.pem }',
          'timeouts: { kube: 7 }',
        ].join('\n'),
      ),
    );
    const [a, b] = targetsFor(config);
    expect(a).toMatchObject({ user: 'labuser01', resourceGroup: 'rg-labuser01', vm: { host: 'labuser01-xxxx.westeurope.cloudapp.azure.com', port: 22, username: 'labuser01' } });
    expect(b.vm!.host).toBe('special-vm.example.net');
    expect(a.vm!.password!.reveal()).toBe('pw-from-the-environment');
    expect(JSON.stringify(a)).not.toContain('pw-from-the-environment');
    expect(config.azure).toMatchObject({ endpoint: 'https://management.azure.com', credential: 'default' });
    expect(config.timeoutsMs.kube).toBe(7000);
    expect(config.caPem).toContain('BEGIN CERTIFICATE');
  });

  it('names the file, the key and what is expected', () => {
    const bad = (text: string) => () => loadClassConfig(write('bad.yaml', text));
    expect(bad('roster: []\n')).toThrow(/bad\.yaml: roster: is empty/);
    expect(bad('roster: [a1, a1]\n')).toThrow(/roster\[1\]: user "a1" is also roster\[0\]$/);
    expect(bad('roster: [a1]\nvm: { host: x }\n')).toThrow(/vm\.keyFile: the VM login needs keyFile or password/);
    expect(bad('roster: [a1]\nvm: { host: x, password: { env: LAB_GRADE_UNSET_VAR } }\n')).toThrow(/vm\.password: environment variable LAB_GRADE_UNSET_VAR is not set/);
    expect(bad('roster: [a1]\nazure: { subscription: s, endpoint: "http://127.0.0.1:1" }\n')).toThrow(/azure\.endpoint: expected an https:\/\/ URL/);
    expect(bad('roster: [a1]\nnetwork: { connectTo: { "a.example:80": "nowhere" } }\n')).toThrow(/network\.connectTo\.a\.example:80: expected "host:port"/);
    expect(bad('roster: [a1]\ntimeouts: { kube: -1 }\n')).toThrow(/timeouts\.kube: expected at least 0\.1/);
    expect(() => loadClassConfig(write('csv.yaml', 'roster: missing.csv\n'))).toThrow(/csv\.yaml: roster: .*missing\.csv: cannot read the roster \(ENOENT\)/);
    write('cols.csv', 'name\nx\n');
    expect(() => loadClassConfig(write('cols.yaml', 'roster: cols.csv\n'))).toThrow(/cols\.csv: needs a "user" column/);
  });

  it('a roster CSV with a column twice, a user twice (also in another case) or a bad row is refused naming the CSV file and line', () => {
    const bad = (csv: string) => () => loadClassConfig(write('roster-bad.yaml', `roster: ${write('bad.csv', csv)}\n`));
    const csv = join(dir, 'bad.csv');
    expect(bad('user,vmHost,user\na1,h,a2\n')).toThrow(`${csv}: line 1: the header names the column "user" twice`);
    expect(bad('user\nAlice\nbob\n\nalice\n')).toThrow(`${csv}: line 5: user "alice" is also on line 2 as "Alice": user names that differ only in case are one user for Azure and SSH`);
    expect(bad('user\na1\na1\n')).toThrow(`${csv}: line 3: user "a1" is also on line 2`);
    expect(bad('user,vmPort\na1,22\n\na2,port\n')).toThrow(`${csv}: line 4: vmPort: expected a port number, got "port"`);
    expect(bad('user\nbad user\n')).toThrow(`${csv}: line 2: expected a user name (letters, digits, . _ @ -), got "bad user"`);
    expect(bad('user,email\na1,x\n')).toThrow(`${csv}: line 1: unknown column "email"`);
  });

  it("names a row's first line when a quoted value spans lines, with LF or CRLF line ends", () => {
    const where = (csv: string) => {
      try {
        loadClassConfig(write('roster-lines.yaml', `roster: ${write('lines.csv', csv)}\n`));
      } catch (err) {
        return { name: (err as Error).name, key: (err as ConfigError).key, message: (err as Error).message.split(': ').slice(2).join(': ') };
      }
      throw new Error('the roster was accepted');
    };
    expect(where('user,vmHost,vmPort\na1,"first\nsecond",port\n')).toEqual({ name: 'ConfigError', key: 'line 2', message: 'vmPort: expected a port number, got "port"' });
    expect(where('user,vmHost\r\na1,"first\r\nsecond"\r\n\r\na1,h\r\n')).toEqual({ name: 'ConfigError', key: 'line 5', message: 'user "a1" is also on line 2' });
    expect(where('\ufeff\nuser,vmHost\n\n  a1,"x\n\ny"\nbad user,h\n')).toEqual({ name: 'ConfigError', key: 'line 7', message: 'expected a user name (letters, digits, . _ @ -), got "bad user"' });
    expect(where('\ufeff\nuser,vmHost,user\na1,h,a2\n')).toEqual({ name: 'ConfigError', key: 'line 2', message: 'the header names the column "user" twice' });
  });

  it('names the line of a CSV syntax error, after quoted values that span CRLF lines, and where a quote never closed opened', () => {
    const syntax = (csv: string) => {
      const err = (() => {
        try {
          loadClassConfig(write('roster-syntax.yaml', `roster: ${write('syntax.csv', csv)}\n`));
        } catch (e) {
          return e as ConfigError;
        }
      })();
      if (!err) throw new Error('the roster was accepted');
      return { name: err.name, file: err.file, key: err.key };
    };
    const file = join(dir, 'syntax.csv');
    // Two lines of a quoted value, then the bad row on line 4: csv-parse alone says line 5 (CRLF counted twice).
    expect(syntax('user,vmHost\r\n"lab\r\nuser1",h1\r\nok,x"y\r\n')).toEqual({ name: 'ConfigError', file, key: 'line 4' });
    expect(syntax('user,vmHost\r\n"q\r\nq",b\r\na,b,c\r\n')).toEqual({ name: 'ConfigError', file, key: 'line 4' });
    expect(syntax('user,vmHost\n"a\nb",h\n"bad"x,h3\n')).toEqual({ name: 'ConfigError', file, key: 'line 4' });
    // A quote never closed: where it opened (line 4), not the end of the file where csv-parse gave up.
    expect(syntax('user,vmHost\r\n"lab\r\nuser1",h1\r\n"unterminated,h2\r\nz,h3\r\n')).toEqual({ name: 'ConfigError', file, key: 'line 4' });
    expect(() => loadClassConfig(write('roster-syntax.yaml', `roster: ${file}\n`))).toThrow(`${file}: line 4: invalid CSV: a quoted value opened here is never closed`);
    write('syntax.csv', 'user,vmHost\r\n"q\r\nq",b\r\na,b,c\r\n');
    expect(() => loadClassConfig(write('roster-syntax.yaml', `roster: ${file}\n`))).toThrow(`${file}: line 4: invalid CSV: Invalid Record Length: expect 2, got 3`);
  });

  it('a roster list with a user twice in another case is refused too', () => {
    expect(() => loadClassConfig(write('case.yaml', 'roster: [Alice, bob, alice]\n'))).toThrow(/case\.yaml: roster\[2\]: user "alice" is also roster\[0\] as "Alice"/);
  });

  it('lists the roster for an unknown user', () => {
    const config = loadClassConfig(write('ok.yaml', 'roster: [labuser01, labuser02]\n'));
    expect(() => targetsFor(config, ['labuser29'])).toThrow('unknown user "labuser29"; the roster has: labuser01, labuser02');
  });

  it('reads credit: earned or final, unset by default, and names anything else', () => {
    expect(loadClassConfig(write('plain.yaml', 'roster: [a1]\n')).credit).toBeUndefined();
    expect(loadClassConfig(write('earned.yaml', 'roster: [a1]\ncredit: earned\n')).credit).toBe('earned');
    expect(loadClassConfig(write('final.yaml', 'roster: [a1]\ncredit: final\n')).credit).toBe('final');
    expect(() => loadClassConfig(write('best.yaml', 'roster: [a1]\ncredit: best\n'))).toThrow(/best\.yaml: credit: expected one of earned, final, got "best"/);
  });
});

describe('lab profile', () => {
  it('holds the rubric points: every check of the catalogue counted once, with the points the profile file gives it', () => {
    const p = loadProfile(undefined, ALL_CHECKS);
    const written = (readYamlFile(packagePath('profiles', 'aks-greetings.yaml')) as { checks: Record<string, { points?: number; bonus?: number }> }).checks;
    expect(Object.keys(p.checks).sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
    const sum = (of: (c: { points?: number; bonus?: number }) => number | undefined, checks: Array<{ points?: number; bonus?: number }>) => checks.reduce((s, c) => s + (of(c) ?? 0), 0);
    expect(sum((c) => c.points, Object.values(p.checks))).toBe(sum((c) => c.points, Object.values(written)));
    expect(sum((c) => c.bonus, Object.values(p.checks))).toBe(sum((c) => c.bonus, Object.values(written)));
    expect(p.expect).toMatchObject({ tag: 'v1.0', nodes: 3, app: { hostPort: 80, containerPort: 8080, replicas: 3 }, api: { replicas: 1 } });
  });

  it('gives a check the profile does not list its default points, and refuses an unknown check', () => {
    const base = loadProfile();
    const builtIn = readFileSync(packagePath('profiles', 'aks-greetings.yaml'), 'utf8');
    // A variant copied before ex6.app.e2e existed: the check still counts, with its own default points.
    const older = loadProfile(write('p1.yaml', builtIn.replace(/^ {2}ex6\.app\.e2e:.*\n/m, '')), ALL_CHECKS);
    expect(older.checks['ex6.app.e2e']).toEqual({ points: 3, bonus: 0, enabled: true });
    expect(older.checks['ex7.helm.release']).toEqual({ points: 0, bonus: 2, enabled: true });
    expect(() => loadProfile(write('p2.yaml', builtIn.replace('checks:\n', 'checks:\n  ex9.nope: { points: 1 }\n')), ALL_CHECKS)).toThrow(/checks\.ex9\.nope: unknown check id/);
    expect(base.passMark).toBe(70);
  });

  it("every check's default points are the built-in profile's", () => {
    const p = loadProfile(undefined, ALL_CHECKS);
    for (const c of ALL_CHECKS) expect({ id: c.id, points: c.points.points ?? 0, bonus: c.points.bonus ?? 0, enabled: true }).toEqual({ id: c.id, ...p.checks[c.id] });
  });
});
