/**
 * The one vocabulary of exercise states, for every report: the checklist and the history of a
 * self-check, the HTML matrix, the live dashboard. Each mark (core/progress.ts) has one symbol (one
 * column wide, so it reads without colour), one word, a tone and what it means. Neutral tones for
 * what is nobody's failure yet: not started, waiting on an earlier exercise, a bonus not earned.
 */
import type { ExerciseMark } from '../core/progress.js';
import type { StatusStyle } from './format.js';

export interface ExerciseLook extends Pick<StatusStyle, 'symbol' | 'word' | 'tone'> {
  /** One line for a legend. */
  meaning: string;
}

/** In legend order. */
export const EXERCISE_LOOK: Readonly<Record<ExerciseMark, ExerciseLook>> = {
  done: { symbol: '✓', word: 'done', tone: 'good', meaning: 'every check of it passes' },
  next: { symbol: '→', word: 'next', tone: 'warn', meaning: 'the exercise to work on now' },
  'in progress': { symbol: '◐', word: 'in progress', tone: 'warn', meaning: 'part of it is there, the rest is not yet' },
  failing: { symbol: '✗', word: 'failing', tone: 'bad', meaning: 'something of it is there but not as the lab asks' },
  waiting: { symbol: '⋯', word: 'waiting', tone: 'muted', meaning: 'its checks wait on a failure in an earlier exercise' },
  'not started': { symbol: '○', word: 'not started', tone: 'muted', meaning: 'nothing of it is there yet' },
  'partly earned': { symbol: '◐', word: 'partly earned', tone: 'muted', meaning: 'a bonus exercise with some of its bonus points' },
  'bonus not earned': { symbol: '○', word: 'bonus not earned', tone: 'muted', meaning: 'a bonus exercise not done: it costs nothing' },
  'not checked': { symbol: '–', word: 'not checked', tone: 'muted', meaning: 'nothing of it could be checked from here' },
  'not gradable': { symbol: '‼', word: 'not gradable', tone: 'alert', meaning: 'the grader could not find out: check again' },
};

/** The word of a mark, with the exercise a waiting one waits on: `waiting on Exercise 5`. */
export function exerciseWord(mark: ExerciseMark, waitingOn?: number): string {
  return mark === 'waiting' && waitingOn !== undefined ? `waiting on Exercise ${waitingOn}` : EXERCISE_LOOK[mark].word;
}

/** Every mark in legend order; `next` only where a report names the exercise to work on. */
export function exerciseLegend(o: { next: boolean }): ExerciseMark[] {
  return (Object.keys(EXERCISE_LOOK) as ExerciseMark[]).filter((m) => o.next || m !== 'next');
}
