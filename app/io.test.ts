/** A terminal as the reporters see it: its width, when the terminal does not say one. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamOutput } from './io.js';

/** A terminal stream of this many columns (0: a pty with no size set, as `script` gives). */
function terminal(columns: number): NodeJS.WriteStream {
  return Object.assign(new PassThrough(), { isTTY: true, columns }) as unknown as NodeJS.WriteStream;
}

describe('streamOutput columns', () => {
  it('takes the width the terminal reports', () => {
    expect(streamOutput(terminal(132), { COLUMNS: '100' }).columns).toBe(132);
  });

  it('reads 0 columns as an unknown width: $COLUMNS, else 80', () => {
    expect(streamOutput(terminal(0), { COLUMNS: '100' }).columns).toBe(100);
    expect(streamOutput(terminal(0), {}).columns).toBe(80);
    expect(streamOutput(terminal(0), { COLUMNS: 'wide' }).columns).toBe(80);
  });

  it('gives no width for a pipe or a file', () => {
    const pipe = Object.assign(new PassThrough(), { isTTY: false, columns: 0 }) as unknown as NodeJS.WriteStream;
    expect(streamOutput(pipe, { COLUMNS: '100' }).columns).toBeUndefined();
  });
});
