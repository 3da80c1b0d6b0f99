import { describe, expect, it } from 'vitest';
import { exerciseMark, type ExerciseMark, type ExerciseState } from '../core/progress.js';
import { EXERCISE_LOOK, exerciseLegend, exerciseWord } from '../reporters/exercise-states.js';
import { PROFILE } from '../test/support/live-class.js';
import { renderClassPage, renderRow } from './page.js';
import { ClassState, exerciseColumns, type StudentRow } from './state.js';

const columns = exerciseColumns(PROFILE);

/** Each cell's symbol, word and tone class, as rendered. */
const cellsOf = (markup: string) =>
  [...markup.matchAll(/<td class="cell tone-(\w+)[^"]*"[^>]*><span class="sym" aria-hidden="true">([^<]*)<\/span> <span class="word">([^<]*)<\/span>/g)].map(([, tone, symbol, word]) => ({
    symbol,
    word,
    tone,
  }));
const lookOf = (mark: ExerciseMark) => ({ symbol: EXERCISE_LOOK[mark].symbol, word: EXERCISE_LOOK[mark].word, tone: EXERCISE_LOOK[mark].tone });

describe('dashboard page: the one vocabulary of exercise states', () => {
  it('a cell reads as every report reads its state: the shared symbol, word and tone; the optional exercise not done as what it earned', () => {
    const states: ExerciseState[] = ['done', 'in progress', 'failing', 'not started', 'not gradable', 'done', 'failing'];
    expect(columns.map((c) => c.optional)).toEqual([false, false, false, false, false, false, true]);
    const row: StudentRow = {
      ...new ClassState({ profile: PROFILE, roster: ['ann'] }).row('ann')!,
      status: 'graded',
      cells: states.map((state, i) => ({ exercise: columns[i].exercise, state, points: 0, bonus: 0, brokenNow: [] })),
    };
    expect(cellsOf(renderRow(row, columns, {}).value)).toEqual([
      lookOf('done'),
      lookOf('in progress'),
      lookOf('failing'),
      lookOf('not started'),
      lookOf('not gradable'),
      lookOf('done'),
      lookOf('bonus not earned'),
    ]);
    const partly = { ...row, cells: row.cells.map((c, i) => (i === 6 ? { ...c, state: 'in progress' as const, bonus: 1 } : c)) };
    expect(cellsOf(renderRow(partly, columns, {}).value)[6]).toEqual(lookOf('partly earned'));
    expect(exerciseMark({ state: 'in progress', optional: true, bonus: 1 })).toBe('partly earned');
  });

  it('a waiting cell names the exercise it waits on, as the HTML matrix does; a cell not checked reads as the reports read it', () => {
    const states: Array<[ExerciseState, number?]> = [['done'], ['done'], ['failing'], ['not started'], ['waiting', 3], ['not checked'], ['waiting', 3]];
    const row: StudentRow = {
      ...new ClassState({ profile: PROFILE, roster: ['ann'] }).row('ann')!,
      status: 'graded',
      cells: states.map(([state, waitingOn], i) => ({ exercise: columns[i].exercise, state, ...(waitingOn ? { waitingOn } : {}), points: 0, bonus: 0, brokenNow: [] })),
    };
    const cells = cellsOf(renderRow(row, columns, {}).value);
    expect(cells[4]).toEqual({ ...lookOf('waiting'), word: exerciseWord('waiting', 3) });
    expect(cells[4].word).toBe('waiting on Exercise 3');
    expect(cells[5]).toEqual(lookOf('not checked'));
    expect(cells[6]).toEqual({ ...lookOf('waiting'), word: 'waiting on Exercise 3' });
  });

  it('the legend is the shared one, in its order, with the marks a cell can show', () => {
    const page = renderClassPage(new ClassState({ profile: PROFILE, roster: ['ann'] }).snapshot(), {});
    const legend = [...page.matchAll(/<span class="cell-key tone-(\w+)" title="([^"]*)"><span class="sym">([^<]*)<\/span> ([^<]*)<\/span>/g)].map(([, tone, meaning, symbol, word]) => ({
      symbol,
      word,
      tone,
      meaning,
    }));
    // Every mark a cell can show: each state, and the optional exercise's; `next` is the next-step column's.
    expect(legend).toEqual(exerciseLegend({ next: false }).map((m) => ({ ...lookOf(m), meaning: EXERCISE_LOOK[m].meaning })));
    expect(legend.map((l) => l.word)).toEqual(expect.arrayContaining(['waiting', 'not checked']));
  });
});
