/**
 * Where the dashboard grid's last column ends, against what the page shows without scrolling: the
 * viewport, and the nearest box that clips what overflows it (what lies past its right edge is seen
 * only when scrolled to).
 */
import type { Page } from 'playwright-core';

export interface GridFit {
  exercises: number;
  rows: number;
  lastHeading: string;
  /** The last column's right edge, in px from the viewport's left. */
  lastRight: number;
  /** The right edge of what its clipping box shows, unscrolled (Infinity when nothing clips it). */
  seenUpTo: number;
  viewport: number;
}

export function gridFit(page: Page): Promise<GridFit> {
  return page.evaluate(() => {
    const last = document.querySelector('table.grid thead th:last-child')!;
    let box = last.parentElement;
    while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    return {
      exercises: document.querySelectorAll('table.grid thead th.ex').length,
      rows: document.querySelectorAll('#rows tr').length,
      lastHeading: (last as HTMLElement).innerText.replace(/\s+/g, ' '),
      lastRight: last.getBoundingClientRect().right,
      seenUpTo: box ? box.getBoundingClientRect().left + box.clientLeft + box.clientWidth : Infinity,
      viewport: document.documentElement.clientWidth,
    };
  });
}

/** The last column is seen whole, unscrolled (half a pixel for sub-pixel layout). */
export const lastColumnSeen = (fit: GridFit): boolean => fit.lastRight <= Math.min(fit.seenUpTo, fit.viewport) + 0.5;
