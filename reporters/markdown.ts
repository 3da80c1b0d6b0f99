/**
 * GitHub-flavoured Markdown for a CI step summary ($GITHUB_STEP_SUMMARY): a class table, then a table
 * of checks per student. Like the console, a class shows only non-passing checks unless verbose (the
 * step summary is capped at 1 MiB, and hundreds of all-green rows hide what matters).
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import {
  SHOWN_STYLE,
  VERDICT_STYLE,
  classSummary,
  codeSpans,
  detailLines,
  formatNumber,
  formatPercent,
  oneLine,
  plural,
  pointsText,
  safeText,
  scoreText,
  shownStatus,
  studentVerdict,
  verdictText,
} from './format.js';
import { documentReporter } from './document.js';
import type { Reporter, ReporterOptions, RerunHint, RunInfo } from './types.js';

/**
 * Student-controlled text must stay text: entities for HTML (GitHub would drop a <script> and the
 * message with it), backslashes for Markdown syntax (no injected links, emphasis or code), `|` so it
 * cannot open a new cell, and <br> for newlines so a cell stays one table row. Bounded in length.
 */
export function escapeCell(text: string): string {
  return safeText(text)
    .replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] as string)
    .replace(/[\\`*_[\]|~#]/g, '\\$&')
    .replace(/\r?\n/g, '<br>');
}

/**
 * Text with its `code spans` kept as inline code, the rest escaped as `escapeCell` does. Inside a code
 * span nothing is Markdown or HTML, so only a pipe needs escaping (GFM tables honour `\|` even there);
 * a span holding a backslash cannot escape its pipes safely and is shown as escaped text instead.
 */
export function richCell(text: string): string {
  return codeSpans(safeText(text))
    .map((s) => (s.code && !s.text.includes('\\') ? `\`${s.text.replace(/\|/g, '\\|')}\`` : escapeCell(s.text)))
    .join('');
}

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

function classTable(run: RunResult, only: readonly string[] | undefined): string[] {
  const lines = [row(['Student', 'Score', 'Percent', 'Bonus', 'Status']), row(['---', '---:', '---:', '---:', '---'])];
  for (const s of run.students) {
    const verdict = VERDICT_STYLE[studentVerdict(s, !!only?.length)];
    const so = s.status === 'incomplete' ? ' so far' : '';
    lines.push(
      row([
        escapeCell(oneLine(s.user)),
        `${formatNumber(s.score)}/${formatNumber(s.maxScore)}`,
        only?.length ? 'n/a (partial)' : formatPercent(s.percent) + so,
        s.bonus > 0 ? `+${formatNumber(s.bonus)}` : '0',
        `${verdict.emoji} ${escapeCell(verdictText(s, only))}`,
      ]),
    );
  }
  return lines;
}

function classStats(run: RunResult, info: RunInfo | undefined): string[] {
  const sum = classSummary(run, 5, info?.reasons);
  const mean = sum.meanPercent === null ? 'n/a' : formatPercent(sum.meanPercent);
  const passed = info?.only?.length ? 'no pass-mark verdict (a partial run)' : `${sum.passed}/${sum.graded} passed, mean ${mean} (graded students only)`;
  const lines = [`**${plural(sum.students, 'student')}**: ${sum.graded} graded, ${sum.incomplete} incomplete, ${passed}.`];
  if (sum.topFailing.length) {
    lines.push('', 'Most common failures:', '');
    for (const f of sum.topFailing) lines.push(`- ${plural(f.count, 'student')}: ${f.code ? `**${f.code}** ` : ''}${escapeCell(oneLine(f.summary))} (\`${f.id}\`)`);
  }
  if (sum.rerun.length) {
    lines.push('', `Could not be graded: ${sum.rerun.map((u) => escapeCell(oneLine(u))).join(', ')}`);
    if (info?.rerun) lines.push(...rerunLines(info.rerun, sum.rerun));
  }
  return lines;
}

