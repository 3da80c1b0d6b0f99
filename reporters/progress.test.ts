import { describe, expect, it } from 'vitest';
import type { StudentResult } from '../core/model.js';
import { ProgressReporter } from './progress.js';
import { bufferOutput } from './replay.js';

const student = (user: string, over: Partial<StudentResult> = {}): StudentResult => ({
  user,
  status: 'graded',
  score: 30,
  maxScore: 34,
  bonus: 0,
  percent: 88.2,
  passed: true,
  checks: [],
  durationMs: 1200,
  ...over,
});
const info = (users: string[]) => ({ lab: 'aks-greetings', title: 'AKS', users, passMark: 70, startedAt: new Date(0) });

describe('progress reporter', () => {
  it('without a TTY: one line per finished student', () => {
    const out = bufferOutput({ isTTY: false });
    const p = new ProgressReporter({ output: out });
    p.onRunStart(info(['a', 'b']));
    p.onStudentEnd(student('a'));
    p.onStudentEnd(student('b', { status: 'incomplete', passed: false }));
    p.onRunEnd();
    expect(out.text().split('\n').filter(Boolean)).toEqual(['[1/2] a 30/34 (88.2%) passed 1.2s', '[2/2] b 30/34 (88.2%) INCOMPLETE 1.2s']);
  });

  it('on a TTY: one line redrawn in place with done/total, passing, incomplete and ETA', async () => {
    const out = bufferOutput({ isTTY: true });
    let now = 0;
    const p = new ProgressReporter({ output: out, now: () => now, tickMs: 0 });
    p.onRunStart(info(['a', 'b', 'c', 'd']));
    now = 10_000;
    p.onStudentEnd(student('a'));
    await new Promise((r) => setImmediate(r));
    const last = out.text().split('\r\x1b[K').filter(Boolean).at(-1)!;
    expect(last).toBe('[#####---------------] 1/4 graded · 1 passing · 0 incomplete · ETA 30.0s');
    expect(out.text()).not.toContain('\n');
    now = 20_000;
    p.onStudentEnd(student('b', { status: 'incomplete' }));
    p.onStudentEnd(student('c', { passed: false }));
    p.onStudentEnd(student('d'));
    p.onRunEnd();
    expect(out.text().endsWith('\r\x1b[K[####################] 4/4 graded · 2 passing · 1 incomplete in 20.0s\n')).toBe(true);
  });

  it('says no verdict of a partial run (--only)', () => {
    const out = bufferOutput({ isTTY: false });
    const p = new ProgressReporter({ output: out });
    p.onRunStart({ ...info(['a']), only: ['ex6'] });
    p.onStudentEnd(student('a', { passed: false }));
    expect(out.text()).toBe('[1/1] a 30/34 (88.2%) partial 1.2s\n');
  });
});
