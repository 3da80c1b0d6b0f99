/**
 * One student's section, collapsed by default (<details>): verdict and score in the summary line; when
 * opened, a score breakdown that explains itself (points, bonus, pass mark, what an error does to the
 * score) and every check grouped by exercise with its status, message, hint and evidence. An
 * exercise's passing checks share one short row (ids and points; the JSON report keeps their messages
 * and evidence), so a class of 40 stays a few hundred kilobytes.
 */
import type { CheckResult, StudentResult } from '../../core/model.js';
import { evidenceText } from '../evidence.js';
import {
  SHOWN_STYLE,
  VERDICT_STYLE,
  codeSpans,
  detailLines,
  formatNumber,
  formatPercent,
  plural,
  pointsText,
  safeText,
  scoreText,
  shownStatus,
  studentVerdict,
  type Shown,
  type StatusStyle,
} from '../format.js';
import type { RunInfo } from '../types.js';
import { html, type SafeHtml } from './markup.js';

export { EVIDENCE_CAP, evidenceText } from '../evidence.js';

/** A valid, stable id for a user (ids may not contain whitespace). */
export const studentAnchor = (user: string): string => `student-${user.replace(/\s/g, '_')}`;

export const studentLink = (user: string): SafeHtml => html`<a href="#${studentAnchor(user)}">${user}</a>`;

/** Symbol and word as well as colour: the status reads the same in greyscale. */
export const badge = (style: StatusStyle): SafeHtml => html`<span class="badge tone-${style.tone}">${style.symbol} ${style.word}</span>`;

/** Text whose `code spans` become <code> (hints name commands), bounded. */
const richText = (text: string): SafeHtml => html`${codeSpans(safeText(text)).map((s) => (s.code ? html`<code>${s.text}</code>` : s.text))}`;

/** What the failures-only view keeps: a student with something that costs points or could not be graded. */
const COSTS: ReadonlySet<Shown> = new Set(['fail', 'blocked', 'error']);

export const hasFailures = (student: StudentResult): boolean => student.checks.some((c) => COSTS.has(shownStatus(c, student.checks)));

const sum = (checks: readonly CheckResult[], pick: (c: CheckResult) => number): number => checks.reduce((total, c) => total + pick(c), 0);

function formula(student: StudentResult, info: RunInfo | undefined): SafeHtml {
  const partial = !!info?.only?.length;
  const verdict = VERDICT_STYLE[studentVerdict(student, partial)];
  const required = student.checks.filter((c) => !c.bonus);
  const bonus = student.checks.filter((c) => c.bonus && c.status !== 'skipped');
  const percent = formatPercent(student.percent);
  const lines: SafeHtml[] = [
    html`<li>Required checks: <strong>${formatNumber(student.score)} of ${formatNumber(student.maxScore)} points</strong>${partial ? ' of the selected checks' : html` = ${percent}`}${student.status === 'incomplete' ? ' so far' : ''}.</li>`,
  ];
  const errors = student.checks.filter((c) => c.status === 'error');
  if (errors.length) {
    // What an error costs: its own points and those of the checks blocked behind it, none of them final.
    const ids = new Set(errors.map((c) => c.id));
    const pending = required.filter((c) => ids.has(c.id) || (c.blockedBy !== undefined && ids.has(c.blockedBy)));
    lines.push(
      html`<li>${plural(errors.length, 'check')} could not be graded (${errors.map((c) => c.id).join(', ')}): ${formatNumber(sum(pending, (c) => c.maxPoints))} required points depend on ${errors.length === 1 ? 'it' : 'them'} and are not final. Re-run this student to finish.</li>`,
    );
  }
  if (partial) {
    lines.push(html`<li>A partial run (only ${info!.only!.join(' ')}): no pass-mark verdict is drawn from a selection of checks.</li>`);
  } else if (info === undefined) {
    lines.push(html`<li>Pass mark not recorded in this result; the grader recorded <strong>${verdict.word}</strong>.</li>`);
  } else {
    const cmp = student.percent >= info.passMark ? '≥' : '<';
    const final = student.status === 'incomplete' ? ' (not final until the re-run)' : '';
    lines.push(html`<li>Pass mark ${info.passMark}%: ${percent} ${cmp} ${info.passMark}% → <strong>${verdict.word}</strong>${final}.</li>`);
  }
  if (bonus.length) {
    const earned = sum(bonus, (c) => c.points);
    const capped = earned > student.bonus ? `, capped at +${formatNumber(student.bonus)}` : '';
    lines.push(
      html`<li>Bonus: <strong>+${formatNumber(student.bonus)}</strong> (${formatNumber(earned)} of ${formatNumber(sum(bonus, (c) => c.maxPoints))} bonus points earned${capped}), reported apart: it does not count towards the percent or the pass mark.</li>`,
    );
  }
  return html`<ul class="formula">${lines}</ul>`;
}

function meter(student: StudentResult, info: RunInfo | undefined): SafeHtml {
  const tone = VERDICT_STYLE[studentVerdict(student, !!info?.only?.length)].tone;
  const width = Math.max(0, Math.min(100, student.percent));
  return html`<div class="meter" aria-hidden="true"><div class="fill tone-${tone}" style="width:${width}%"></div>${
    info && !info.only?.length && html`<div class="mark" style="left:${info.passMark}%" title="pass mark ${info.passMark}%"></div>`
  }</div>`;
}

