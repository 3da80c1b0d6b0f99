/**
 * Golden outputs: every reporter renders fixtures/results/class-small.json through its hooks and must
 * match reporters/__golden__/ byte for byte (after timings are stripped). A change in output fails
 * here; review the new output by eye, then accept it with `npx vitest run reporters -u`.
 */
import { describe, expect, it } from 'vitest';
import { loadClassSmall, render, stripTimings } from '../fixtures/results/support.js';

const GOLDEN = './__golden__';

describe('golden outputs', () => {
  it('console, class of three (non-passing checks only, class summary)', async () => {
    const text = stripTimings.console(await render('console', loadClassSmall()));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/console-class.txt`);
  });

  it('console, one student (streamed, passing checks shown)', async () => {
    const run = loadClassSmall();
    run.students = run.students.slice(0, 1);
    const text = stripTimings.console(await render('console', run));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/console-one.txt`);
  });

  it('console, replayed without run info (no pass mark known)', async () => {
    const run = loadClassSmall();
    run.students = run.students.slice(2);
    const text = stripTimings.console(await render('console', run, { withInfo: false, verbose: false }));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/console-replay.txt`);
  });

  it('json', async () => {
    const text = stripTimings.json(await render('json', loadClassSmall()));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/class-small.json`);
  });

  it('junit', async () => {
    const text = stripTimings.junit(await render('junit', loadClassSmall()));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/class-small.junit.xml`);
  });

  it('markdown', async () => {
    const text = stripTimings.markdown(await render('markdown', loadClassSmall()));
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/class-small.md`);
  });

  it('stripping timings is enough: other durations give the same golden text', async () => {
    const slower = loadClassSmall();
    for (const s of slower.students) {
      s.durationMs = s.durationMs * 61 + 7;
      for (const c of s.checks) c.durationMs = c.durationMs * 13 + 1;
    }
    slower.generatedAt = '2030-01-01T00:00:00.000Z';
    for (const name of ['console', 'json', 'junit', 'markdown'] as const) {
      const strip = stripTimings[name];
      expect(strip(await render(name, slower)), name).toBe(strip(await render(name, loadClassSmall())));
    }
  });
});
