/**
 * One self-contained HTML page for instructors: header, the class at a glance (cards and a student ×
 * exercise matrix), the most common failures by reason code, who needs a re-run (with the command),
 * pass rates per exercise and per check, a score histogram, then a collapsed section per student
 * (`#student-<user>`). A checkbox shows only the students with failures, in CSS alone. No script, no
 * external asset (inline CSS and SVG), and a CSP that forbids anything else, so a student's `<script>`
 * in a compose file stays text even if an escape were missed. All markup goes through the escaping
 * `html` tag (html/markup.ts).
 */
import type { RunResult } from '../core/model.js';
import { wholeStudents } from '../core/result-spool.js';
import { absentIn, exerciseMark, exerciseStandings, type ExerciseStanding } from '../core/progress.js';
import { checkCatalogue } from './catalogue.js';
import { documentReporter } from './document.js';
import { EXERCISE_TITLES } from './checklist.messages.js';
import { EXERCISE_LOOK, exerciseLegend, exerciseWord } from './exercise-states.js';
import { SHOWN_ORDER, SHOWN_STYLE, VERDICT_STYLE, checkKind, classSummary, formatNumber, formatPercent, plural, scoreText, studentVerdict, type Shown } from './format.js';
import { histogramChart, rateChart } from './html/charts.js';
import { html, join, styleElement, type SafeHtml } from './html/markup.js';
import { checkRates, exerciseRates, scoreHistogram } from './html/stats.js';
import { STYLE } from './html/style.js';
import { badge, hasFailures, studentLink, studentSection } from './html/student.js';
import { safeText } from './text.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

export { escapeHtml } from './html/markup.js';

/** Nothing may load or run: inline styles and data: images only. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export interface HtmlOptions {
  /** From onRunStart; a replayed result has none, so no title or pass mark beyond the lab id. */
  info?: RunInfo;
}

