/** The student's checklist: what it says when nothing is reachable, what to fix next, what changed, and how it wraps. */
import { describe, expect, it } from 'vitest';
import { reasonCatalogue } from '../app/reasons.js';
import type { CheckResult, Status, StudentResult } from '../core/model.js';
import { loadProfile } from '../core/profile.js';
import { pointsFor, scoreStudent } from '../core/score.js';
import { checklistMessages as M } from './checklist.messages.js';
import { renderChecklist, renderHistory, type ChecklistView } from './checklist.js';
import { EXERCISE_LOOK, exerciseLegend } from './exercise-states.js';
import { wrap } from './text.js';
import { RestError } from '@azure/core-rest-pipeline';
import { armError } from '../probes/azure/errors.js';
import type { MissingRightError } from '../probes/types.js';

const profile = loadProfile();
const reasons = reasonCatalogue(profile.expect);
const absent = (code: string) => !!reasons[code]?.absent;
const at = new Date(2026, 0, 5, 14, 3, 5);

function student(statuses: Record<string, Status>, extra: Partial<Record<string, Partial<CheckResult>>> = {}): StudentResult {
  const checks: CheckResult[] = Object.entries(statuses).map(([id, status]) => ({
    id,
    exercise: Number(/^ex(\d+)/.exec(id)![1]),
    title: `title of ${id}`,
    status,
    ...pointsFor(id, status, profile),
    message: `${id} is ${status}`,
    evidence: {},
    durationMs: 1,
    ...extra[id],
  }));
  return scoreStudent('labuser07', checks, profile, 10);
}

const render = (view: Partial<ChecklistView> & { student: StudentResult }, columns?: number) => renderChecklist({ checkedAt: at, absent, ...view }, { color: false, columns });

