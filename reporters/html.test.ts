import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { EXERCISE_LOOK, exerciseLegend } from './exercise-states.js';
import { CONTENT_SECURITY_POLICY, escapeHtml, formatGeneratedAt, renderHtml } from './html.js';
import { html } from './html/markup.js';
import { passRate, scoreHistogram } from './html/stats.js';
import { EVIDENCE_CAP, evidenceText } from './html/student.js';

/** The only thing that changes between two renders of the same result. */
const stripGeneratedAt = (text: string) => text.replace(/<time datetime="[^"]*">[^<]*<\/time>/g, '<time datetime="<generatedAt>"><generatedAt></time>');

describe('html reporter', () => {
  it('matches the golden page', async () => {
    const text = stripGeneratedAt(await render('html', loadClassSmall()));
    await expect(text).toMatchFileSnapshot('./__golden__/class-small.html');
  });

  it('gives the same page for other timings once generatedAt is stripped', async () => {
    const slower = loadClassSmall();
    slower.generatedAt = '2030-01-01T00:00:00.000Z';
    for (const s of slower.students) {
      s.durationMs = s.durationMs * 61 + 7;
      for (const c of s.checks) c.durationMs = c.durationMs * 13 + 1;
    }
    expect(stripGeneratedAt(await render('html', slower))).toBe(stripGeneratedAt(await render('html', loadClassSmall())));
  });

  it('escapes student text into entities and drops control characters', async () => {
    const text = await render('html', loadClassSmall());
    expect(text).not.toMatch(/<script/i);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(escapeHtml(`"'><a href=x>`)).toBe('&quot;&apos;&gt;&lt;a href=x&gt;');
    expect(html`<p title="${'" onmouseover="x'}">${'<b>'}</p>`.value).toBe('<p title="&quot; onmouseover=&quot;x">&lt;b&gt;</p>');
  });

  it('is self-contained behind a strict Content-Security-Policy', async () => {
    const text = await render('html', loadClassSmall());
    expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
    expect(text).not.toMatch(/\b(src|href)="(?!#)/); // nothing to fetch: only in-page links
    expect(text).not.toMatch(/url\(|@import|<link|<iframe|<object|<embed|<img/i);
  });

  it('explains each score: points, what an error leaves open, pass mark, bonus', async () => {
    const text = await render('html', loadClassSmall());
    const section = (user: string) => text.slice(text.indexOf(`id="student-${user}"`)).split('<details class="student')[0];
    expect(section('labuser07')).toContain('Pass mark 70%: 91.2% ≥ 70% → <strong>PASSED</strong>.');
    expect(section('labuser07')).toContain('Bonus: <strong>+3</strong> (3 of 4 bonus points earned)');
    // ex1.vm.reachable (0 points) blocks six checks worth 7, and ex6.app.e2e is worth 3.
    expect(section('labuser09')).toContain('2 checks could not be graded (ex1.vm.reachable, ex6.app.e2e): 10 required points');
    expect(section('labuser09')).toContain('→ <strong>INCOMPLETE</strong> (not final until the re-run)');
    expect(section('labuser09')).toContain('could not grade: SSH connection to 10.0.0.9:22 timed out after 30s');
    expect(text).toMatch(/<section id="rerun">.*labuser09/s);
  });

  it('says the pass mark is unknown when replaying a saved result', async () => {
    const text = await render('html', loadClassSmall(), { withInfo: false });
    expect(text).toContain('<dt>Pass mark</dt><dd>not recorded</dd>');
    expect(text).not.toContain('class="passmark"');
    expect(renderHtml(loadClassSmall())).toBe(text);
  });

  it('draws no verdict for a partial run (--only): n/a cards, a PARTIAL badge for every graded student, no score histogram', async () => {
    const run = loadClassSmall();
    const text = await render('html', run, { info: { only: ['ex2', 'ex4'] } });
    const section = (id: string) => text.slice(text.indexOf(`<section id="${id}">`)).split('</section>')[0];
    expect(text).toContain('<dt>Pass mark</dt><dd>none: a partial run (only ex2 ex4)</dd>');
    // One of the two graded students passes at 70 % (the whole run says 1/2); a partial run has none to count.
    const cards = [...section('summary').matchAll(/<div class="value">([^<]*)<\/div><div class="label">([^<]*)/g)].map((m) => [m[2], m[1]]);
    expect(Object.fromEntries(cards)).toEqual({ students: '3', graded: '2', incomplete: '1', passed: 'n/a', 'mean percent': 'n/a' });
    expect(section('summary')).toContain('a partial run has no verdict');
    const verdicts = (html: string) => [...html.matchAll(/<span class="badge tone-\w+">[^ ]+ ([A-Z ]+)<\/span>/g)].map((m) => m[1]);
    // labuser09 could not be graded: incomplete comes first, as in every report.
    expect(verdicts(section('matrix').split('<tbody>')[1])).toEqual(['PARTIAL', 'PARTIAL', 'INCOMPLETE']);
    const summaries = [...text.matchAll(/<summary><span class="name">[^<]*<\/span> (<span class="badge[^>]*>[^<]*<\/span>)/g)].map((m) => m[1]);
    expect(verdicts(summaries.join(''))).toEqual(['PARTIAL', 'PARTIAL', 'INCOMPLETE']);
    expect(text).not.toMatch(/PASSED|Pass mark 70%/);
    expect(section('histogram')).toContain('<p class="note">None for a partial run: the points are those of the selected checks only.</p>');
    expect(section('histogram')).not.toContain('<svg');
    // The whole run, for contrast: its cards count, its histogram is drawn.
    const whole = await render('html', run);
    expect(whole).toContain('<div class="value">1/2</div><div class="label">graded students passed');
    expect(whole.slice(whole.indexOf('<section id="histogram">')).split('</section>')[0]).toContain('<svg');
  });

  it('caps long evidence and says how much was cut', () => {
    const text = evidenceText({ body: 'x'.repeat(EVIDENCE_CAP * 2) });
    expect(text.length).toBeLessThan(EVIDENCE_CAP + 60);
    expect(text).toMatch(/… \(\d+ more characters\)$/);
    expect(evidenceText({ n: 10n })).toContain('"10"');
  });

  it('reads a bonus not earned and an informational check apart from failures', async () => {
    const run = loadClassSmall();
    const text = await render('html', run);
    const section = (user: string) => text.slice(text.indexOf(`id="student-${user}"`)).split('<details class="student')[0];
    // labuser07 passed with ex7.helm.registry (bonus) failing: no FAIL badge for it, a "bonus not earned" one.
    const row = section('labuser07')
      .split('\n')
      .find((l) => l.includes('<code>ex7.helm.registry</code>'))!;
    expect(row).toContain('○ bonus not earned');
    expect(section('labuser07').match(/✗ FAIL/g)).toHaveLength(2);
    // ex7.tiller (0 points) blocked behind a missing cluster is informational; ex1.vm.reachable (0 points)
    // in error blocks required checks and stays an error.
    expect(
      section('labuser08')
        .split('\n')
        .find((l) => l.includes('<code>ex7.tiller</code>')),
    ).toContain('i informational');
    expect(
      section('labuser09')
        .split('\n')
        .find((l) => l.includes('<code>ex1.vm.reachable</code>')),
    ).toContain('‼ ERROR');
    // Their pass-rate bars are drawn neutral, never red.
    const bar = (label: string) => text.slice(text.indexOf(`>${label}</text>`)).split('</g>')[0];
    expect(bar('ex7.tiller (info)')).toContain('class="fill-accent"');
    expect(bar('ex7.helm.registry (bonus)')).toContain('class="fill-accent"');
    expect(bar('ex2.compose.ports')).toContain('class="fill-bad"');
  });

  it('opens with a student × exercise matrix in roster order, and keeps each student collapsed', async () => {
    const text = await render('html', loadClassSmall());
    const matrix = text.slice(text.indexOf('<section id="matrix">')).split('</section>')[0];
    const rows = matrix.split('\n').filter((l) => l.startsWith('<tr class="row'));
    expect(rows.map((r) => /href="#student-([^"]+)"/.exec(r)![1])).toEqual(['labuser07', 'labuser08', 'labuser09']);
    const cells = (row: string) => [...row.matchAll(/<td class="cell tone-(\w+)">(.) ([^<]+)<br><span class="pts">([^<]+)<\/span>/g)].map((m) => `${m[2]} ${m[3]} ${m[4]}`);
    // labuser08 never created a cluster: Exercise 3 is not started, and 5 to 7 wait on it, none of them failing; Exercise 2 is.
    expect(cells(rows[1])).toEqual(['✓ done 2/2', '✗ failing 3/5', '○ not started 0/4', '✓ done 7/7', '⋯ waiting on Exercise 3 0/4', '⋯ waiting on Exercise 3 0/12', '⋯ waiting on Exercise 3 +0/3']);
    // labuser09's VM could not be reached and the app timed out: not gradable, not zero.
    expect(cells(rows[2]).slice(0, 2)).toEqual(['‼ not gradable ?/2', '‼ not gradable ?/5']);
    // A bonus exercise not done costs nothing: neutral.
    expect(cells(rows[0])[6]).toBe('◐ partly earned +2/3');
    expect(rows[0]).toContain('<td class="cell tone-muted">◐ partly earned');
    // The legend names every state a cell can show, in the words of every report.
    const legend = matrix.slice(matrix.indexOf('<div class="legend">')).split('</div>')[0];
    for (const mark of exerciseLegend({ next: false })) expect(legend, mark).toContain(`${EXERCISE_LOOK[mark].symbol} ${EXERCISE_LOOK[mark].word}</span>`);
    // A student who failed nothing could be hidden by the failures-only filter; students start collapsed.
    expect(text).toContain('<input type="checkbox" id="failing-only" class="filter">');
    expect(text).toMatch(/#failing-only:checked ~ #matrix tr\.ok, #failing-only:checked ~ #students details\.ok/);
    expect(text.match(/<details class="student[^"]*" id="student-/g)).toHaveLength(3);
    expect(text).not.toMatch(/<details class="student[^"]*"[^>]* open/);
  });

  it('gives the command that grades the incomplete students again, and counts failures by reason code', async () => {
    const text = await render('html', loadClassSmall(), { info: { rerun: { command: (users) => `lab-grade -c class.yaml ${users.map((u) => `--user ${u}`).join(' ')}` } } });
    const rerun = text.slice(text.indexOf('<section id="rerun">')).split('</section>')[0];
    expect(rerun).toContain('<pre class="command"><code>lab-grade -c class.yaml --user labuser09</code></pre>');
    const failures = text.slice(text.indexOf('<section id="failures">')).split('</section>')[0];
    expect(failures).toContain('<li><strong>LG-226</strong> service app publishes another port mapping (<code>ex2.compose.ports</code>): <strong>2 students</strong></li>');
  });

  it('renders `code` in hints as <code>, never as raw backticks', async () => {
    const run = loadClassSmall();
    run.students[1].checks.find((c) => c.id === 'ex3.cluster.exists')!.hint = 'Exercise 3 step 2: run `az aks create --name <cluster>` and wait';
    const text = await render('html', run);
    expect(text).toContain('run <code>az aks create --name &lt;cluster&gt;</code> and wait');
    expect(text).not.toContain('`az aks create');
  });

  it('counts pass rates without errors and skips, and bins graded students only', () => {
    const run = loadClassSmall();
    const checks = run.students.flatMap((s) => s.checks.filter((c) => c.id === 'ex6.app.e2e'));
    expect(checks.map((c) => c.status)).toEqual(['pass', 'blocked', 'error']);
    expect(passRate(checks)).toEqual({ passed: 1, counted: 2 });
    const bins = scoreHistogram(run);
    expect(bins.reduce((a, b) => a + b, 0)).toBe(2);
    expect([bins[3], bins[9]]).toEqual([1, 1]); // 35.3% and 91.2%; 100% would share the last band
    expect(formatGeneratedAt('2025-11-29T10:15:00.000Z')).toBe('2025-11-29 10:15:00 UTC');
  });
});
