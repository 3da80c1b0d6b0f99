/**
 * `npm run bench`: a class of N students graded at the network's pace (every server of the simulated
 * lab answers after L ms), against the bash script an instructor would write.
 *   --students N (200)  --latency L ms (40)  --concurrency C (32)  --growth 1,10,50,200,1000  --baseline 10
 *   --trace-latency ms (300): the latency of the traced run that measures the critical path
 *   --startup-runs N (7): whole-process runs of each quick command (dist/ and the bundle)
 *   --grader dist|bundle (dist): the class runs grade with the compiled tree the tests spawn (dist/bin/lab-grade.js)
 *     or with the installed command (the bundle, dist/lab-grade.mjs, what `lab-grade` is)
 *   --journal: the class runs write their journal (one fsync per student) as a real class run does; by
 *     default they run with --no-journal
 *   --live-students N (200) --live-rounds R (10) --live-interval S (60): a live workshop (`lab-grade live`),
 *   at the same latency and concurrency; --live-rounds 0 leaves it out, --live-only runs nothing else
 * Prints: start-up times of the quick commands and the bundle's size; wall time, students/s, requests
 * per student by service, the critical-path lower bound and the ratio to it, peak RSS; the growth
 * table; the baseline's time and its agreement with lab-grade; each round of the live workshop against
 * its interval, how soon the dashboard's event stream has each result, and the grader's memory per round,
 * then each live goal (round ≤ interval, update ≤ 1 s, heap drift) met or missed.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ALL_CHECKS, CHECK_IDS } from '../checks/index.js';
import { compareBaseline } from './baseline.js';
import { boundsFromTrace, classLowerBoundMs, type StudentBound } from './critical-path.js';
import type { Measurement } from './measure.js';
import { goalLine, liveGoals } from './live-goals.js';
import { measureInChild, measureLiveInChild } from './rows.js';
import { freshBundle, measureStartup, startupCommands, startupVerdicts, STARTUP_GOAL_RATIO } from './startup.js';
import { fixed, seconds, table } from './table.js';
import { countsByTemplate, meanCounts, SERVICES, totalRequests } from './traffic.js';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '200' },
    latency: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '32' },
    growth: { type: 'string', default: '1,10,50,200,1000' },
    baseline: { type: 'string', default: '10' },
    'trace-latency': { type: 'string', default: '300' },
    'startup-runs': { type: 'string', default: '7' },
    'live-students': { type: 'string', default: '200' },
    'live-rounds': { type: 'string', default: '10' },
    'live-interval': { type: 'string', default: '60' },
    'live-only': { type: 'boolean', default: false },
    grader: { type: 'string', default: 'dist' },
    journal: { type: 'boolean', default: false },
  },
});
const num = (name: string, v: string | undefined, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
};
const N = num('students', values.students, 1);
const L = num('latency', values.latency, 0);
const C = num('concurrency', values.concurrency, 1);
const growth = (values.growth ?? '')
  .split(',')
  .filter(Boolean)
  .map((v) => num('growth', v, 1));
const baselineStudents = num('baseline', values.baseline, 0);
const traceL = num('trace-latency', values['trace-latency'], 10);
const startupRuns = num('startup-runs', values['startup-runs'], 1);
const live = { students: num('live-students', values['live-students'], 1), rounds: num('live-rounds', values['live-rounds'], 0), interval: num('live-interval', values['live-interval'], 1) };
if (values.grader !== 'bundle' && values.grader !== 'dist') throw new Error(`--grader: expected bundle or dist, got ${JSON.stringify(values.grader)}`);
const out = (s = '') => process.stdout.write(s + '\n');

/** One student per built-in kind, one at a time at a large latency: the critical path of each. */
async function trace(grader: string | undefined): Promise<Map<string, StudentBound>> {
  const { measurement } = await measureInChild(11, traceL, 1, { grader });
  return boundsFromTrace(ALL_CHECKS, measurement.students, traceL);
}

function summary(m: Measurement, bounds: Map<string, StudentBound>) {
  const n = m.students.length;
  const lb = classLowerBoundMs(m.students, bounds, m.options.latencyMs, m.options.concurrency);
  const meanAnswers = m.students.reduce((s, x) => s + (bounds.get(x.template)?.answers ?? 0), 0) / n;
  return { n, lb, meanAnswers, ratio: lb > 0 ? m.wallMs / lb : NaN, perSecond: n / (m.wallMs / 1000) };
}

