/**
 * The live dashboard's styles, on top of the HTML report's (same palette and type; a cell's colour is
 * its state's tone-* class). Every cell state has a symbol and a word besides its colour, so the grid
 * reads in greyscale too. The grid of a seven-exercise lab fits from about 1150 px wide (a cell's word,
 * a student's badge and the headings wrap); narrower, it scrolls sideways inside its own panel.
 */
export const LIVE_STYLE = `
main.live { max-width: 1500px; }
.connection { margin-left: 10px; padding: 0 8px; border-radius: 999px; font-size: 11px; letter-spacing: 0; text-transform: none; }
.connection.on { color: var(--good); background: var(--good-bg); }
.connection.off { color: var(--warn); background: var(--warn-bg); }
.summary .cards { margin: 18px 0; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
@media (max-width: 1100px) { .two { grid-template-columns: minmax(0, 1fr); } }
.two h2 { margin: 0 0 8px; font-size: 15px; border: 0; padding: 0; }
.chart.series .band { fill: #54aeff; opacity: .25; }
.chart.series .median-line { fill: none; stroke: var(--accent); stroke-width: 2; }
.chart.series .median { fill: var(--accent); }
.chart.series .range { stroke: var(--muted); stroke-width: 1; }
.toolbar { display: flex; align-items: baseline; gap: 10px; margin: 28px 0 4px; color: var(--muted); }
.toolbar a.sort { padding: 2px 10px; border: 1px solid var(--border); border-radius: 999px; }
.toolbar a.sort.active { color: #fff; background: var(--accent); border-color: var(--accent); }
.grid-panel { padding: 0; }
table.grid th, table.grid td { padding: 6px 8px; }
table.grid th.ex { min-width: 84px; }
table.grid th .sub, table.grid td .sub { font-size: 11px; font-weight: 400; color: var(--muted); text-transform: none; letter-spacing: 0; }
table.grid tbody th { font-weight: 600; }
table.grid tbody th a { white-space: nowrap; }
table.grid thead th.num { white-space: normal; }
table.grid td.next { min-width: 220px; max-width: 420px; font-size: 12.5px; }
table.grid td.next .msg, table.grid td.next .hint { overflow-wrap: anywhere; }
table.grid td.next .hint { color: var(--muted); margin-top: 2px; }
td.cell { white-space: nowrap; font-size: 12.5px; border-left: 2px solid #fff; }
td.cell .word { white-space: normal; }
td.cell .sym { font-weight: 700; }
td.cell .pts { display: block; font-size: 11px; opacity: .85; font-variant-numeric: tabular-nums; }
td.cell .now { display: block; font-size: 11px; font-weight: 600; }
.cell-key { padding: 1px 8px; border-radius: 4px; }
.cell-key.broken { color: var(--bad); }
tr.row.stuck th { color: var(--alert); }
tr.row.status-waiting { color: var(--muted); }
tr.row.flash { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: #fff8c5; } to { background: transparent; } }
td.idle { color: var(--muted); }
tr.stuck td.idle { color: var(--alert); font-weight: 600; }
p.earned { color: var(--good); }
.notice { margin: 14px 0 0; padding: 10px 14px; border-radius: 6px; border: 1px solid; }
.notice.outage { color: var(--alert); background: var(--alert-bg); }
.notice.shards { color: var(--warn); background: var(--warn-bg); }
`;
