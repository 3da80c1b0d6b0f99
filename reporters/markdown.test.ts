import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { codeBlock, escapeCell, richCell } from './markdown.js';

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

  it('shows a hint whose indentation matters (a YAML snippet) as a code block below the table, indentation kept', async () => {
    const run = loadClassSmall();
    const hint = run.students[0].checks.find((c) => c.id === 'ex2.compose.ports')!.hint!;
    expect(hint.split('\n')[1]).toBe('    ports:');
    const lines = (await render('markdown', run)).split('\n');
    const row = lines.find((l) => l.startsWith('|') && l.includes('`ex2.compose.ports`'))!;
    expect(cells(row)).toHaveLength(4);
    expect(row).not.toContain('ports:');
    const start = lines.indexOf('```text', lines.indexOf(row));
    expect(lines.slice(start, start + 6)).toEqual(['```text', ...hint.split('\n'), '```']);
    // Text holding backticks gets a longer fence: it cannot close the block early.
    expect(codeBlock('a\n  ```\n  b')).toEqual(['````text', 'a', '  ```', '  b', '````']);
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

describe('markdown reporter, other runs than the golden one', () => {
  /** A class of copies of one student of the fixture, under the names given. */
  const copiesOf = (user: string, ...names: string[]) => {
    const run = loadClassSmall();
    const source = run.students.find((s) => s.user === user)!;
    run.students = names.map((name) => ({ ...structuredClone(source), user: name }));
    return run;
  };
  const allPassing = (run: ReturnType<typeof loadClassSmall>) => {
    for (const s of run.students) for (const c of s.checks) c.status = 'pass';
    return run;
  };

  it('shows one student with every check, passing ones with their message, and no class summary', async () => {
    const text = await render('markdown', copiesOf('labuser07', 'labuser07'));
    expect(text).toContain('| ✅ pass | `ex1.docker.installed` Docker is installed on the VM | 1/1 | Docker version 24.0.7, build afdd53b |');
    expect(text).not.toContain('not shown');
    expect(text).not.toContain('**1 student**');
  });

  it('shows a class without run info (a saved result): the lab as title, no pass mark, no re-run command', async () => {
    const text = await render('markdown', loadClassSmall(), { withInfo: false });
    expect(text.split('\n').slice(0, 3)).toEqual(['## aks-greetings', '', 'lab aks-greetings, lab-grade 0.1.0']);
    expect(text).toContain('- 2 students: **LG-226** app publishes port 80 to 8080 (`ex2.compose.ports`)');
    expect(text).toContain('Could not be graded: labuser09\n\n### labuser07');
  });

  it('draws no verdict from a partial run', async () => {
    const text = await render('markdown', loadClassSmall(), { info: { only: ['ex2.compose.ports', 'ex2.compose.valid'] } });
    expect(text).toContain('lab aks-greetings, lab-grade 0.1.0, only ex2.compose.ports ex2.compose.valid (a partial run: no pass-mark verdict)\n');
    expect(text).toContain('| labuser08 | 12/34 | n/a (partial) | 0 |');
    expect(text).toContain('**3 students**: 2 graded, 1 incomplete, no pass-mark verdict (a partial run).');
  });

  it('has no mean when nobody could be graded, and names everyone to grade again', async () => {
    const text = await render('markdown', copiesOf('labuser09', 'labuser09', 'labuser10'), { info: { rerun: { command: (users) => `lab-grade --user ${users.join(',')} \`x\`` } } });
    expect(text).toContain('**2 students**: 0 graded, 2 incomplete, 0/0 passed, mean n/a (graded students only).');
    expect(text).toContain("Could not be graded: labuser09, labuser10\n\nGrade them again:\n\n```sh\nlab-grade --user labuser09,labuser10 'x'\n```");
  });

  it("says the re-run command's note in one escaped line, and shows an indented message in full below the table", async () => {
    const cls = loadClassSmall();
    const checks = cls.students[0].checks;
    const i = checks.findIndex((c) => c.id === 'ex2.compose.ports');
    checks[i] = { ...checks[i], status: 'fail', message: 'services:\n  web:\n    ports: [80]', hint: undefined };
    const text = await render('markdown', cls, { info: { rerun: { command: (users) => `lab-grade --user ${users.join(',')}`, note: 'then | check\nagain' } } });
    expect(text).toContain('lab-grade --user labuser09\n```\n\n(then \\| check again)\n');
    expect(text).toContain('| `ex2.compose.ports` app publishes port 80 to 8080 | 0/2 | services: … (in full below the table) |');
    expect(text).toContain('\n`ex2.compose.ports`, details:\n\n```text\nservices:\n  web:\n    ports: [80]\n```\n');
  });

  it('shows an indented hint below the table as the hint, and keeps in the cell a message that only mentions a hint or has a blank indented line', async () => {
    const cls = loadClassSmall();
    const checks = cls.students[0].checks;
    const at = (id: string) => checks.findIndex((c) => c.id === id);
    const ports = at('ex2.compose.ports');
    checks[ports] = { ...checks[ports], status: 'fail', message: 'app publishes port 80', hint: 'add to compose.yaml:\n  ports:\n    - "8080:80"' };
    const valid = at('ex2.compose.valid');
    checks[valid] = { ...checks[valid], status: 'fail', message: 'line 3:\n  see hint: below', hint: undefined };
    const replicas = at('ex6.api.replicas');
    checks[replicas] = { ...checks[replicas], message: 'first\n \nsecond', hint: undefined };
    const text = await render('markdown', cls);
    expect(text).toContain('\n`ex2.compose.ports`, hint:\n\n```text\nadd to compose.yaml:\n  ports:\n    - "8080:80"\n```\n');
    expect(text).toContain('\n`ex2.compose.valid`, details:\n\n```text\nline 3:\n  see hint: below\n```\n');
    expect(text).toContain('| `ex6.api.replicas` The greetings state is consistent | 0/1 | first<br> <br>second |');
    expect(text).not.toContain('`ex6.api.replicas`, details:');
  });

  it('lists no failures and no one to grade again when a class passes everything', async () => {
    const text = await render('markdown', allPassing(copiesOf('labuser07', 'labuser07', 'labuser10')));
    expect(text).toContain('**2 students**: 2 graded, 0 incomplete, 2/2 passed, mean 91.2% (graded students only).\n\n### labuser07');
    expect(text).toContain('### labuser07: 31/34 (91.2%) +3 bonus, PASSED\n\nAll 29 checks passed.\n\n### labuser10');
    expect(text).not.toContain('Most common failures');
    expect(text).not.toContain('Could not be graded');
  });

  it('counts failures without a reason code by check', async () => {
    const run = loadClassSmall();
    for (const s of run.students) for (const c of s.checks) delete c.code;
    const text = await render('markdown', run);
    expect(text).toContain('- 2 students: app publishes port 80 to 8080 (`ex2.compose.ports`)');
  });
});
