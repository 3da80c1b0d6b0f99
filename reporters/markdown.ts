/**
 * GitHub-flavoured Markdown for a CI step summary ($GITHUB_STEP_SUMMARY): a class table, then a table
 * of checks per student. Like the console, a class shows only non-passing checks unless verbose (the
 * step summary is capped at 1 MiB, and hundreds of all-green rows hide what matters).
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import {
  STATUS_STYLE,
  VERDICT_STYLE,
  classSummary,
  detailLines,
  formatNumber,
  formatPercent,
  plural,
  pointsText,
  scoreText,
  stripControl,
  studentVerdict,
  verdictText,
} from './format.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

/**
 * Student-controlled text must stay text: entities for HTML (GitHub would drop a <script> and the
 * message with it), backslashes for Markdown syntax (no injected links, emphasis or code), `|` so it
 * cannot open a new cell, and <br> for newlines so a cell stays one table row.
 */
export function escapeCell(text: string): string {
  return stripControl(text)
    .replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] as string)
    .replace(/[\\`*_[\]|~#]/g, '\\$&')
    .replace(/\r?\n/g, '<br>');
}

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

function classTable(run: RunResult): string[] {
  const lines = [row(['Student', 'Score', 'Percent', 'Bonus', 'Status']), row(['---', '---:', '---:', '---:', '---'])];
  for (const s of run.students) {
    const verdict = VERDICT_STYLE[studentVerdict(s)];
    const so = s.status === 'incomplete' ? ' so far' : '';
    lines.push(
      row([
        escapeCell(s.user),
        `${formatNumber(s.score)}/${formatNumber(s.maxScore)}`,
        formatPercent(s.percent) + so,
        s.bonus > 0 ? `+${formatNumber(s.bonus)}` : '0',
        `${verdict.emoji} ${escapeCell(verdictText(s))}`,
      ]),
    );
  }
  return lines;
}

function classStats(run: RunResult): string[] {
  const sum = classSummary(run);
  const mean = sum.meanPercent === null ? 'n/a' : formatPercent(sum.meanPercent);
  const lines = [
    `**${plural(sum.students, 'student')}**: ${sum.graded} graded, ${sum.incomplete} incomplete, ` +
      `${sum.passed}/${sum.graded} passed, mean ${mean} (graded students only).`,
  ];
  if (sum.topFailing.length) {
    lines.push('', 'Most common failing checks:', '');
    for (const f of sum.topFailing) lines.push(`- ${f.count}× \`${f.id}\` ${escapeCell(f.title)}`);
  }
  if (sum.rerun.length) lines.push('', `Re-run (could not be graded): ${sum.rerun.map(escapeCell).join(', ')}`);
  return lines;
}

function checkRow(check: CheckResult): string {
  const style = STATUS_STYLE[check.status];
  const text = check.status === 'pass' ? [check.message] : detailLines(check);
  return row([
    `${style.emoji} ${style.word}`,
    `\`${check.id}\` ${escapeCell(check.title)}`,
    pointsText(check),
    text.map(escapeCell).join('<br>'),
  ]);
}

function studentSection(student: StudentResult, verbose: boolean): string[] {
  const shown = verbose ? student.checks : student.checks.filter((c) => c.status !== 'pass');
  const lines = [`### ${escapeCell(student.user)}: ${scoreText(student)}, ${escapeCell(verdictText(student))}`, ''];
  if (!shown.length) return [...lines, `All ${student.checks.length} checks passed.`, ''];
  lines.push(row(['Status', 'Check', 'Points', 'Details']), row(['---', '---', '---:', '---']));
  lines.push(...shown.map(checkRow));
  if (!verbose) lines.push('', `${plural(student.checks.length - shown.length, 'passing check')} not shown.`);
  return [...lines, ''];
}

export function renderMarkdown(run: RunResult, options: { verbose?: boolean; info?: RunInfo } = {}): string {
  const verbose = options.verbose ?? run.students.length <= 1;
  const title = options.info?.title ?? run.lab;
  const mark = options.info ? `, pass mark ${options.info.passMark}%` : '';
  const lines = [
    `## ${escapeCell(title)}`,
    '',
    `lab \`${run.lab}\`, lab-grade ${escapeCell(run.grader.version)}${mark}`,
    '',
    ...classTable(run),
    '',
  ];
  if (run.students.length > 1) lines.push(...classStats(run), '');
  for (const student of run.students) lines.push(...studentSection(student, verbose));
  return lines.join('\n');
}

export class MarkdownReporter implements Reporter {
  private info?: RunInfo;

  constructor(private readonly options: ReporterOptions) {}

  onRunStart(info: RunInfo): void {
    this.info = info;
  }

  onRunEnd(run: RunResult): void {
    this.options.output.write(renderMarkdown(run, { verbose: this.options.verbose, info: this.info }));
  }
}

export const createMarkdownReporter = (options: ReporterOptions): Reporter => new MarkdownReporter(options);
