import { describe, expect, it } from 'vitest';
import { exerciseMark, type ExerciseMark } from '../core/progress.js';
import { EXERCISE_LOOK, exerciseLegend } from '../reporters/exercise-states.js';
import { PROFILE } from '../test/support/live-class.js';
import { renderClassPage, renderRow } from './page.js';
import { ClassState, exerciseColumns, type CellState, type StudentRow } from './state.js';

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
    const states: CellState[] = ['done', 'in progress', 'failing', 'not started', 'not gradable', 'done', 'failing'];
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

  it('the legend is the shared one, in its order, with the marks a cell can show', () => {
    const page = renderClassPage(new ClassState({ profile: PROFILE, roster: ['ann'] }).snapshot(), {});
    const legend = [...page.matchAll(/<span class="cell-key tone-(\w+)" title="([^"]*)"><span class="sym">([^<]*)<\/span> ([^<]*)<\/span>/g)].map(([, tone, meaning, symbol, word]) => ({
      symbol,
      word,
      tone,
      meaning,
    }));
    const shown: ExerciseMark[] = ['done', 'in progress', 'failing', 'not started', 'partly earned', 'bonus not earned', 'not gradable'];
    expect(legend).toEqual(
      exerciseLegend({ next: false })
        .filter((m) => shown.includes(m))
        .map((m) => ({ ...lookOf(m), meaning: EXERCISE_LOOK[m].meaning })),
    );
  });
});
