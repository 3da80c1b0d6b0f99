/**
 * The report's only stylesheet, inlined in <style> (the CSP allows inline styles and nothing else).
 * System fonts only: no web font, so the file opens the same offline. The tone palette matches
 * format.ts's Tone names: `tone-*` for badges, `fill-*` for chart bars.
 */
export const STYLE = `
:root {
  --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --accent: #0969da;
  --good: #1a7f37; --good-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9;
  --warn: #9a6700; --warn-bg: #fff8c5; --alert: #8250df; --alert-bg: #fbefff;
  --muted-bg: #eff2f5;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 26px; line-height: 1.25; margin: 4px 0 12px; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 20px 0 8px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font-family: var(--mono); font-size: 12.5px; }
.eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: 12px; font-weight: 600; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0; color: var(--muted); }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; color: var(--fg); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px; background: #fff; }
.card .value { font-size: 28px; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 13px; }
.card.attention { border-color: var(--alert); background: var(--alert-bg); }
.card.attention .value { color: var(--alert); }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; border: 1px solid currentColor;
  font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.tone-good { color: var(--good); background: var(--good-bg); }
.tone-bad { color: var(--bad); background: var(--bad-bg); }
.tone-warn { color: var(--warn); background: var(--warn-bg); }
.tone-alert { color: var(--alert); background: var(--alert-bg); }
.tone-muted { color: var(--muted); background: var(--muted-bg); }
.panel { border: 1px solid var(--border); border-radius: 8px; padding: 16px; overflow-x: auto; }
.chart { display: block; max-width: 100%; height: auto; }
.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--fg); }
.chart .mono { font-family: var(--mono); }
.chart .value { font-weight: 600; }
.chart .count { fill: var(--muted); font-weight: 400; }
.chart .axis { fill: var(--muted); font-size: 11px; }
.chart .track { fill: var(--muted-bg); }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart .baseline { stroke: var(--muted); stroke-width: 1; }
.chart .passmark { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 5 4; }
.chart .passmark-label { font-weight: 600; }
.fill-good { fill: #2da44e; } .fill-bad { fill: #e5534b; } .fill-warn { fill: #d4a72c; }
.fill-alert { fill: var(--alert); } .fill-muted { fill: #afb8c1; } .fill-accent { fill: #54aeff; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.rerun { padding-left: 20px; }
ul.rerun li { margin: 4px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 8px 0 4px; font-size: 13px; color: var(--muted); }
details.student { margin-top: 12px; padding: 10px 16px; border: 1px solid var(--border); border-radius: 10px; }
details.student[open] { padding-bottom: 20px; }
details.student > summary { color: var(--fg); font-size: 15px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 14px; }
details.student > summary .name { font-weight: 650; font-size: 16px; }
details.student .score { font-weight: 600; font-variant-numeric: tabular-nums; }
input.filter { margin: 20px 8px 0 0; width: 16px; height: 16px; vertical-align: -3px; }
label.filter { font-weight: 600; cursor: pointer; }
#failing-only:checked ~ #matrix tr.ok, #failing-only:checked ~ #students details.ok, #failing-only:checked ~ #students tr.quiet { display: none; }
table.matrix th, table.matrix td { white-space: nowrap; padding: 6px 8px; }
table.matrix td.cell { font-size: 12px; line-height: 1.35; background: none; }
table.matrix td .pts { font-size: 12px; }
table.matrix td.cell .pts { color: var(--muted); font-variant-numeric: tabular-nums; }
table.matrix td.tone-good { color: var(--good); } table.matrix td.tone-bad { color: var(--bad); }
table.matrix td.tone-alert { color: var(--alert); } table.matrix td.tone-muted { color: var(--muted); }
table.matrix td.tone-warn { color: var(--warn); }
ul.reasons { padding-left: 20px; } ul.reasons li { margin: 4px 0; }
pre.command { margin: 6px 0; padding: 8px 10px; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; overflow-x: auto; }
.meter { position: relative; height: 10px; margin: 12px 0 6px; border-radius: 5px; background: var(--muted-bg); }
.meter .fill { position: absolute; inset: 0 auto 0 0; border-radius: 5px; }
.meter .fill.tone-good { background: #2da44e; } .meter .fill.tone-bad { background: #e5534b; }
.meter .fill.tone-alert { background: var(--alert); }
.meter .mark { position: absolute; top: -4px; bottom: -4px; width: 2px; background: var(--fg); }
ul.formula { margin: 8px 0 14px; padding-left: 20px; }
ul.formula li { margin: 2px 0; }
table.checks tr.exercise th { background: var(--panel); font-size: 13px; }
table.checks tr.exercise .subtotal { float: right; font-weight: 400; color: var(--muted); font-variant-numeric: tabular-nums; }
table.checks td.s { width: 150px; white-space: nowrap; }
table.checks tr.quiet td { color: var(--muted); }
table.checks td.tone-good { background: none; color: var(--good); }
.msg { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.hint { margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.hint strong { color: var(--fg); }
details { margin-top: 4px; }
summary { cursor: pointer; color: var(--accent); font-size: 12.5px; }
pre.evidence { margin: 6px 0 0; padding: 8px 10px; max-height: 320px; overflow: auto; background: var(--panel);
  border: 1px solid var(--border); border-radius: 6px; font: 12px/1.45 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; color: var(--fg); }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
@media print {
  main { max-width: none; padding: 0; }
  details.student { break-inside: avoid-page; }
  a { color: inherit; }
}
`;
