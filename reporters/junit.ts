/**
 * JUnit XML for CI test views (Jenkins, GitLab, Azure Pipelines): one <testsuite> per student, one
 * <testcase> per check. fail → <failure>, error → <error> (the grader's problem, not the student's),
 * blocked and skipped → <skipped>, as kube-bench maps WARN/INFO. Everything a student controls is
 * escaped and stripped of characters XML 1.0 forbids, so a hostile compose file cannot break the report.
 */
import type { CheckResult, RunResult, StudentResult } from '../core/model.js';
import { countStatuses, detailLines, escapeXml, formatNumber, formatSeconds, scoreText, verdictText } from './format.js';
import type { Reporter, ReporterOptions } from './types.js';

const attr = (text: string): string => `"${escapeXml(text, true)}"`;

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}=${attr(String(v))}`)
    .join('');
}

function testcase(check: CheckResult): string[] {
  const head = `    <testcase${attrs({
    classname: `ex${check.exercise}`,
    name: `${check.id} — ${check.title}`,
    time: formatSeconds(check.durationMs),
  })}`;
  const details = detailLines(check);
  const body: string[] = [];
  switch (check.status) {
    case 'fail':
      body.push(`      <failure${attrs({ message: check.message, type: 'fail' })}>${escapeXml(details.join('\n'))}</failure>`);
      break;
    case 'error':
      body.push(`      <error${attrs({ message: details[0], type: 'error' })}>${escapeXml(details.join('\n'))}</error>`);
      break;
    case 'blocked':
    case 'skipped':
      body.push(`      <skipped${attrs({ message: details.join('\n') || check.status })}/>`);
      break;
    case 'pass':
      break;
  }
  // Evidence is what an appeal is decided on: keep it where CI shows test output.
  if (Object.keys(check.evidence ?? {}).length) {
    body.push(`      <system-out>${escapeXml(JSON.stringify(check.evidence, null, 2))}</system-out>`);
  }
  return body.length ? [head + '>', ...body, '    </testcase>'] : [head + '/>'];
}

function testsuite(student: StudentResult): string[] {
  const counts = countStatuses(student.checks);
  const properties = {
    status: student.status,
    score: formatNumber(student.score),
    maxScore: formatNumber(student.maxScore),
    bonus: formatNumber(student.bonus),
    percent: student.percent.toFixed(1),
    passed: String(student.passed),
    summary: `${scoreText(student)} ${verdictText(student)}`,
  };
  return [
    `  <testsuite${attrs({
      name: student.user,
      tests: student.checks.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.blocked + counts.skipped,
      time: formatSeconds(student.durationMs),
    })}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...student.checks.flatMap(testcase),
    '  </testsuite>',
  ];
}

export function renderJunit(run: RunResult): string {
  const all = run.students.flatMap((s) => s.checks);
  const counts = countStatuses(all);
  const time = run.students.reduce((sum, s) => sum + s.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `${run.lab} (lab-grade ${run.grader.version})`,
      tests: all.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.blocked + counts.skipped,
      time: formatSeconds(time),
      timestamp: run.generatedAt,
    })}>`,
    ...run.students.flatMap(testsuite),
    '</testsuites>',
    '',
  ].join('\n');
}

export const createJunitReporter = (options: ReporterOptions): Reporter => ({
  onRunEnd(run: RunResult): void {
    options.output.write(renderJunit(run));
  },
});
