import { describe, expect, it } from 'vitest';
import { createReporter, isReportFormat, REPORT_FORMATS, REPORTERS } from './index.js';
import { bufferOutput } from './replay.js';

describe('reporter registry', () => {
  it('names every reporter, and the ones a user can ask for with --reporter', () => {
    expect(Object.keys(REPORTERS)).toEqual(['console', 'json', 'junit', 'markdown', 'csv', 'html', 'checklist', 'progress']);
    expect([...REPORT_FORMATS]).toEqual(['console', 'json', 'junit', 'markdown', 'csv', 'html', 'checklist']);
    for (const name of REPORT_FORMATS) {
      const r = createReporter(name, { output: bufferOutput() });
      expect(typeof (r.onRunEnd ?? r.onStudentEnd), name).toBe('function');
    }
  });

  it('knows its own names only: not a typo, not an Object.prototype property', () => {
    expect(isReportFormat('json')).toBe(true);
    expect(isReportFormat('xml')).toBe(false);
    expect(isReportFormat('toString')).toBe(false);
    expect(isReportFormat('progress')).toBe(false);
  });
});
