/**
 * JUnit XML for CI test views (Jenkins, GitLab, Azure Pipelines): one <testsuite> per student, one
 * <testcase> per check. fail → <failure>, error → <error> (the grader's problem, not the student's),
 * blocked and skipped → <skipped>, as kube-bench maps WARN/INFO. A bonus not earned or an
 * informational check is not a failure either: <skipped> with a message saying which, so a student at
 * 100 % has no red test. Everything a student controls is escaped, stripped of characters XML 1.0
 * forbids and bounded, so a hostile compose file cannot break the report.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import { wholeStudents } from '../core/result-spool.js';
import { EVIDENCE_CAP, evidenceText } from './evidence.js';
import { checkKind, countShown, detailLines, escapeXml, formatNumber, formatSeconds, oneLine, safeText, scoreText, shownStatus, SHOWN_STYLE, verdictText } from './format.js';
import { documentReporter } from './document.js';
import type { Reporter, ReporterOptions, RunInfo } from './types.js';

const attr = (text: string): string => `"${escapeXml(text, true)}"`;

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}=${attr(String(v))}`)
    .join('');
}

function testcase(check: CheckResult, siblings: readonly CheckResult[]): string[] {
  const head = `    <testcase${attrs({
    classname: `ex${check.exercise}`,
    name: `${check.id} — ${oneLine(check.title)}`,
    time: formatSeconds(check.durationMs),
  })}`;
  const details = detailLines(check).map((d) => safeText(d));
  const body: string[] = [];
  const shown = shownStatus(check, siblings);
  switch (shown) {
    case 'fail':
      body.push(`      <failure${attrs({ message: safeText(check.message), type: 'fail' })}>${escapeXml(details.join('\n'))}</failure>`);
      break;
    case 'error':
      body.push(`      <error${attrs({ message: details[0], type: 'error' })}>${escapeXml(details.join('\n'))}</error>`);
      break;
    case 'not-earned':
    case 'info':
      body.push(`      <skipped${attrs({ message: `${SHOWN_STYLE[shown].word}: ${details.join('\n')}` })}/>`);
      break;
    case 'blocked':
    case 'skipped':
      body.push(`      <skipped${attrs({ message: details.join('\n') || check.status })}/>`);
      break;
    case 'pass':
      break;
  }
  if (checkKind(check) !== 'required') body.unshift(`      <properties><property${attrs({ name: 'kind', value: checkKind(check) })}/></properties>`);
  // Evidence is what an appeal is decided on: keep it where CI shows test output.
  if (Object.keys(check.evidence ?? {}).length) {
    body.push(`      <system-out>${escapeXml(evidenceText(check.evidence, EVIDENCE_CAP))}</system-out>`);
  }
  return body.length ? [head + '>', ...body, '    </testcase>'] : [head + '/>'];
}

function testsuite(student: StudentResult, only: readonly string[] | undefined): string[] {
  const counts = countShown(student.checks);
  const properties = {
    status: student.status,
    score: formatNumber(student.score),
    maxScore: formatNumber(student.maxScore),
    bonus: formatNumber(student.bonus),
    percent: student.percent.toFixed(1),
    passed: only?.length ? 'partial' : String(student.passed),
    summary: `${scoreText(student, !!only?.length)} ${verdictText(student, only)}`,
    // Credit over time (merge --credit): which score this is.
    ...(student.credit ? { credit: student.credit } : {}),
  };
  return [
    `  <testsuite${attrs({
      name: oneLine(student.user),
      tests: student.checks.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.blocked + counts.skipped + counts['not-earned'] + counts.info,
      time: formatSeconds(student.durationMs),
    })}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...student.checks.flatMap((c) => testcase(c, student.checks)),
    '  </testsuite>',
  ];
}

export function renderJunit(run: RunResult, info?: RunInfo): string {
  const counts = { fail: 0, error: 0, skipped: 0 };
  for (const s of run.students) {
    const c = countShown(s.checks);
    counts.fail += c.fail;
    counts.error += c.error;
    counts.skipped += c.blocked + c.skipped + c['not-earned'] + c.info;
  }
  const all = run.students.flatMap((s) => s.checks);
  const time = run.students.reduce((sum, s) => sum + s.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `${run.lab} (lab-grade ${run.grader.version})`,
      tests: all.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.skipped,
      time: formatSeconds(time),
      timestamp: run.generatedAt,
    })}>`,
    ...Array.from(wholeStudents(run), (s) => testsuite(s, info?.only)).flat(),
    '</testsuites>',
    '',
  ].join('\n');
}

export const createJunitReporter = (options: ReporterOptions): Reporter => documentReporter(options, (run, info, write) => write(renderJunit(run, info)));
