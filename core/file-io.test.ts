import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { landingPath, outputFilePlace } from './file-io.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'lab-grade-file-io-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(file: string): ConfigError {
  try {
    outputFilePlace(file, 'the csv report', 'for standard output give -r csv');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${file} was not refused`);
}

describe('landingPath: where a write to a name lands', () => {
  it('follows a chain of links to the file, a link to a file not made yet, and a linked folder', () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'grades.csv'), 'old');
    symlinkSync(join(dir, 'real', 'grades.csv'), join(dir, 'hop2.csv'));
    symlinkSync('hop2.csv', join(dir, 'hop1.csv'));
    symlinkSync('real/new.csv', join(dir, 'dangling.csv'));
    symlinkSync('real', join(dir, 'folder-link'));
    expect(landingPath(join(dir, 'hop1.csv'))).toBe(join(dir, 'real', 'grades.csv'));
    expect(landingPath(join(dir, 'dangling.csv'))).toBe(join(dir, 'real', 'new.csv'));
    expect(landingPath(join(dir, 'folder-link', 'x.csv'))).toBe(join(dir, 'real', 'x.csv'));
    expect(landingPath(join(dir, 'real', '..', 'plain.csv'))).toBe(join(dir, 'plain.csv'));
  });

  it('a loop of links ends (the name as it stands after the hops), without hanging', () => {
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    expect([join(dir, 'loop-a'), join(dir, 'loop-b')]).toContain(landingPath(join(dir, 'loop-a')));
  });
});

describe('outputFilePlace: where a finished file may be renamed onto', () => {
  it('a new file, an existing regular file, and one through a link: the file it lands on', () => {
    writeFileSync(join(dir, 'exists.csv'), 'old');
    symlinkSync('exists.csv', join(dir, 'to-exists.csv'));
    expect(outputFilePlace(join(dir, 'fresh.csv'), 'the csv report', '')).toBe(join(dir, 'fresh.csv'));
    expect(outputFilePlace(join(dir, 'exists.csv'), 'the csv report', '')).toBe(join(dir, 'exists.csv'));
    expect(outputFilePlace(join(dir, 'to-exists.csv'), 'the csv report', '')).toBe(join(dir, 'exists.csv'));
  });

  it('refuses a folder, a named pipe and a link to either, naming the file and what it is', () => {
    mkdirSync(join(dir, 'a-folder'));
    execFileSync('mkfifo', [join(dir, 'a-pipe')]);
    symlinkSync('a-pipe', join(dir, 'to-pipe'));
    expect(refusal(join(dir, 'a-folder')).message).toBe(`${join(dir, 'a-folder')}: the csv report must be a regular file (or a new one); this is a folder`);
    expect(refusal(join(dir, 'a-pipe')).message).toBe(`${join(dir, 'a-pipe')}: the csv report must be a regular file (or a new one); this is a named pipe`);
    expect(refusal(join(dir, 'to-pipe')).file).toBe(join(dir, 'to-pipe'));
  });

  it.each(['/dev/null', '/dev/full', '/dev/stdout', '/proc/self/fd/1', '/sys/kernel/new-file', '/dev/new-file'])('refuses %s: a device, a descriptor or a kernel file is never replaced', (file) => {
    const err = refusal(file);
    expect(err.file).toBe(file);
    expect(err.message).toBe(`${file}: the csv report cannot replace a special file (in /dev, /proc or /sys); for standard output give -r csv`);
  });

  it('a file in /dev/shm (memory-backed storage) is an ordinary place', () => {
    expect(outputFilePlace('/dev/shm/lab-grade-not-written.csv', 'the csv report', '')).toBe('/dev/shm/lab-grade-not-written.csv');
  });
});