/** The command that grades `users` again, and what it does not do. */
function rerunLines(rerun: RerunHint, users: readonly string[]): string[] {
  const lines = ['', 'Grade them again:', '', '```sh', oneLine(rerun.command(users)).replace(/`/g, "'"), '```'];
  if (rerun.note) lines.push('', `(${escapeCell(oneLine(rerun.note))})`);
  return lines;
}

/** Text whose indentation means something (a YAML snippet in a hint): a table cell would flatten it. */
const indented = (text: string): boolean => /\n[ \t]+\S/.test(text);

/**
 * A fenced code block that keeps the text as it is, indentation included. Nothing in it is Markdown or
 * HTML; the fence is longer than any run of backticks in the text, so the text cannot close it.
 */
export function codeBlock(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, ...safeText(text).split('\n'), fence];
}

/** A check's row, and the blocks to show below the table for what a cell cannot hold. */
function checkRow(check: CheckResult, siblings: readonly CheckResult[]): { row: string; below: string[] } {
  const style = SHOWN_STYLE[shownStatus(check, siblings)];
  const text = check.status === 'pass' ? [check.message] : detailLines(check);
  const below: string[] = [];
  const cell = text.map((t) => {
    if (!indented(t)) return richCell(t);
    const hint = /^hint: ([\s\S]*)/.exec(t);
    const [label, body] = hint ? ['hint', hint[1]] : ['details', t];
    below.push('', `\`${check.id}\`, ${label}:`, '', ...codeBlock(body));
    return `${richCell(t.split('\n')[0])} … (in full below the table)`;
  });
  return { row: row([`${style.emoji} ${style.word}`, `\`${check.id}\` ${escapeCell(oneLine(check.title))}`, pointsText(check), cell.join('<br>')]), below };
}

function studentSection(student: StudentResult, verbose: boolean, only: readonly string[] | undefined): string[] {
  // Like the console, a class lists only what costs points: bonus not earned and informational checks are counted.
  const listed = (c: CheckResult) => !['pass', 'not-earned', 'info'].includes(shownStatus(c, student.checks));
  const shown = verbose ? student.checks : student.checks.filter(listed);
  const lines = [`### ${escapeCell(oneLine(student.user))}: ${scoreText(student, !!only?.length)}, ${escapeCell(verdictText(student, only))}`, ''];
  if (!shown.length) return [...lines, `All ${student.checks.length} checks passed.`, ''];
  lines.push(row(['Status', 'Check', 'Points', 'Details']), row(['---', '---', '---:', '---']));
  const rows = shown.map((c) => checkRow(c, student.checks));
  lines.push(...rows.map((r) => r.row), ...rows.flatMap((r) => r.below));
  if (!verbose) lines.push('', `${plural(student.checks.length - shown.length, 'passing, bonus or informational check')} not shown.`);
  return [...lines, ''];
}

export function renderMarkdown(run: RunResult, options: { verbose?: boolean; info?: RunInfo } = {}): string {
  const { info } = options;
  const verbose = options.verbose ?? run.students.length <= 1;
  const title = info?.title ?? run.lab;
  const mark = info?.only?.length ? `, only ${escapeCell(info.only.join(' '))} (a partial run: no pass-mark verdict)` : info ? `, pass mark ${info.passMark}%` : '';
  const lines = [`## ${escapeCell(oneLine(title))}`, '', `lab ${escapeCell(oneLine(run.lab))}, lab-grade ${escapeCell(run.grader.version)}${mark}`, '', ...classTable(run, info?.only), ''];
  if (run.students.length > 1) lines.push(...classStats(run, info), '');
  for (const student of run.students) lines.push(...studentSection(student, verbose, info?.only));
  return lines.join('\n');
}

export const createMarkdownReporter = (options: ReporterOptions): Reporter => documentReporter(options, (run, info, write) => write(renderMarkdown(run, { verbose: options.verbose, info })));
