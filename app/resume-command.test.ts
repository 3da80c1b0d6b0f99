/** The commands a run prints for its user to type next: the same options, the students or journal it needs. */
import { describe, expect, it } from 'vitest';
import { invokedCommand, liveAsClassRun, reportFiles, rerunCommand, rerunIncompleteCommand, rerunNote, rerunUsersCommand, resumeCommand } from './resume-command.js';

describe('commands to type next', () => {
  it('name the command as it was started: the installed command by its name, a script with node and its path', () => {
    expect(invokedCommand('/usr/local/bin/lab-grade', '/home/ann')).toBe('lab-grade');
    expect(invokedCommand('/home/ann/lab-grade.mjs', '/home/ann')).toBe('node lab-grade.mjs');
    expect(invokedCommand('/home/ann/course/dist/lab-grade.mjs', '/home/ann/course')).toBe('node dist/lab-grade.mjs');
    expect(invokedCommand('/app/lab-grade.mjs', '/home/node')).toBe('node /app/lab-grade.mjs');
    expect(invokedCommand('/home/ann/my lab/lab-grade.mjs', '/home/ann')).toBe("node 'my lab/lab-grade.mjs'");
  });

  it('grades students again by name: whoever chose the students before is replaced', () => {
    const typed = ['-c', 'class.yaml', '--user', 'a1', 'a2', '-r', 'console', '--shard', '2/4', '--user=a3', '-u', 'a4', '--no-journal'];
    expect(rerunUsersCommand(typed, ['labuser10', "o'brien"])).toBe("lab-grade -c class.yaml -r console --no-journal --user labuser10 --user 'o'\\''brien'");
  });

  it("grades students again by name onto the terminal only: the class's report files are never replaced by theirs", () => {
    const typed = ['-c', 'class.yaml', '--no-journal', '-r', 'console', 'html=nj.html', '--reporter=json=g.json', '-r', 'csv=grades.csv', '-r', 'markdown'];
    expect(reportFiles(typed)).toEqual(['nj.html', 'g.json', 'grades.csv']);
    expect(rerunUsersCommand(typed, ['labuser10']).split(' ')).toEqual(['lab-grade', '-c', 'class.yaml', '--no-journal', '-r', 'console', '-r', 'markdown', '--user', 'labuser10']);
    expect(rerunNote(typed, undefined)).toContain('nj.html, g.json, grades.csv keep the whole class');
    // With a journal the command re-grades into the reports; without report files there is nothing to keep.
    expect(rerunNote(typed, 'j.jsonl')).toBeUndefined();
    expect(rerunNote(['-c', 'class.yaml', '--no-journal'], undefined)).toBeUndefined();
  });

  it('resumes or re-grades from the journal, replacing any journal option', () => {
    const typed = ['-c', 'class.yaml', '--journal', 'old.jsonl', '-j', '8'];
    expect(resumeCommand(typed, 'j 1.jsonl')).toBe("lab-grade -c class.yaml -j 8 --resume 'j 1.jsonl'");
    expect(rerunIncompleteCommand(typed, 'j.jsonl')).toBe('lab-grade -c class.yaml -j 8 --rerun-incomplete j.jsonl');
    expect(rerunCommand(typed, 'j.jsonl', ['x'])).toBe(rerunIncompleteCommand(typed, 'j.jsonl'));
    expect(rerunCommand(['demo', '--no-journal'], undefined, ['x'])).toBe('lab-grade demo --no-journal --user x');
  });

  it("grades a student of a workshop once as a class run: live's rounds, ledger and dashboard options go", () => {
    const typed = [
      'live',
      '-c',
      'class.yaml',
      '--interval',
      '4',
      '--rounds=5',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--ledger',
      'p.jsonl',
      '--stuck-after=20',
      '--credit',
      'final',
      '-j',
      '8',
      '--shard',
      '2/3',
      '--no-preflight',
      '-q',
    ];
    expect(rerunUsersCommand(liveAsClassRun(typed), ['labuser10'])).toBe('lab-grade -c class.yaml -j 8 --no-preflight -q --user labuser10');
  });
});
