/**
 * The progress line on a terminal, sharing it with a console report and warnings: what ends up on the
 * screen has every report line whole, never glued to a progress line.
 */
import { describe, expect, it } from 'vitest';
import { loadClassSmall, TITLE } from '../fixtures/results/support.js';
import { createConsoleReporter } from '../reporters/console.js';
import { ProgressReporter } from '../reporters/progress.js';
import { bufferOutput, runInfoFor } from '../reporters/replay.js';
import type { Reporter } from '../reporters/types.js';
import type { Notices } from './io.js';
import { screen } from '../test/support/terminal.js';
import { besideStatusLine } from './status-line.js';

async function classRun(wrap: boolean): Promise<string[]> {
  // One terminal: stdout and stderr interleave on it.
  const terminal = bufferOutput({ isTTY: true });
  const run = loadClassSmall();
  const info = runInfoFor(run, { title: TITLE, passMark: 70 });
  const progress = new ProgressReporter({ output: terminal, tickMs: 0 });
  const notices: Notices = { status: terminal, warn: (t) => terminal.write(`lab-grade: warning: ${t}\n`) };
  const report = createConsoleReporter({ output: terminal });
  const shown = wrap ? besideStatusLine(progress, [report], notices) : { reporters: [report], notices };
  const reporters: Reporter[] = [progress, ...shown.reporters];
  for (const r of reporters) await r.onRunStart?.(info);
  for (const s of run.students) {
    for (const r of reporters) await r.onStudentStart?.(s.user);
    if (s.user === 'labuser08') shown.notices.warn('a reporter failed: disk full');
    for (const r of reporters) await r.onStudentEnd?.(s);
  }
  for (const r of reporters) await r.onRunEnd?.(run);
  return screen(terminal.text());
}

describe('the progress line beside the reports', () => {
  it('is cleared before a report or a warning is written, and drawn again after', async () => {
    const lines = await classRun(true);
    expect(lines[0]).toBe(`${TITLE} (aks-greetings) — 3 students, pass mark 70%`);
    expect(lines).toContain('labuser07');
    expect(lines).toContain('lab-grade: warning: a reporter failed: disk full');
    // Progress text appears only on its own lines, and the last one is the final count.
    const glued = lines.filter((l) => /graded · /.test(l) && !/^\[[#-]{20}\] /.test(l));
    expect(glued).toEqual([]);
    expect(lines.filter((l) => l.includes('graded · '))).toEqual([expect.stringMatching(/^\[#{20}\] 3\/3 graded · 1 passing · 1 incomplete in \d+ms$/)]);
  });

  it('(without it, the first report line is glued to the progress line)', async () => {
    const lines = await classRun(false);
    expect(lines[0]).toMatch(/^\[-{20}\] 0\/3 graded · 0 passing · 0 incomplete.*Introduction/);
  });
});
