/**
 * The live dashboard's pages, rendered on the server through the escaping `html` tag: the class grid
 * (a row per student, a cell per exercise, the next step, time since the last progress), the funnel and
 * the class's points per round, and a student's page. The page script updates a row by swapping in
 * the row this module rendered, so every piece of student text is escaped in one place.
 */
import { STATUS_STYLE, formatNumber } from '../reporters/format.js';
import { rateChart } from '../reporters/html/charts.js';
import { html, styleElement, type SafeHtml } from '../reporters/html/markup.js';
import { STYLE } from '../reporters/html/style.js';
import { badge, studentSection } from '../reporters/html/student.js';
import { localClock } from './credit.js';
import { exerciseMark } from '../core/progress.js';
import { EXERCISE_LOOK, exerciseLegend, exerciseWord } from '../reporters/exercise-states.js';
import { SORTS, type ClassSnapshot, type ClassSummary, type ExerciseColumn, type RowSort, type SeriesPoint, type StudentDetail, type StudentRow } from './state.js';
import { LIVE_STYLE } from './style.js';

/** Where links and the page's own requests go: the access token, when there is one, rides along. */
export interface PageLinks {
  token?: string;
}

const withToken = (path: string, links: PageLinks, extra: Record<string, string> = {}): string => {
  const params = new URLSearchParams({ ...extra, ...(links.token ? { token: links.token } : {}) }).toString();
  return params ? `${path}?${params}` : path;
};

const studentPath = (user: string): string => `/student/${encodeURIComponent(user)}`;
const rowId = (user: string): string => `row-${user}`;

const SORT_WORDS: Record<RowSort, string> = { roster: 'roster order', progress: 'progress', idle: 'time since last progress' };

function cell(row: StudentRow, col: ExerciseColumn, index: number): SafeHtml {
  const c = row.cells[index];
  // Its state, or for the optional exercise not done, what it earned: as every report reads it.
  const mark = exerciseMark({ state: c.state, optional: col.optional, bonus: c.bonus });
  const look = EXERCISE_LOOK[mark];
  const word = exerciseWord(mark, c.waitingOn);
  const points = col.optional ? `+${formatNumber(c.bonus)}/${formatNumber(col.maxBonus)}` : `${formatNumber(c.points)}/${formatNumber(col.maxPoints)}`;
  const broken = c.brokenNow.length > 0;
  const title = `Exercise ${col.exercise} — ${word}, ${points} points${broken ? `; passed before, not now: ${c.brokenNow.join(', ')}` : ''}`;
  return html`<td class="cell tone-${look.tone}${broken ? ' broken' : ''}" title="${title}"><span class="sym" aria-hidden="true">${look.symbol}</span> <span class="word">${word}</span>${
    row.status !== 'waiting' && html`<span class="pts">${points}</span>`
  }${broken && html`<span class="now">⚠ not now</span>`}</td>`;
}

const minutes = (n: number | undefined) => (n === undefined ? '' : n < 60 ? `${n} min` : `${Math.floor(n / 60)} h ${String(n % 60).padStart(2, '0')} min`);

/** One student's row of the grid. */
export function renderRow(row: StudentRow, columns: readonly ExerciseColumn[], links: PageLinks): SafeHtml {
  const next = row.next;
  const statusWord = row.status === 'waiting' ? 'waiting for the first grading' : row.status === 'incomplete' ? 'incomplete' : '';
  return html`<tr id="${rowId(row.user)}" class="row status-${row.status}${row.stuck ? ' stuck' : ''}" data-user="${row.user}" data-position="${row.position}" data-done="${row.exercisesDone}" data-score="${row.score}" data-idle="${row.noProgressMinutes ?? -1}" data-stuck="${row.stuck ? 1 : 0}" data-waiting="${row.status === 'waiting' ? 1 : 0}">
<th scope="row"><a href="${withToken(studentPath(row.user), links)}">${row.user}</a>${row.stuck && html` <span class="badge tone-alert">⚑ stuck</span>`}${statusWord && html`<div class="sub">${statusWord}</div>`}</th>
${columns.map((col, i) => cell(row, col, i))}
<td class="num">${row.status === 'waiting' ? '–' : `${formatNumber(row.score)}/${formatNumber(row.maxScore)}`}${row.bonus > 0 && html`<div class="sub">+${formatNumber(row.bonus)} bonus</div>`}</td>
<td class="next">${
    next
      ? html`${badge(STATUS_STYLE[next.status])} <code>${next.id}</code><div class="msg">${next.message}</div>${next.hint && html`<div class="hint">${next.hint}</div>`}`
      : row.status === 'waiting'
        ? ''
        : html`<span class="sub">nothing left to do</span>`
  }</td>
<td class="num idle">${minutes(row.noProgressMinutes)}</td>
</tr>`;
}