out(
  `lab-grade benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
out(
  `command: npm run bench -- --students ${N} --latency ${L} --concurrency ${C} --growth ${growth.join(',')} --baseline ${baselineStudents} --startup-runs ${startupRuns} --live-students ${live.students} --live-rounds ${live.rounds} --live-interval ${live.interval} --grader ${values.grader}${values.journal ? ' --journal' : ''}${values['live-only'] ? ' --live-only' : ''}\n`,
);

/** Start-up, the critical path, the class of N, growth and the baseline. */
async function classSections(): Promise<void> {
  // Before the class runs, while nothing of the benchmark's own is running.
  const bundle = freshBundle((line) => process.stderr.write(`${line}\n`));
  const startup = measureStartup(startupCommands(bundle.file), startupRuns);
  out(`## Start-up (median of ${startupRuns} whole-process runs each; goal: at most ${STARTUP_GOAL_RATIO}× node -e 0)\n`);
  out(
    table(
      ['command', 'median', 'over node -e 0', '× node -e 0', 'goal'],
      [
        [startup[0].label, `${fixed(startup[0].medianMs, 0)} ms`, '', '', ''],
        ...startupVerdicts(startup).map((r) => [r.label, `${fixed(r.medianMs, 0)} ms`, `${fixed(r.overMs, 0)} ms`, `${fixed(r.ratio, 2)}×`, r.met ? 'met' : 'missed']),
      ],
    ),
  );
  out(`\nbundle: dist/lab-grade.mjs, ${fixed(bundle.bytes / 1024 / 1024, 2)} MB\n`);

  // The class runs' grader: the installed command (what users and the Kubernetes Job run), or the compiled tree.
  const grader = values.grader === 'bundle' ? bundle.file : undefined;
  out(`class runs grade with: node ${grader ? 'dist/lab-grade.mjs (the installed command)' : 'dist/bin/lab-grade.js (the compiled tree)'}\n`);
  const bounds = await trace(grader);
  out(`## Critical path (traced at ${traceL} ms per answer; own sequential answers per check)\n`);
  out(
    table(
      ['kind', 'answers', 'path'],
      [...bounds.values()].map((b) => [b.template, b.answers, b.path.map((p) => `${p.id}(${p.own})`).join(' → ')]),
    ),
  );

  // Each run in a fresh process (its peak RSS is its own); the baseline runs while the main class's lab is up.
  const { measurement: main, baseline: baselineRun } = await measureInChild(N, L, C, { baselineStudents, grader, journal: values.journal });
  const s = summary(main, bounds);
  const mean = meanCounts(main);
  out(`\n## ${N} students, ${L} ms per answer, concurrency ${C}\n`);
  out(
    table(
      ['measure', 'value'],
      [
        ['wall time', seconds(main.wallMs)],
        ['students/s', fixed(s.perSecond, 2)],
        ['requests per student (mean)', fixed(totalRequests(mean), 1)],
        ...SERVICES.map(([k, label]): [string, string] => [`  ${label}`, fixed(mean[k], 2)]),
        ['ARM TLS connections (class)', main.traffic.armTls],
        ['registry TLS connections (class)', main.traffic.registryTls],
        ['critical path (mean, answers)', fixed(s.meanAnswers, 1)],
        [`lower bound = Σ chain × L / ${Math.min(C, N)}`, seconds(s.lb)],
        ['wall / lower bound', fixed(s.ratio, 2)],
        ['peak RSS (grader process)', `${fixed(main.peakRssMb, 0)} MB`],
        ['CPU per student: grader / simulated lab', `${fixed(main.cpuMs.grader / N, 0)} ms / ${fixed(main.cpuMs.lab / N, 0)} ms`],
        ['CPU-bound floor = Σ CPU / 2 cores', seconds((main.cpuMs.grader + main.cpuMs.lab) / cpus().length)],
      ],
    ),
  );

  const { byTemplate, varying } = countsByTemplate(main);
  out(`\n## Requests per student by kind\n`);
  out(
    table(
      ['kind', ...SERVICES.map(([, l]) => l), 'total'],
      [...byTemplate].map(([t, c]) => [t, ...SERVICES.map(([k]) => c[k]), totalRequests(c)]),
    ),
  );
  if (varying.length) out(`\nkinds whose clones did not all cost the same: ${varying.join(', ')}`);

  let alone: Measurement | undefined;
  if (growth.length) {
    out(`\n## Growth (${L} ms per answer, concurrency ${C})\n`);
    const rows: Array<Array<string | number>> = [];
    for (const n of growth) {
      const m = n === N ? main : (await measureInChild(n, L, C, { grader, journal: values.journal })).measurement;
      if (n === 1) alone = m;
      const g = summary(m, bounds);
      rows.push([n, seconds(m.wallMs), fixed(g.perSecond, 2), seconds(g.lb), fixed(g.ratio, 2), `${fixed(m.peakRssMb, 0)} MB`, `${fixed(m.cpuMs.grader / n, 0)} ms`]);
    }
    out(table(['students', 'wall', 'students/s', 'lower bound', 'wall / bound', 'peak RSS', 'grader CPU / student'], rows));
  }

  if (baselineRun) {
    const b = compareBaseline(baselineRun, main.students, CHECK_IDS);
    const mine = main.students.filter((x) => b.users.includes(x.user));
    const gradeMs = mine.reduce((t, x) => t + x.durationMs, 0) / mine.length;
    out(`\n## Baseline: bench/baseline.sh on the first ${b.users.length} students (one at a time)\n`);
    out(
      table(
        ['measure', 'value'],
        [
          ['baseline wall (sequential)', seconds(b.wallMs)],
          ['baseline per student', seconds(b.wallMs / b.users.length)],
          ['lab-grade per student (its own duration, in the class run)', seconds(gradeMs)],
          ['lab-grade per student (class wall / N)', seconds(main.wallMs / N)],
          ...(alone
            ? [
                ['lab-grade, one student alone (N = 1 row)', seconds(alone.wallMs)] as [string, string],
                ['per-student ratio baseline / lab-grade alone', fixed(b.wallMs / b.users.length / alone.wallMs, 1)] as [string, string],
              ]
            : []),
          ['per-student ratio baseline / lab-grade (duration)', fixed(b.wallMs / b.users.length / gradeMs, 1)],
          ['per-student ratio baseline / lab-grade (throughput)', fixed(b.wallMs / b.users.length / (main.wallMs / N), 1)],
          ['checks compared', b.agree + b.disagreements.length],
          ['agree', b.agree],
          ['disagree', b.disagreements.length],
          ['not scripted (checks × students)', b.notScripted.length * b.users.length],
        ],
      ),
    );
    out(`\nnot scripted: ${b.notScripted.join(', ') || 'none'}`);
    for (const d of b.disagreements) out(`disagreement: ${d}`);
  }
}