/** `2025-11-29 10:15:00 UTC` from an ISO timestamp; anything else shown as it is. */
export function formatGeneratedAt(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function pageHeader(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const mark = info?.only?.length ? `none: a partial run (only ${info.only.join(' ')})` : info ? `${info.passMark}%` : 'not recorded';
  return html`<header>
<p class="eyebrow">lab-grade report</p>
<h1>${info?.title ?? run.lab}</h1>
<dl class="meta">
<div><dt>Lab</dt><dd><code>${run.lab}</code></dd></div>
<div><dt>Generated</dt><dd><time datetime="${run.generatedAt}">${formatGeneratedAt(run.generatedAt)}</time></dd></div>
<div><dt>Grader</dt><dd>lab-grade ${run.grader.version}</dd></div>
<div><dt>Pass mark</dt><dd>${mark}</dd></div>
</dl>
</header>`;
}

function atAGlance(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const s = classSummary(run);
  const partial = !!info?.only?.length;
  const card = (value: string | number, label: string, detail = '', emphasis = false) =>
    html`<div class="${emphasis ? 'card attention' : 'card'}"><div class="value">${value}</div><div class="label">${label}${detail && html`<br>${detail}`}</div></div>`;
  return html`<section id="summary"><h2>Class at a glance</h2><div class="cards">
${card(s.students, 'students')}
${card(s.graded, 'graded')}
${card(s.incomplete, 'incomplete', s.incomplete ? 're-run needed' : '', s.incomplete > 0)}
${partial ? card('n/a', 'passed', 'a partial run has no verdict') : card(`${s.passed}/${s.graded}`, 'graded students passed')}
${card(s.meanPercent === null || partial ? 'n/a' : formatPercent(s.meanPercent), 'mean percent', 'graded students only')}
</div></section>`;
}

function cell(e: ExerciseStanding | undefined): SafeHtml {
  if (!e) return html`<td class="cell">—</td>`;
  // An optional exercise only earns bonus points: not finishing it costs nothing, so it is never red.
  const mark = exerciseMark(e);
  const look = EXERCISE_LOOK[mark];
  const earned = e.state === 'not gradable' ? '?' : e.state === 'not checked' ? '–' : formatNumber(e.optional ? e.bonus : e.points);
  const points = e.optional ? `+${earned}/${formatNumber(e.maxBonus)}` : `${earned}/${formatNumber(e.maxPoints)}`;
  return html`<td class="cell tone-${look.tone}">${look.symbol} ${exerciseWord(mark, e.waitingOn)}<br><span class="pts">${points}</span></td>`;
}

/** Students (rows, roster order) by exercises (columns): where each one stands, with the points. */
function matrix(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const absent = absentIn(info?.reasons ?? {});
  const exercises = [...new Set(checkCatalogue(run).map((c) => c.exercise))];
  const partial = !!info?.only?.length;
  const rows = run.students.map((s) => {
    const byExercise = new Map(exerciseStandings(s.checks, absent).map((e) => [e.exercise, e]));
    return html`<tr class="${hasFailures(s) ? 'row' : 'row ok'}"><th scope="row">${studentLink(s.user)}</th>${exercises.map((x) => cell(byExercise.get(x)))}<td>${badge(VERDICT_STYLE[studentVerdict(s, partial)])}<br><span class="pts">${scoreText(s, partial)}</span></td></tr>
`;
  });
  const legend = join(
    exerciseLegend({ next: false }).map((mark) => {
      const look = EXERCISE_LOOK[mark];
      return html`<span><span class="badge tone-${look.tone}">${look.symbol} ${look.word}</span> ${look.meaning}</span>`;
    }),
  );
  return html`<section id="matrix"><h2>Students by exercise</h2>
<p class="note">Each cell: where the student stands in the exercise and its points (bonus points for the optional exercise).</p>
<div class="legend">${legend}</div>
<div class="panel"><table class="matrix"><thead><tr><th>Student</th>${exercises.map((x) => html`<th title="${EXERCISE_TITLES[x] ?? ''}">Ex. ${x}</th>`)}<th>Verdict, score</th></tr></thead>
<tbody>
${rows}</tbody></table></div>
</section>`;
}

function failures(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const top = classSummary(run, 10, info?.reasons).topFailing;
  const items = top.map((f) => html`<li>${f.code ? html`<strong>${f.code}</strong> ` : ''}${f.summary} (<code>${f.id}</code>): <strong>${plural(f.count, 'student')}</strong></li>`);
  return html`<section id="failures"><h2>Most common failures</h2>${
    items.length
      ? html`<p class="note">Reasons required checks failed for, by reason code; bonus and informational checks cost nothing and are left out.</p><ul class="reasons">${items}</ul>`
      : html`<p>No required check failed.</p>`
  }</section>`;
}

function passRates(run: RunResult): SafeHtml {
  const catalogue = checkCatalogue(run);
  const exercises = exerciseRates(run, catalogue).map(({ exercise, optional, rate }) => ({ label: optional ? `Exercise ${exercise} (bonus)` : `Exercise ${exercise}`, rate, neutral: optional }));
  const checks = checkRates(run, catalogue).map(({ entry, rate }) => {
    const kind = checkKind(entry);
    return { label: kind === 'required' ? entry.id : `${entry.id} (${kind === 'bonus' ? 'bonus' : 'info'})`, tooltip: entry.title, rate, neutral: kind !== 'required' };
  });
  // Wide enough for the longest check id in a 12px monospace face (~7.3 units a character).
  const labelWidth = Math.min(300, Math.max(90, ...checks.map((c) => c.label.length * 7.3)));
  return html`<section id="pass-rates"><h2>Pass rates</h2>
<p class="note">Share of checks passed among pass, fail and blocked (a blocked check's root cause failed). Checks that could not be graded (error) or do not apply (skipped) are left out. Bonus and informational checks are drawn in a neutral colour: they cost no points.</p>
<h3>Per exercise</h3><div class="panel">${rateChart('Pass rate per exercise', exercises, labelWidth)}</div>
<h3>Per check</h3><div class="panel">${rateChart('Pass rate per check', checks, labelWidth, true)}</div>
</section>`;
}

function histogram(run: RunResult, info: RunInfo | undefined): SafeHtml {
  if (info?.only?.length) return html`<section id="histogram"><h2>Score distribution</h2><p class="note">None for a partial run: the points are those of the selected checks only.</p></section>`;
  const s = classSummary(run);
  const left = s.incomplete ? ` ${s.incomplete} incomplete not shown: their score is not final.` : '';
  return html`<section id="histogram"><h2>Score distribution</h2>
<div class="panel">${histogramChart(scoreHistogram(run), info?.passMark)}</div>
<p class="note">Graded students per band of required-points percent (each band includes its lower bound; 100% falls in the last).${left}</p>
</section>`;
}

function rerunList(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const incomplete = run.students.filter((s) => s.status === 'incomplete');
  const items = incomplete.map((s) => {
    const errors = s.checks.filter((c) => c.status === 'error');
    return html`<li>${studentLink(s.user)}: could not grade ${errors.map((c, i) => html`${i ? ', ' : ''}<code>${c.id}</code>`)}${errors[0] && html` — ${safeText(errors[0].message)}`}</li>`;
  });
  const command = incomplete.length ? info?.rerun?.command(incomplete.map((s) => s.user)) : undefined;
  return html`<section id="rerun"><h2>Needs a re-run</h2>${
    items.length
      ? html`<p class="note">The grader could not reach or read part of these environments. That is not the student's fault and is not scored as zero: grade them again${command ? ':' : '.'}</p>${
          command && html`<pre class="command"><code>${command}</code></pre>`
        }${command && info?.rerun?.note && html`<p class="note">(${info.rerun.note})</p>`}<ul class="rerun">${items}</ul>`
      : html`<p>None: every student was graded.</p>`
  }</section>`;
}