/** `2025-03-01 10:42 UTC` from an ISO time in UTC; any other form as it is. */
const minuteText = (iso: string): string => /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[^Z]*Z$/.exec(iso)?.slice(1).join(' ').concat(' UTC') ?? iso;

/** When the check first passed, and what it is now if it no longer passes. */
function earnedLine(check: CheckResult): SafeHtml | false {
  if (check.earnedAt === undefined) return false;
  const round = check.earnedRound !== undefined ? ` (round ${check.earnedRound})` : '';
  return html`<p class="hint earned">Earned <time datetime="${check.earnedAt}">${minuteText(check.earnedAt)}</time>${round}${check.now && html`; now ${badge(SHOWN_STYLE[check.now.status])}`}</p>`;
}

/** A pass that is only credit from an earlier round: shown on its own row, with what it is now. */
const creditedOnly = (check: CheckResult): boolean => check.status === 'pass' && check.now !== undefined;

/** What to do: a failure's hint, or what a credited check that fails now needs. */
const hintOf = (check: CheckResult): string | undefined => (check.status === 'fail' ? check.hint : creditedOnly(check) ? check.now?.hint : undefined);

/** An exercise's passing checks on one row: their ids and points (each check's title and message are in the JSON report). */
function passedRow(checks: readonly CheckResult[]): SafeHtml {
  const style = SHOWN_STYLE.pass;
  const list = checks.map((c, i) => html`${i ? ', ' : ''}<code>${c.id}</code> ${pointsText(c)}`);
  return html`<tr class="quiet"><td class="s tone-good">${style.symbol} ${style.word}</td><td colspan="3">${list}</td></tr>\n`;
}

function checkRow(check: CheckResult, siblings: readonly CheckResult[]): SafeHtml {
  const shown = shownStatus(check, siblings);
  const style = SHOWN_STYLE[shown];
  const title = html`<code>${check.id}</code> ${check.title}`;
  // An error's line carries the "could not grade" prefix, so nobody reads it as the student's failure.
  const message = check.status === 'error' || check.status === 'blocked' ? detailLines(check)[0] : check.message;
  // What costs nothing (a bonus not earned, an informational or skipped check) says what was found, briefly;
  // a pass credited from an earlier round that fails now is shown in full, with what to fix now.
  if (!COSTS.has(shown) && !creditedOnly(check))
    return html`<tr class="quiet"><td class="s">${badge(style)}</td><td>${title}</td><td class="num">${pointsText(check)}</td><td>${richText(safeText(message, 240))}${earnedLine(check)}</td></tr>\n`;
  const evidence = Object.keys(check.evidence ?? {}).length > 0 && check.status !== 'blocked';
  return html`<tr class="${shown}"><td class="s">${badge(style)}</td><td>${title}</td><td class="num">${pointsText(check)}</td>
<td><p class="msg">${richText(message)}</p>${earnedLine(check)}${hintOf(check) && html`<p class="hint"><strong>Hint:</strong> ${richText(hintOf(check)!)}</p>`}${
    evidence && html`<details><summary>Evidence</summary><pre class="evidence">${evidenceText(check.evidence)}</pre></details>`
  }</td></tr>\n`;
}

/** Exercise subtotal, required and bonus apart, summed as the score is: an error earns nothing yet, its points stay available. */
function subtotal(checks: readonly CheckResult[]): string {
  const required = checks.filter((c) => !c.bonus && c.status !== 'skipped');
  const bonus = checks.filter((c) => c.bonus && c.status !== 'skipped');
  const parts = [`${formatNumber(sum(required, (c) => c.points))}/${formatNumber(sum(required, (c) => c.maxPoints))} points`];
  if (bonus.length) parts.push(`bonus +${formatNumber(sum(bonus, (c) => c.points))}/${formatNumber(sum(bonus, (c) => c.maxPoints))}`);
  return parts.join(' · ');
}

function checksTable(student: StudentResult): SafeHtml {
  const exercises = [...new Set(student.checks.map((c) => c.exercise))];
  const groups = exercises.map((exercise) => {
    const checks = student.checks.filter((c) => c.exercise === exercise);
    const passed = checks.filter((c) => c.status === 'pass' && !creditedOnly(c));
    return html`<tbody><tr class="exercise"><th colspan="4">Exercise ${exercise}<span class="subtotal">${subtotal(checks)}</span></th></tr>
${passed.length ? passedRow(passed) : ''}${checks.filter((c) => c.status !== 'pass' || creditedOnly(c)).map((c) => checkRow(c, student.checks))}</tbody>`;
  });
  return html`<table class="checks"><thead><tr><th>Status</th><th>Check</th><th class="num">Points</th><th>Details</th></tr></thead>
${groups}</table>`;
}

/** `open`: shown expanded (a page of one student), not collapsed as in a class report. */
export function studentSection(student: StudentResult, info: RunInfo | undefined, { open = false } = {}): SafeHtml {
  const partial = !!info?.only?.length;
  const verdict = VERDICT_STYLE[studentVerdict(student, partial)];
  return html`<details class="${hasFailures(student) ? 'student' : 'student ok'}" id="${studentAnchor(student.user)}"${open ? ' open' : ''}>
<summary><span class="name">${student.user}</span> ${badge(verdict)} <span class="score">${scoreText(student, partial)}</span></summary>
${meter(student, info)}
${formula(student, info)}
${checksTable(student)}
</details>
`;
}
