/** Student-facing words of the self-check checklist and history (data, kept apart from the layout). */
import type { ExerciseState } from '../core/history.js';

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

export const STATE_WORDS: Readonly<Record<ExerciseState, { symbol: string; word: string; optionalWord?: string }>> = {
  done: { symbol: '✓', word: 'done' },
  next: { symbol: '→', word: 'next', optionalWord: 'next (bonus)' },
  failing: { symbol: '✗', word: 'failing', optionalWord: 'not done yet (bonus)' },
  'not checked': { symbol: '–', word: 'not checked' },
};

export const checklistMessages = {
  heading: (user: string, time: string) => `Your progress in the AKS lab — ${user}, checked at ${time}`,
  checking: 'Checking',
  notChecked: 'Not checked here',
  nextStep: (title: string, id: string) => `What to do next — ${title} (${id}):`,
  couldNotCheck: (title: string, id: string) => `Could not check ${title} (${id}): run lab-grade again in a minute.`,
  points: (score: string, max: string, bonus: string) => `${score} of ${max} points${bonus}`,
  bonus: (n: string) => ` (+${n} bonus)`,
  next: (exercise: number) => `Exercise ${exercise} next`,
  allDone: 'every exercise checked here is done',
  changedSince: (time: string) => `Changed since ${time}:`,
  unchangedSince: (time: string) => `Nothing changed since ${time}.`,
  moreChanges: (n: number) => `… and ${n} more`,
  exercise: (n: number) => `Exercise ${n}`,
  exercises: (list: number[]) => (list.length === 1 ? `Exercise ${list[0]}` : `Exercises ${list.join(', ')}`),
  watching: (seconds: number) => `Re-checks every ${seconds} s, or now when you press Enter. Ctrl-C stops.`,
  historyEmpty: (file: string) => `No self-checks recorded yet (${file}). Run npx lab-grade to check your progress.`,
};
