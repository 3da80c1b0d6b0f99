/**
 * One self-contained HTML page for instructors: header, the class at a glance, pass rates per
 * exercise and per check, a score histogram, who needs a re-run, an index of students, then a section
 * per student (`#student-<user>`). No script, no external asset (inline CSS and SVG), and a CSP that
 * forbids anything else, so a student's `<script>` in a compose file stays text even if an escape were
 * missed. All markup goes through the escaping `html` tag (html/markup.ts).
 */
import { STATUSES, type RunResult, type Status } from '../core/model.js';
import { checkCatalogue } from './catalogue.js';
import {
  STATUS_STYLE,
  VERDICT_STYLE,
  classSummary,
  countStatuses,
  countsText,
  formatNumber,
  formatPercent,
  studentVerdict,
} from './format.js';
import { histogramChart, rateChart } from './html/charts.js';
import { html, join, styleElement, type SafeHtml } from './html/markup.js';
import { checkRates, exerciseRates, scoreHistogram } from './html/stats.js';
import { STYLE } from './html/style.js';
import { badge, studentLink, studentSection } from './html/student.js';
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
  const mark = info ? `${info.passMark}%` : 'not recorded';
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

function atAGlance(run: RunResult): SafeHtml {
  const s = classSummary(run);
  const card = (value: string | number, label: string, detail = '', emphasis = false) =>
    html`<div class="${emphasis ? 'card attention' : 'card'}"><div class="value">${value}</div><div class="label">${label}${detail && html`<br>${detail}`}</div></div>`;
  return html`<section id="summary"><h2>Class at a glance</h2><div class="cards">
${card(s.students, 'students')}
${card(s.graded, 'graded')}
${card(s.incomplete, 'incomplete', s.incomplete ? 're-run needed' : '', s.incomplete > 0)}
${card(`${s.passed}/${s.graded}`, 'graded students passed')}
${card(s.meanPercent === null ? 'n/a' : formatPercent(s.meanPercent), 'mean percent', 'graded students only')}
</div></section>`;
}

function passRates(run: RunResult): SafeHtml {
  const catalogue = checkCatalogue(run);
  const exercises = exerciseRates(run, catalogue).map(({ exercise, rate }) => ({ label: `Exercise ${exercise}`, rate }));
  const checks = checkRates(run, catalogue).map(({ entry, rate }) => ({
    label: entry.bonus ? `${entry.id} (bonus)` : entry.id,
    tooltip: entry.title,
    rate,
  }));
  // Wide enough for the longest check id in a 12px monospace face (~7.3 units a character).
  const labelWidth = Math.min(300, Math.max(90, ...checks.map((c) => c.label.length * 7.3)));
  return html`<section id="pass-rates"><h2>Pass rates</h2>
<p class="note">Share of checks passed among pass, fail and blocked (a blocked check's root cause failed). Checks that could not be graded (error) or do not apply (skipped) are left out.</p>
<h3>Per exercise</h3><div class="panel">${rateChart('Pass rate per exercise', exercises, labelWidth)}</div>
<h3>Per check</h3><div class="panel">${rateChart('Pass rate per check', checks, labelWidth, true)}</div>
</section>`;
}

function histogram(run: RunResult, info: RunInfo | undefined): SafeHtml {
  const s = classSummary(run);
  const left = s.incomplete ? ` ${s.incomplete} incomplete not shown: their score is not final.` : '';
  return html`<section id="histogram"><h2>Score distribution</h2>
<div class="panel">${histogramChart(scoreHistogram(run), info?.passMark)}</div>
<p class="note">Graded students per band of required-points percent (each band includes its lower bound; 100% falls in the last).${left}</p>
</section>`;
}

function rerunList(run: RunResult): SafeHtml {
  const incomplete = run.students.filter((s) => s.status === 'incomplete');
  const items = incomplete.map((s) => {
    const errors = s.checks.filter((c) => c.status === 'error');
    return html`<li>${studentLink(s.user)}: could not grade ${errors.map((c, i) => html`${i ? ', ' : ''}<code>${c.id}</code>`)}${
      errors[0] && html` — ${errors[0].message}`
    }</li>`;
  });
  return html`<section id="rerun"><h2>Needs a re-run</h2>${
    items.length
      ? html`<p class="note">The grader could not reach or read part of these environments. That is not the student's fault and is not scored as zero: grade them again.</p><ul class="rerun">${items}</ul>`
      : html`<p>None: every student was graded.</p>`
  }</section>`;
}

const MEANING: Record<Status, string> = {
  pass: 'done',
  fail: 'not done as the lab asks',
  blocked: 'a check it needs failed',
  error: 'could not grade (not the student’s fault)',
  skipped: 'does not apply',
};

const LEGEND = join(STATUSES.map((status) => html`<span>${badge(STATUS_STYLE[status])} ${MEANING[status]}</span>`));

function studentIndex(run: RunResult): SafeHtml {
  const rows = run.students.map((s) => {
    const counts = countStatuses(s.checks);
    const notPassing = s.checks.filter((c) => c.status !== 'pass');
    return html`<tr><td>${studentLink(s.user)}</td>
<td class="num">${formatNumber(s.score)}/${formatNumber(s.maxScore)}</td>
<td class="num">${formatPercent(s.percent)}${s.status === 'incomplete' ? ' so far' : ''}</td>
<td class="num">${s.bonus > 0 ? `+${formatNumber(s.bonus)}` : '0'}</td>
<td>${badge(VERDICT_STYLE[studentVerdict(s)])}</td>
<td>${counts.pass} pass${notPassing.length ? `, ${countsText(notPassing)}` : ''}</td></tr>`;
  });
  return html`<section id="students"><h2>Students</h2>
<div class="legend">${LEGEND}</div>
<table class="index"><thead><tr><th>Student</th><th class="num">Score</th><th class="num">Percent</th><th class="num">Bonus</th><th>Verdict</th><th>Checks</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
}

export function renderHtml(run: RunResult, options: HtmlOptions = {}): string {
  const { info } = options;
  const passMark = info?.passMark;
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
${atAGlance(run)}
${passRates(run)}
${histogram(run, info)}
${rerunList(run)}
${studentIndex(run)}
${run.students.map((s) => studentSection(s, passMark))}
<footer>Generated by lab-grade ${run.grader.version}. Self-contained: no scripts, no external resources.</footer>
</main></body>
</html>
`;
  return page.value;
}

export class HtmlReporter implements Reporter {
  private info?: RunInfo;

  constructor(private readonly options: ReporterOptions) {}

  onRunStart(info: RunInfo): void {
    this.info = info;
  }

  onRunEnd(run: RunResult): void {
    this.options.output.write(renderHtml(run, { info: this.info }));
  }
}

export const createHtmlReporter = (options: ReporterOptions): Reporter => new HtmlReporter(options);
