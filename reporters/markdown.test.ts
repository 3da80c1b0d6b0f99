import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { escapeCell } from './markdown.js';

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
});
