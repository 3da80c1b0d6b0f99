/**
 * One student's section: verdict, a score breakdown that explains itself (anchors gap 9: points,
 * bonus, pass mark, what an error does to the score) and every check grouped by exercise with its
 * status, message, hint and evidence.
 */
import type { CheckResult, StudentResult } from '../../core/model.js';
import {
  STATUS_STYLE,
  VERDICT_STYLE,
  detailLines,
  formatNumber,
  formatPercent,
  plural,
  pointsText,
  scoreText,
  studentVerdict,
  type StatusStyle,
} from '../format.js';
import { html, type SafeHtml } from './markup.js';

/** Evidence past this many characters is cut: one huge HTTP body must not make the report unusable. */
export const EVIDENCE_CAP = 2000;

/** A valid, stable id for a user (ids may not contain whitespace). */
export const studentAnchor = (user: string): string => `student-${user.replace(/\s/g, '_')}`;

export const studentLink = (user: string): SafeHtml => html`<a href="#${studentAnchor(user)}">${user}</a>`;

/** Symbol and word as well as colour: the status reads the same in greyscale. */
export const badge = (style: StatusStyle): SafeHtml => html`<span class="badge tone-${style.tone}">${style.symbol} ${style.word}</span>`;

export function evidenceText(evidence: CheckResult['evidence']): string {
  let text: string;
  try {
    text = JSON.stringify(evidence, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2) ?? '';
  } catch {
    return '(evidence could not be shown: not serialisable)';
  }
  if (text.length <= EVIDENCE_CAP) return text;
  return `${text.slice(0, EVIDENCE_CAP)}\n… (${text.length - EVIDENCE_CAP} more characters cut)`;
}

const sum = (checks: readonly CheckResult[], pick: (c: CheckResult) => number): number =>
  checks.reduce((total, c) => total + pick(c), 0);

function formula(student: StudentResult, passMark: number | undefined): SafeHtml {
  const verdict = VERDICT_STYLE[studentVerdict(student)];
  const required = student.checks.filter((c) => !c.bonus);
  const bonus = student.checks.filter((c) => c.bonus && c.status !== 'skipped');
  const percent = formatPercent(student.percent);
  const lines: SafeHtml[] = [
    html`<li>Required checks: <strong>${formatNumber(student.score)} of ${formatNumber(student.maxScore)} points</strong> = ${percent}${student.status === 'incomplete' ? ' so far' : ''}.</li>`,
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
  if (passMark === undefined) {
    lines.push(html`<li>Pass mark not recorded in this result; the grader recorded <strong>${verdict.word}</strong>.</li>`);
  } else {
    const cmp = student.percent >= passMark ? '≥' : '<';
    const final = student.status === 'incomplete' ? ' (not final until the re-run)' : '';
    lines.push(html`<li>Pass mark ${passMark}%: ${percent} ${cmp} ${passMark}% → <strong>${verdict.word}</strong>${final}.</li>`);
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

function meter(student: StudentResult, passMark: number | undefined): SafeHtml {
  const tone = VERDICT_STYLE[studentVerdict(student)].tone;
  const width = Math.max(0, Math.min(100, student.percent));
  return html`<div class="meter" aria-hidden="true"><div class="fill tone-${tone}" style="width:${width}%"></div>${
    passMark !== undefined && html`<div class="mark" style="left:${passMark}%" title="pass mark ${passMark}%"></div>`
  }</div>`;
}

/** `2025-03-01 10:42 UTC` from an ISO time in UTC; any other form as it is. */
const minuteText = (iso: string): string => /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[^Z]*Z$/.exec(iso)?.slice(1).join(' ').concat(' UTC') ?? iso;

/** A class graded in rounds scores with credit over time: when the check first passed, and what it is now if it no longer passes. */
function earnedLine(check: CheckResult & { earnedAt?: string; earnedRound?: number; now?: { status: CheckResult['status'] } }): SafeHtml | false {
  if (check.earnedAt === undefined) return false;
  const round = check.earnedRound !== undefined ? ` (round ${check.earnedRound})` : '';
  return html`<p class="hint earned">Earned <time datetime="${check.earnedAt}">${minuteText(check.earnedAt)}</time>${round}${check.now && html`; now ${badge(STATUS_STYLE[check.now.status])}`}</p>`;
}

function checkRow(check: CheckResult): SafeHtml {
  // An error's line carries the "could not grade" prefix, so nobody reads it as the student's failure.
  const message = check.status === 'error' ? detailLines(check)[0] : check.message;
  const evidence = Object.keys(check.evidence ?? {}).length > 0;
  return html`<tr class="${check.status}">
<td class="status">${badge(STATUS_STYLE[check.status])}</td>
<td class="check"><code>${check.id}</code>${check.bonus && html` <span class="badge tone-muted">bonus</span>`}<div class="title">${check.title}</div></td>
<td class="num">${pointsText(check)}</td>
<td class="details"><p class="msg">${message}</p>${earnedLine(check)}${check.hint && html`<p class="hint"><strong>Hint:</strong> ${check.hint}</p>`}${
    // The engine's message usually names the root cause already; say it only when it does not.
    check.blockedBy && !check.message.includes(check.blockedBy) && html`<p class="hint">Root cause: <code>${check.blockedBy}</code></p>`
  }${evidence && html`<details><summary>Evidence</summary><pre class="evidence">${evidenceText(check.evidence)}</pre></details>`}</td>
</tr>`;
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
    return html`<tbody><tr class="exercise"><th colspan="4">Exercise ${exercise}<span class="subtotal">${subtotal(checks)}</span></th></tr>
${checks.map(checkRow)}</tbody>`;
  });
  return html`<table class="checks"><thead><tr><th>Status</th><th>Check</th><th class="num">Points</th><th>Details</th></tr></thead>
${groups}</table>`;
}

export function studentSection(student: StudentResult, passMark: number | undefined): SafeHtml {
  const verdict = VERDICT_STYLE[studentVerdict(student)];
  return html`<section class="student" id="${studentAnchor(student.user)}">
<header><h3>${student.user}</h3>${badge(verdict)}<span class="score">${scoreText(student)}</span></header>
${meter(student, passMark)}
${formula(student, passMark)}
${checksTable(student)}
</section>`;
}
