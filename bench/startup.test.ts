/** Start-up rows: medians of whole-process runs, and the commands measured. */
import { describe, expect, it } from 'vitest';
import { median, measureStartup, startupCommands, startupVerdicts } from './startup.js';

describe('start-up measurement', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of nothing');
  });

  it('times whole node processes, each command in its own row', () => {
    const [bare, slow] = measureStartup(
      [
        { label: 'bare', args: ['-e', '0'] },
        { label: 'slow', args: ['-e', 'setTimeout(() => {}, 300)'] },
      ],
      3,
    );
    expect(bare.label).toBe('bare');
    expect(slow.label).toBe('slow');
    expect(slow.medianMs).toBeGreaterThanOrEqual(300);
    expect(bare.medianMs).toBeLessThan(slow.medianMs);
  });

  it('a command that fails is an error naming it, not a fast row', () => {
    expect(() => measureStartup([{ label: 'broken', args: ['-e', 'process.exit(3)'] }], 1)).toThrow('broken exited with 3');
  });

  it('measures node alone, then --help, --version and checks from dist/ and from the bundle', () => {
    const commands = startupCommands('/x/lab-grade.mjs');
    expect(commands.map((c) => c.label)).toEqual([
      'node -e 0',
      'lab-grade --help (dist/)',
      'lab-grade --help (bundle)',
      'lab-grade --version (dist/)',
      'lab-grade --version (bundle)',
      'lab-grade checks (dist/)',
      'lab-grade checks (bundle)',
    ]);
    expect(commands[2].args).toEqual(['/x/lab-grade.mjs', '--help']);
    expect(commands[1].args[0]).toMatch(/dist\/bin\/lab-grade\.js$/);
  });

  it('judges each command against node alone: at most 3 times as long is met', () => {
    const rows = startupVerdicts([
      { label: 'node -e 0', medianMs: 50 },
      { label: 'quick', medianMs: 150 },
      { label: 'slow', medianMs: 151 },
    ]);
    expect(rows).toEqual([
      { label: 'quick', medianMs: 150, overMs: 100, ratio: 3, met: true },
      { label: 'slow', medianMs: 151, overMs: 101, ratio: 3.02, met: false },
    ]);
  });
});
