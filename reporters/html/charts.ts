/**
 * Inline SVG charts (no script, no external asset): horizontal pass-rate bars and a score histogram.
 * Every bar carries its number as text, so colour is never the only signal; colours come from CSS
 * classes (`fill-<tone>`), so the palette lives in one place (style.ts).
 */
import type { Tone } from '../format.js';
import { html, type SafeHtml } from './markup.js';
import { ratePercent, type Rate } from './stats.js';

export interface RateBar {
  label: string;
  /** Shown on hover (SVG <title>): the check's title. */
  tooltip?: string;
  rate: Rate;
  /** A bonus or informational check: its rate is shown without a good/bad colour (it costs no points). */
  neutral?: boolean;
}

/** About the panel's inner width on a desktop, so chart text shows near its CSS size. */
const WIDTH = 1020;
const ROW = 24;
const BAR = 14;

/** Colour bands for a pass rate: the percent is printed beside the bar in any case. */
function rateTone(percent: number | null): Tone {
  if (percent === null) return 'muted';
  return percent >= 80 ? 'good' : percent >= 50 ? 'warn' : 'bad';
}

/**
 * Horizontal bars, one per row, with 0/25/50/75/100% gridlines; `labelWidth` is in SVG units, and
 * `mono` sets labels in the code face (check ids).
 */
export function rateChart(title: string, bars: readonly RateBar[], labelWidth: number, mono = false): SafeHtml {
  const x0 = labelWidth + 8;
  const plot = WIDTH - x0 - 120;
  const height = bars.length * ROW + 24;
  const grid = [0, 25, 50, 75, 100].map((p) => {
    const x = x0 + (plot * p) / 100;
    return html`<line class="grid" x1="${x}" x2="${x}" y1="0" y2="${height - 20}"/><text class="axis" x="${x}" y="${height - 6}" text-anchor="middle">${p}%</text>`;
  });
  const rows = bars.map((bar, i) => {
    const y = i * ROW + 4;
    const percent = ratePercent(bar.rate);
    const w = percent === null ? 0 : (plot * percent) / 100;
    const value = percent === null ? 'n/a' : `${percent}%`;
    const counts = `${bar.rate.passed} of ${bar.rate.counted}`;
    return html`<g class="bar"><title>${bar.tooltip ? `${bar.label}: ${bar.tooltip}` : bar.label} — ${value} (${counts} passed)</title>
<text class="${mono ? 'label mono' : 'label'}" x="${labelWidth}" y="${y + BAR - 3}" text-anchor="end">${bar.label}</text>
<rect class="track" x="${x0}" y="${y}" width="${plot}" height="${BAR}" rx="3"/>
<rect class="fill-${bar.neutral ? 'accent' : rateTone(percent)}" x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" rx="3"/>
<text class="value" x="${x0 + plot + 10}" y="${y + BAR - 3}">${value}<tspan class="count" dx="6">${counts}</tspan></text></g>`;
  });
  return html`<svg class="chart" role="img" aria-label="${title}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
${grid}
${rows}
</svg>`;
}

/**
 * Vertical bars of students per percent band, with the pass mark as a dashed line. A band wholly
 * below the pass mark is `bad`, wholly at or above it `good`, one that straddles it neutral.
 */
export function histogramChart(bins: readonly number[], passMark: number | undefined): SafeHtml {
  const height = 240;
  const [left, top, bottom] = [40, 28, 36];
  const plotW = WIDTH - left - 16;
  const plotH = height - top - bottom;
  const band = 100 / bins.length;
  const max = Math.max(1, ...bins);
  const slot = plotW / bins.length;
  const bars = bins.map((count, i) => {
    const [lo, hi] = [i * band, (i + 1) * band];
    const tone: Tone | 'accent' = passMark === undefined ? 'accent' : hi <= passMark ? 'bad' : lo >= passMark ? 'good' : 'accent';
    const h = (plotH * count) / max;
    const x = left + i * slot + 4;
    const y = top + plotH - h;
    const label = `${lo}–${hi}%`;
    return html`<g class="bar"><title>${label}: ${count} ${count === 1 ? 'student' : 'students'}</title>
<rect class="fill-${tone}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot - 8).toFixed(1)}" height="${h.toFixed(1)}" rx="3"/>
${count > 0 && html`<text class="value" x="${(x + (slot - 8) / 2).toFixed(1)}" y="${(y - 5).toFixed(1)}" text-anchor="middle">${count}</text>`}
<text class="axis" x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${label}</text></g>`;
  });
  const markX = passMark === undefined ? 0 : left + (plotW * passMark) / 100;
  const mark =
    passMark !== undefined &&
    html`<line class="passmark" x1="${markX.toFixed(1)}" x2="${markX.toFixed(1)}" y1="${top - 8}" y2="${top + plotH}"/>
<text class="passmark-label" x="${(markX + 6).toFixed(1)}" y="${top - 12}">pass mark ${passMark}%</text>`;
  return html`<svg class="chart" role="img" aria-label="Score histogram: graded students per percent band" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
<line class="baseline" x1="${left}" x2="${WIDTH - 16}" y1="${top + plotH}" y2="${top + plotH}"/>
<text class="axis" x="${left - 8}" y="${top + 4}" text-anchor="end">${max}</text>
<text class="axis" x="${left - 8}" y="${top + plotH}" text-anchor="end">0</text>
${bars}
${mark}
</svg>`;
}
