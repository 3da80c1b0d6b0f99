import { describe, expect, it } from 'vitest';
import { REPORTERS, createReporter, reporterNames } from './index.js';
import { bufferOutput } from './replay.js';

describe('reporter registry', () => {
  it('lists the built-in reporters', () => {
    expect(reporterNames()).toEqual(['console', 'json', 'junit', 'markdown', 'csv', 'html']);
    for (const name of reporterNames()) expect(typeof REPORTERS[name]).toBe('function');
  });

  it('names the known reporters when asked for an unknown one', () => {
    expect(() => createReporter('xml', { output: bufferOutput() })).toThrow(/unknown reporter "xml".*console, json, junit, markdown/);
    expect(() => createReporter('toString', { output: bufferOutput() })).toThrow(/unknown reporter/);
    expect(REPORTERS['toString']).toBeUndefined();
  });
});