const MEANING: Record<Shown, string> = {
  pass: 'done',
  fail: 'not done as the lab asks',
  blocked: 'a check it needs failed',
  error: 'could not grade (not the student’s fault)',
  'not-earned': 'a bonus not earned (costs nothing)',
  info: 'informational: worth no points',
  skipped: 'does not apply',
};

const LEGEND = join(SHOWN_ORDER.map((status) => html`<span>${badge(SHOWN_STYLE[status])} ${MEANING[status]}</span>`));

function students(run: RunResult, info: RunInfo | undefined): SafeHtml {
  return html`<section id="students"><h2>Students</h2>
<p class="note">Open a student to see every check, its message, the hint naming the lab step, and the evidence.</p>
<div class="legend">${LEGEND}</div>
${Array.from(wholeStudents(run), (s) => studentSection(s, info))}
</section>`;
}

export function renderHtml(run: RunResult, options: HtmlOptions = {}): string {
  const { info } = options;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lab-grade ${run.grader.version}">
<title>${info?.title ?? run.lab} — lab-grade report</title>
${styleElement(STYLE)}
</head>
<body><main>
${pageHeader(run, info)}
<input type="checkbox" id="failing-only" class="filter"><label for="failing-only" class="filter">Show only students with failures or checks that could not be graded, and only those checks</label>
${atAGlance(run, info)}
${matrix(run, info)}
${failures(run, info)}
${rerunList(run, info)}
${passRates(run)}
${histogram(run, info)}
${students(run, info)}
<footer>Generated by lab-grade ${run.grader.version}. Self-contained: no scripts, no external resources.</footer>
</main></body>
</html>
`;
  return page.value;
}

export const createHtmlReporter = (options: ReporterOptions): Reporter => documentReporter(options, (run, info, write) => write(renderHtml(run, { info })));
