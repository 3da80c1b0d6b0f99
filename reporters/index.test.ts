import { describe, expect, it } from 'vitest';
import { loadClassSmall } from '../fixtures/results/support.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { createReporter, isReportFormat, REPORT_FORMATS, REPORTERS } from './index.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { bufferOutput, replayRun, runInfoFor } from './replay.js';

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

  it('makes the progress line, one that steps aside for other output (cleared, then drawn again)', () => {
    const output = bufferOutput({ isTTY: true });
    const progress = createReporter('progress', { output, tickMs: 0 });
    progress.onRunStart?.({ lab: 'l', title: 't', users: ['a', 'b'], passMark: 70, startedAt: new Date() });
    const drawn = output.text();
    progress.suspend();
    expect(output.text()).toBe(`${drawn}\r\x1b[K`);
    progress.resume();
    expect(output.text()).toBe(`${drawn}\r\x1b[K${drawn}`);
  });

  it("gives each report written at the end the info of the run's start", async () => {
    const run = loadClassSmall();
    const info = runInfoFor(run, { title: 'AKS lab', passMark: 60, only: ['ex2'] });
    const rendered = { json: renderJson(run, info), junit: renderJunit(run, info), markdown: renderMarkdown(run, { info }), csv: renderCsv(run, info), html: renderHtml(run, { info }) };
    for (const [name, text] of Object.entries(rendered)) {
      const output = bufferOutput();
      await replayRun(createReporter(name as keyof typeof rendered, { output }), run, info);
      expect(output.text(), name).toBe(text);
    }
  });
});