/** The live workshop: rounds against the interval, the dashboard's delay, memory over the rounds. */
async function liveSection(): Promise<void> {
  out(`\n## Live workshop: ${live.students} students, ${L} ms per answer, concurrency ${C}, a round every ${live.interval} s, ${live.rounds} rounds\n`);
  const m = await measureLiveInChild(live.students, L, C, live.interval, live.rounds);
  const ms = (n: number) => (Number.isFinite(n) ? `${fixed(n, 0)} ms` : '–');
  out(
    table(
      ['round', 'wall', 'graded', 'update: median', 'p99', 'max', 'events', `heap${m.gcExposed ? ' after GC' : ''}`, 'RSS', 'ledger'],
      m.rounds.map((r) => [
        r.round,
        seconds(r.wallMs),
        r.graded,
        ms(r.updateMs.median),
        ms(r.updateMs.p99),
        ms(r.updateMs.max),
        r.updateMs.count,
        `${fixed(r.heapUsedMb, 1)} MB`,
        `${fixed(r.rssMb, 0)} MB`,
        `${fixed(r.ledgerMb, 1)} MB`,
      ]),
    ),
  );
  const longest = Math.max(...m.rounds.map((r) => r.wallMs));
  const slowest = Math.max(...m.rounds.map((r) => r.updateMs.max).filter(Number.isFinite));
  const later = m.rounds.slice(1);
  const heap = later.map((r) => r.heapUsedMb);
  out(`\nlongest round ${seconds(longest)} of ${live.interval} s; slowest dashboard update ${ms(slowest)}`);
  if (later.length > 1)
    out(`heap after round 2..${m.rounds.length}: ${fixed(Math.min(...heap), 1)}–${fixed(Math.max(...heap), 1)} MB (round ${later.at(-1)!.round} − round 2: ${fixed(heap.at(-1)! - heap[0], 1)} MB)`);
  out('');
  for (const g of liveGoals(m)) out(`goal ${goalLine(g)}`);
}

if (!values['live-only']) await classSections();
if (live.rounds > 0) await liveSection();
out(
  `\nload average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