describe('checklist', () => {
  it('with nothing reachable does not say everything is done: it says what to run first', () => {
    const unreachable = { status: 'skipped' as const, code: 'LG-021' };
    const text = render({
      student: student(
        { 'ex1.vm.reachable': 'skipped', 'ex1.docker.installed': 'skipped', 'ex3.cluster.exists': 'skipped' },
        {
          'ex1.vm.reachable': { ...unreachable, message: 'run this on your VM: `node lab-grade.mjs --local`' },
          'ex1.docker.installed': { ...unreachable, message: 'run this on your VM: `node lab-grade.mjs --local`' },
          'ex3.cluster.exists': { ...unreachable, message: 'run `az login`, then `node lab-grade.mjs` again' },
        },
      ),
    });
    expect(text).not.toContain(M.allDone);
    expect(text).toContain('0 of 3 points; nothing could be checked from here yet');
    expect(text).toContain('Start with Exercise 1: run this on your VM: `node lab-grade.mjs --local`');
  });

  it('with part of the lab not reachable, does not say every exercise is done', () => {
    const text = render({
      student: student(
        { 'ex1.docker.installed': 'skipped', 'ex3.cluster.exists': 'pass', 'ex5.kube.reachable': 'error', 'ex5.pod.running': 'blocked' },
        { 'ex1.docker.installed': { code: 'LG-021' }, 'ex5.pod.running': { blockedBy: 'ex5.kube.reachable' } },
      ),
    });
    expect(text).not.toContain(M.allDone);
    expect(text).toContain(`; ${M.doneButNotChecked([3], [1, 5])}`);
    expect(M.doneButNotChecked([3], [1, 5])).toContain('Exercises 1, 5');
  });

  it('marks an exercise with nothing there yet "not started", and lists every failing check of the next one', () => {
    const text = render({
      student: student(
        {
          'ex2.repo.cloned': 'pass',
          'ex2.compose.valid': 'fail',
          'ex2.compose.ports': 'fail',
          'ex3.cluster.exists': 'fail',
          'ex3.cluster.healthy': 'blocked',
        },
        {
          'ex2.compose.valid': { code: 'LG-213', hint: 'Exercise 2 step 4: add service api' },
          'ex2.compose.ports': { code: 'LG-225', hint: 'Exercise 2 step 4: publish 80:8080' },
          'ex3.cluster.exists': { code: 'LG-302' },
          'ex3.cluster.healthy': { blockedBy: 'ex3.cluster.exists' },
        },
      ),
    });
    expect(text).toMatch(/→ Exercise 2 +Build the container images +1\/4 +next/);
    expect(text).toMatch(/○ Exercise 3 +Create an AKS cluster +0\/3 +not started/);
    expect(text).toContain('What to do next — Exercise 2 (2 checks to fix):');
    expect(text).toContain('  ✗ title of ex2.compose.valid (ex2.compose.valid)\n    ex2.compose.valid is fail\n    Exercise 2 step 4: add service api');
    expect(text).toContain('  ✗ title of ex2.compose.ports (ex2.compose.ports)');
    expect(text).toContain('Every check with its details: `node lab-grade.mjs --reporter console`');
  });

  it("shows losing access and access coming back apart from a regression, in the checklist's words", () => {
    const now = student(
      {
        'ex3.cluster.exists': 'skipped',
        'ex4.registry.exists': 'fail',
        'ex5.kube.reachable': 'error',
        'ex5.pod.running': 'blocked',
        'ex6.myapp.service': 'fail',
        'ex6.app.e2e': 'pass',
        'ex6.selfheal': 'skipped',
      },
      { 'ex5.pod.running': { blockedBy: 'ex5.kube.reachable' }, 'ex3.cluster.exists': { code: 'LG-021' }, 'ex6.selfheal': { code: 'LG-022' } },
    );
    const changes = [
      { id: 'ex3.cluster.exists', from: 'pass' as const, to: 'skipped' as const },
      { id: 'ex5.kube.reachable', from: 'pass' as const, to: 'error' as const },
      { id: 'ex5.pod.running', from: 'pass' as const, to: 'blocked' as const },
      { id: 'ex6.myapp.service', from: 'pass' as const, to: 'fail' as const },
      { id: 'ex6.app.e2e', from: 'fail' as const, to: 'pass' as const },
      // Skipped because it is disruptive, not for want of access.
      { id: 'ex6.selfheal', from: 'blocked' as const, to: 'skipped' as const },
      // Not checked last time (no login then), failing now: access came back, the work did not break.
      { id: 'ex4.registry.exists', from: 'skipped' as const, to: 'fail' as const },
    ];
    const text = render({ student: now, since: { at, changes } });
    const notChecked = EXERCISE_LOOK['not checked'].word;
    expect(text).toContain(`${M.changedSince('14:03:05')}\n  ex6.myapp.service: pass → fail\n  ex6.app.e2e: fail → pass\n  ex6.selfheal: blocked → ${notChecked}\n`);
    expect(text).toContain(`${M.checkedAgainSince('14:03:05')}\n  ex4.registry.exists: ${notChecked} → fail\n`);
    expect(text).toContain(
      `${M.lostSince('14:03:05')}\n  ex3.cluster.exists: pass → ${notChecked}\n  ex5.kube.reachable: pass → ${EXERCISE_LOOK['not gradable'].word}\n  ex5.pod.running: pass → blocked`,
    );
  });

  it('says the points of a partial run are those of its selection, and names no exercise to do next: the whole check may say another', () => {
    const text = render({ student: student({ 'ex6.myapp.deployment': 'pass', 'ex6.app.e2e': 'fail' }), only: ['ex6'] });
    expect(text).toContain(`${M.partialPoints('2', '5', 'ex6')}; ${M.partialNext('node lab-grade.mjs')}`);
    expect(text).toContain(M.toFixSelected(6, 1));
    expect(text).not.toContain(M.nextStep(6, 1));
    expect(text).toMatch(/✗ Exercise 6 +Deployments and Services +2\/5 +failing/);
  });

  it('wraps a hint at 80 columns between words, never inside a command', () => {
    const hint =
      'Exercise 5: grant the cluster Reader on the registry (`az aks show -n <cluster> -g <resource group> --query servicePrincipalProfile.clientId`), then run `kubectl get pod myapp` until it is Running.';
    const text = render({ student: student({ 'ex5.pod.running': 'fail' }, { 'ex5.pod.running': { hint } }) }, 80);
    const lines = text.split('\n');
    // Every backtick-delimited command is on one line, whole.
    for (const command of hint.match(/`[^`]+`/g)!)
      expect(
        lines.some((l) => l.includes(command)),
        command,
      ).toBe(true);
    // Lines longer than 80 columns are a single command that cannot be broken.
    for (const line of lines.filter((l) => l.length > 80)) expect(line.trim()).toMatch(/^\(?`[^`]+`\)?[,.]?$/);
    expect(lines.filter((l) => l.length > 80)).toHaveLength(1);
  });

  it("keeps the grant command of a right one's own identity lacks whole in 'Not checked here', at 80 columns", () => {
    const scope = '/subscriptions/s/resourceGroups/labuser07-rg/providers/Microsoft.ContainerService/managedClusters/aks07';
    const action = 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action';
    const refused = new RestError(`The client 'me@example.org' with object id '1111' does not have authorization to perform action '${action}' over scope '${scope}'`, {
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    const err = armError(refused, { action, scope }) as MissingRightError;
    const text = render(
      {
        student: student(
          { 'ex5.kube.reachable': 'error', 'ex5.pod.running': 'blocked' },
          { 'ex5.kube.reachable': { code: 'LG-016', message: err.message }, 'ex5.pod.running': { blockedBy: 'ex5.kube.reachable' } },
        ),
      },
      80,
    );
    expect(text).toContain('Not checked here');
    expect(text.split('\n').some((l) => l.includes(`\`${err.missing.grant}\``))).toBe(true);
  });

  it('repeats the command the self-check was run with, where to look included, in every command it prints', () => {
    const command = 'node lab-grade.mjs --resource-group labuser07-rg';
    const text = render(
      {
        command,
        student: student(
          { 'ex3.cluster.exists': 'pass', 'ex5.kube.reachable': 'error', 'ex5.pull.authorized': 'fail', 'ex5.pod.running': 'blocked' },
          { 'ex5.kube.reachable': { code: 'LG-014' }, 'ex5.pull.authorized': { code: 'LG-513' }, 'ex5.pod.running': { blockedBy: 'ex5.kube.reachable' } },
        ),
      },
      200,
    );
    expect(text).toContain(M.couldNotCheck(command));
    expect(text).toContain(M.seeAll(command));
    expect(M.seeAll(command)).toBe('Every check with its details: `node lab-grade.mjs --resource-group labuser07-rg --reporter console`');
    expect(render({ command, student: student({ 'ex6.app.e2e': 'fail' }), only: ['ex6'] })).toContain(M.partialNext(command));
  });

  it('wraps a terminal of 0 columns (no size set) as one of 80', () => {
    const hint = 'Exercise 5 step 18: run `kubectl get pod myapp` a few times until it shows Running; `kubectl describe pod myapp` shows why it waits.';
    const view = { student: student({ 'ex5.pod.running': 'fail' }, { 'ex5.pod.running': { hint } }) };
    expect(render(view, 0)).toBe(render(view, 80));
  });

  it('shows a bonus exercise not done as neutral, and the exercises waiting on an earlier one apart from failing ones', () => {
    const text = render({
      student: student(
        { 'ex5.pull.authorized': 'fail', 'ex6.myapp.deployment': 'blocked', 'ex6.myapp.service': 'pass', 'ex7.helm.release': 'fail' },
        { 'ex6.myapp.deployment': { blockedBy: 'ex5.pull.authorized' } },
      ),
    });
    const line = (n: number) => text.split('\n').find((l) => l.includes(`Exercise ${n}  `))!;
    expect(line(7)).toContain(`${EXERCISE_LOOK['bonus not earned'].symbol} Exercise 7`);
    expect(line(7)).toMatch(new RegExp(`${EXERCISE_LOOK['bonus not earned'].word}$`));
    expect(line(6)).toContain(`${EXERCISE_LOOK.waiting.symbol} Exercise 6`);
    expect(line(6)).toMatch(/waiting on Exercise 5$/);
    expect(line(5)).toContain(`${EXERCISE_LOOK.next.symbol} Exercise 5`);
    expect(text).not.toMatch(/✗ Exercise [67]/);
  });

  it('history shows each exercise with the symbol every report uses', () => {
    const table = renderHistory(
      [{ at: at.toISOString(), user: 'u', lab: 'aks-greetings', status: 'graded', score: 1, maxScore: 34, bonus: 0, exercises: { '5': 'next', '6': 'waiting', '7': 'bonus not earned' }, checks: {} }],
      { color: false, file: 'h.jsonl' },
    );
    const row = table.trim().split('\n')[1];
    expect(row.endsWith(['next', 'waiting', 'bonus not earned'].map((m) => EXERCISE_LOOK[m as 'next'].symbol).join(' '))).toBe(true);
    for (const mark of exerciseLegend({ next: true })) expect(table).toContain(`${EXERCISE_LOOK[mark].symbol} ${EXERCISE_LOOK[mark].word}`);
  });

  it('history of a user the file does not hold names who it holds, not "nothing recorded yet"', () => {
    expect(renderHistory([], { color: false, file: 'h.jsonl', user: 'labuser99', recordedUsers: ['labuser05', 'labuser07'] })).toBe(
      `${M.historyNoneOf('labuser99', ['labuser05', 'labuser07'], 'h.jsonl')}\n`,
    );
    expect(M.historyNoneOf('labuser99', ['labuser05'], 'h.jsonl')).toBe('No self-checks of labuser99 recorded (h.jsonl); it holds those of labuser05 (--user-name).');
    // An empty file is empty, whoever was asked for.
    expect(renderHistory([], { color: false, file: 'h.jsonl', user: 'labuser99', recordedUsers: [] })).toBe(`${M.historyEmpty('h.jsonl')}\n`);
  });

  it('history marks a partial run as one, never as the points of the lab', () => {
    const entry = (over: object) => ({
      at: at.toISOString(),
      user: 'labuser07',
      lab: 'aks-greetings',
      status: 'graded' as const,
      score: 4,
      maxScore: 4,
      bonus: 0,
      exercises: { '5': 'done' as const },
      checks: {},
      ...over,
    });
    const table = renderHistory([entry({ score: 15, maxScore: 34, exercises: { '3': 'not started', '5': 'done' } }), entry({ only: ['ex5'] })], { color: false, file: 'h.jsonl' });
    const rows = table.trim().split('\n');
    expect(rows[1]).toMatch(/ {2}15\/34 +○ ✓$/);
    expect(rows[2]).toMatch(/ {2}partial +✓$/);
    expect(rows.at(-1)).toContain('partial: an --only run');
  });
});

describe('wrap', () => {
  it('keeps leading spaces and line breaks, and a long command on a line of its own', () => {
    expect(wrap('under `app:` add\n    ports:\n      - 80:8080', 40, '  ')).toEqual(['  under `app:` add', '      ports:', '        - 80:8080']);
    expect(wrap(`run \`${'x'.repeat(50)}\` now`, 30)).toEqual(['run', `\`${'x'.repeat(50)}\``, 'now']);
  });
});