/** The class's points per round: the middle half as a band, the median as a line, min and max as ticks. */
function seriesChart(series: readonly SeriesPoint[], maxScore: number, passMark: number): SafeHtml {
  const [width, height, left, right, top, bottom] = [1020, 220, 44, 16, 14, 30];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const top1 = Math.max(1, maxScore);
  const n = series.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const y = (v: number) => top + plotH - (plotH * v) / top1;
  const pts = (vals: number[]) => vals.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const band = n
    ? `${pts(series.map((p) => p.q3))} ${pts(series.map((p) => p.q1))
        .split(' ')
        .reverse()
        .join(' ')}`
    : '';
  const pass = (maxScore * passMark) / 100;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = Math.round(top1 * f);
    return html`<line class="grid" x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="axis" x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`;
  });
  const every = Math.max(1, Math.ceil(n / 12));
  const anchor = (i: number) => (n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle');
  const labels = series.map((p, i) => (i % every === 0 || i === n - 1) && html`<text class="axis" x="${x(i).toFixed(1)}" y="${height - 10}" text-anchor="${anchor(i)}">round ${p.round}</text>`);
  const dots = series.map(
    (
      p,
      i,
    ) => html`<g class="point"><title>round ${p.round} (${localClock(p.at, p.at)}): median ${formatNumber(p.median)}, middle half ${formatNumber(p.q1)}–${formatNumber(p.q3)}, range ${formatNumber(p.min)}–${formatNumber(p.max)} points, ${p.n} graded</title>
<line class="range" x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${y(p.min).toFixed(1)}" y2="${y(p.max).toFixed(1)}"/><circle class="median" cx="${x(i).toFixed(1)}" cy="${y(p.median).toFixed(1)}" r="3.5"/></g>`,
  );
  return html`<svg class="chart series" role="img" aria-label="Points per round: median and middle half of the class" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
${grid}
<line class="passmark" x1="${left}" x2="${width - right}" y1="${y(pass).toFixed(1)}" y2="${y(pass).toFixed(1)}"/><text class="axis passmark-label" x="${left + 4}" y="${(y(pass) - 4).toFixed(1)}">pass mark ${formatNumber(pass)} points</text>
${n > 1 && html`<polygon class="band" points="${band}"/><polyline class="median-line" points="${pts(series.map((p) => p.median))}"/>`}
${dots}
${labels}
${n === 0 && html`<text class="axis" x="${width / 2}" y="${height / 2}" text-anchor="middle">no grading yet</text>`}
</svg>`;
}

/** What the instructor must know above the counts: a round that could not be graded, shards not seen. */
function notices(snap: Pick<ClassSummary, 'outage' | 'missingShards'>): SafeHtml {
  const { outage, missingShards } = snap;
  return html`${
    outage &&
    html`<div class="notice outage" role="alert"><strong>Round ${outage.round} was not graded</strong> (<time datetime="${outage.at}">${localClock(outage.at, outage.at)}</time>): ${outage.message}. The grid shows the rounds before it; the next round tries again.</div>`
  }${
    missingShards.length > 0 &&
    html`<div class="notice shards" role="status"><strong>Not on this dashboard yet:</strong> the ledger of shard ${missingShards.join(', ')} has not appeared; its students show as waiting.</div>`
  }`;
}

/** Counts, the funnel and the chart: re-sent as a whole (it does not grow with the class). */
export function renderSummary(snap: ClassSummary): SafeHtml {
  const { stuck, incomplete } = snap;
  const maxScore = snap.exercises.reduce((s, c) => s + c.maxPoints, 0);
  const funnel = rateChart(
    'Students past each exercise',
    snap.exercises.map((col, i) => ({ label: `Exercise ${col.exercise}`, tooltip: col.title, rate: { passed: snap.funnel[i]?.done ?? 0, counted: snap.rosterSize || snap.graded } })),
    110,
  );
  const card = (value: string | number, label: string, attention = false) =>
    html`<div class="${attention ? 'card attention' : 'card'}"><div class="value">${value}</div><div class="label">${label}</div></div>`;
  return html`${notices(snap)}<div class="cards">
${card(`${snap.graded}/${snap.rosterSize}`, 'graded')}
${card(snap.series.length ? snap.series[snap.series.length - 1].round : '–', 'latest round')}
${card(stuck, `stuck (no progress for ${snap.stuckAfterMinutes} min)`, stuck > 0)}
${card(incomplete, 'could not be graded fully', incomplete > 0)}
</div>
<div class="two">
<div class="panel"><h2>Past each exercise</h2>${funnel}</div>
<div class="panel"><h2>Points per round</h2>${seriesChart(snap.series, maxScore, snap.passMark)}<p class="note">Dots: the median; band: the middle half of the class; lines: lowest to highest.</p></div>
</div>`;
}

