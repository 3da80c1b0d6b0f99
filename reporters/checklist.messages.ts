/** Student-facing words of the self-check checklist and history (data, kept apart from the layout). */

/** The lab's exercise titles (aks-lab.md), shortened to fit one line. */
export const EXERCISE_TITLES: Readonly<Record<number, string>> = {
  1: 'Log on to your VM',
  2: 'Build the container images',
  3: 'Create an AKS cluster',
  4: 'Create a registry, push the images',
  5: 'Deploy a pod with kubectl',
  6: 'Deployments and Services',
  7: 'Deploy with Helm (optional)',
};

/** How students start the tool (the one-file build they download): every command we print says it so. */
export const TOOL = 'node lab-grade.mjs';

export const checklistMessages = {
  heading: (user: string, time: string) => `Your progress in the AKS lab — ${user}, checked at ${time}`,
  checking: 'Checking',
  notChecked: 'Not checked here',
  nextStep: (exercise: number, failing: number) => `What to do next — Exercise ${exercise} (${failing === 1 ? '1 check' : `${failing} checks`} to fix):`,
  toFixSelected: (exercise: number, failing: number) => `To fix in the checks selected — Exercise ${exercise} (${failing === 1 ? '1 check' : `${failing} checks`}):`,
  couldNotCheck: (command: string) => `could not check it: run \`${command}\` again in a minute`,
  couldNotCheckExercise: (why: string) => `could not check (${why}); run it again`,
  seeAll: (command: string) => `Every check with its details: \`${command} --reporter console\``,
  points: (score: string, max: string, bonus: string) => `${score} of ${max} points${bonus}`,
  partialPoints: (score: string, max: string, only: string) => `${score} of ${max} points of the checks selected (--only ${only}): not the lab's total`,
  bonus: (n: string) => ` (+${n} bonus)`,
  credit: (mode: 'earned' | 'final') => (mode === 'earned' ? ', earned credit (a check that passed at any grading counts)' : ', final credit (the latest grading only)'),
  next: (exercise: number) => `Exercise ${exercise} next`,
  allDone: 'every exercise is done',
  doneButNotChecked: (done: number[], notChecked: number[]) =>
    `${done.length ? `${checklistMessages.exercises(done)} done; ` : ''}${checklistMessages.exercises(notChecked)} not checked from here (above)`,
  partialNext: (command: string) => `a partial check: \`${command}\` checks everything and says what to do next`,
  nothingChecked: 'nothing could be checked from here yet',
  startWith: (exercise: number, line: string) => `Start with Exercise ${exercise}: ${line}`,
  changedSince: (time: string) => `Changed since ${time}:`,
  lostSince: (time: string) => `Could not check now, since ${time} (access from here changed; not a regression):`,
  checkedAgainSince: (time: string) => `Checked again, not checked at ${time} (access from here came back; what it finds now):`,
  unchangedSince: (time: string) => `Nothing changed since ${time}.`,
  moreChanges: (n: number) => `… and ${n} more`,
  exercise: (n: number) => `Exercise ${n}`,
  exercises: (list: number[]) => (list.length === 1 ? `Exercise ${list[0]}` : `Exercises ${list.join(', ')}`),
  watching: (seconds: number) => `Re-checks every ${seconds} s, or now when you press Enter. Ctrl-C stops.`,
  historyEmpty: (file: string) => `No self-checks recorded yet (${file}). Run ${TOOL} to check your progress.`,
  historyNoneOf: (user: string, others: string[], file: string) => `No self-checks of ${user} recorded (${file}); it holds those of ${others.join(', ')} (--user-name).`,
  historyLegend: (marks: string, file: string) => `Exercises: ${marks}; partial: an --only run (${file})`,
};
