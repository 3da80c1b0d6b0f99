import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { escapeCell, richCell } from './markdown.js';

/** Cells of a Markdown table row: split on pipes that are not escaped. */
const cells = (line: string) => line.split(/(?<!\\)\|/).slice(1, -1);

describe('markdown reporter', () => {
  it('escapes pipes, newlines, HTML and Markdown syntax in cells', () => {
    expect(escapeCell('a|b\nc')).toBe('a\\|b<br>c');
    expect(escapeCell('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeCell('[x](http://e) *b* `c`')).toBe('\\[x\\](http://e) \\*b\\* \\`c\\`');
  });

  it('keeps every table row to its column count, whatever the student wrote', async () => {
    const text = await render('markdown', loadClassSmall());
    const rows = text.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect([4, 5]).toContain(cells(row).length);
    expect(text).not.toContain('<script>');
  });

  it('has one class table row per student and marks the incomplete one', async () => {
    const text = await render('markdown', loadClassSmall());
    expect(text).toContain('| labuser09 | 24/34 | 70.6% so far | 0 | ⚠️ INCOMPLETE (2 errors: re-run) |');
  });

  it('keeps `code` in hints as inline code: pipes escaped inside it, no raw backticks around prose', async () => {
    expect(richCell('run `kubectl get pods | grep myapp` then *wait*')).toBe('run `kubectl get pods \\| grep myapp` then \\*wait\\*');
    // A backslash inside a code span could unescape its pipe and open a cell: shown as escaped text instead.
    expect(richCell('`a\\|b`')).toBe('a\\\\\\|b');
    const run = loadClassSmall();
    run.students[1].checks.find((c) => c.id === 'ex3.cluster.exists')!.hint = 'Exercise 3: `az aks create -g rg | tee log` and `x\\|y`';
    const text = await render('markdown', run);
    const row = text.split('\n').find((l) => l.startsWith('|') && l.includes('`ex3.cluster.exists`'))!;
    expect(cells(row)).toHaveLength(4);
    expect(row).toContain('hint: Exercise 3: `az aks create -g rg \\| tee log` and x\\\\\\|y');
  });

  it('bounds a huge message, strips bidirectional overrides, and keeps a user name on one line', async () => {
    const run = loadClassSmall();
    run.students[1].user = 'labuser08\u2066x\n## injected';
    run.students[1].checks.find((c) => c.status === 'fail')!.message = 'z'.repeat(200_000);
    const text = await render('markdown', run);
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(text).not.toMatch(/^## injected/m);
    expect(text.length).toBeLessThan(30_000);
    expect(text).toContain('z… (198000 more characters)');
  });

  it('counts failures by reason code and gives the re-run command as a shell block', async () => {
    const text = await render('markdown', loadClassSmall(), { info: { rerun: { command: (users) => `lab-grade -c class.yaml --user ${users.join(' --user ')}` } } });
    expect(text).toContain('- 2 students: **LG-226** service app publishes another port mapping (`ex2.compose.ports`)');
    expect(text).toContain('Could not be graded: labuser09\n\nGrade them again:\n\n```sh\nlab-grade -c class.yaml --user labuser09\n```');
  });
});