function legend(): SafeHtml {
  // A cell shows every mark but `next` (the dashboard names the next step apart).
  const marks = exerciseLegend({ next: false });
  return html`<p class="legend">${marks.map((m) => html`<span class="cell-key tone-${EXERCISE_LOOK[m].tone}" title="${EXERCISE_LOOK[m].meaning}"><span class="sym">${EXERCISE_LOOK[m].symbol}</span> ${EXERCISE_LOOK[m].word}</span>`)}<span class="cell-key broken"><span class="now">⚠ not now</span> passed before, fails now</span></p>`;
}

function head(title: string, links: PageLinks): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${styleElement(STYLE + LIVE_STYLE)}
<script src="${withToken('/live.js', links)}" defer></script>
</head>`;
}

export const updatedText = (snap: Pick<ClassSummary, 'updatedAt'>): SafeHtml =>
  snap.updatedAt ? html`<time datetime="${snap.updatedAt}">${localClock(snap.updatedAt, snap.updatedAt)}</time>` : html`not yet`;

const modeWords = (snap: Pick<ClassSnapshot, 'mode'>) => (snap.mode === 'earned' ? 'earned credit (a check that passed at any grading counts)' : 'final (the latest grading only)');

export function renderClassPage(snap: ClassSnapshot, links: PageLinks): string {
  const sorts = SORTS.map((s) => html`<a class="${s === snap.sort ? 'sort active' : 'sort'}" data-sort="${s}" href="${withToken('/', links, s === 'roster' ? {} : { sort: s })}">${SORT_WORDS[s]}</a>`);
  return `<!doctype html>
${html`<html lang="en" data-epoch="${snap.epoch}" data-version="${snap.version}" data-page="class">
${head(`${snap.title} — live`, links)}
<body>
<main class="live">
<header>
<p class="eyebrow">lab-grade live <span id="connection" class="connection">connecting…</span></p>
<h1>${snap.title}</h1>
<dl class="meta">
<div><dt>Lab</dt><dd><code>${snap.lab}</code></dd></div>
<div><dt>Score</dt><dd>${modeWords(snap)}</dd></div>
<div><dt>Updated</dt><dd id="updated">${updatedText(snap)}</dd></div>
</dl>
</header>
<section id="summary" class="summary">${renderSummary(snap)}</section>
<section class="grid-section">
<div class="toolbar"><span>Sort by</span> ${sorts}</div>
${legend()}
<div class="panel grid-panel"><table class="grid">
<thead><tr><th>Student</th>${snap.exercises.map((c) => html`<th class="ex" title="${c.title}">Ex ${c.exercise}<div class="sub">${c.title}</div></th>`)}<th class="num">Points</th><th>Next step</th><th class="num" title="Minutes from the last newly passed check to the latest grading">No progress</th></tr></thead>
<tbody id="rows">
${snap.students.map((r) => renderRow(r, snap.exercises, links))}
</tbody></table></div>
</section>
<footer>Read-only. Rows update as students are graded.</footer>
</main>
</body>
</html>`}
`;
}

export function renderStudentPage(detail: StudentDetail, snap: Pick<ClassSnapshot, 'lab' | 'title' | 'passMark' | 'exercises' | 'mode' | 'epoch' | 'version'>, links: PageLinks): string {
  const { row, result } = detail;
  return `<!doctype html>
${html`<html lang="en" data-epoch="${snap.epoch}" data-version="${snap.version}" data-page="student" data-user="${row.user}">
${head(`${row.user} — ${snap.title} — live`, links)}
<body>
<main class="live">
<header>
<p class="eyebrow"><a href="${withToken('/', links)}">← the class</a> <span id="connection" class="connection">connecting…</span></p>
<h1>${row.user}</h1>
<dl class="meta">
<div><dt>Score</dt><dd>${modeWords(snap)}</dd></div>
<div><dt>Graded</dt><dd>${row.gradedAt ? html`<time datetime="${row.gradedAt}">${localClock(row.gradedAt, row.gradedAt)}</time> (round ${row.round})` : 'not yet'}</dd></div>
<div><dt>Last progress</dt><dd>${row.lastProgressAt ? html`<time datetime="${row.lastProgressAt}">${localClock(row.lastProgressAt, row.gradedAt)}</time>` : '–'}</dd></div>
</dl>
</header>
<div class="panel grid-panel"><table class="grid"><thead><tr><th>Student</th>${snap.exercises.map((c) => html`<th class="ex" title="${c.title}">Ex ${c.exercise}</th>`)}<th class="num">Points</th><th>Next step</th><th class="num">No progress</th></tr></thead>
<tbody id="rows">${renderRow(row, snap.exercises, links)}</tbody></table></div>
${result ? studentSection(result, { lab: snap.lab, title: snap.title, users: [row.user], passMark: snap.passMark, startedAt: new Date(row.gradedAt ?? Date.now()) }, { open: true }) : html`<p class="note">Not graded yet.</p>`}
</main>
</body>
</html>`}
`;
}
