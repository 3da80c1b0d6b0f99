/**
 * Where a process spent its CPU, from a V8 CPU profile (`node --cpu-prof`): each sample's self time
 * grouped by where its function lives (a package, a folder of this project, Node's own code, the
 * garbage collector), and the functions that took the most.
 * `bench/profile-summary.ts` prints it for a file.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  /** Total sampled time, ms (idle excluded). */
  busyMs: number;
  /** Self time by place, ms, largest first. */
  byPlace: Array<[place: string, ms: number]>;
  /** Self time by function (`name place:line`), ms, largest first. */
  byFunction: Array<[fn: string, ms: number]>;
}

/** Where a function lives: `npm:<package>`, a folder of this project, `node:` for Node's own code, or V8's pseudo-frames. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node:';
  const own = /\/(app|bench|bin|checks|core|live|probes|reporters|sandbox|test)\/[^/]+$/.exec(url) ?? /\/(app|bench|bin|checks|core|live|probes|reporters|sandbox|test)\//.exec(url);
  return own ? `${own[1]}/` : url;
}

export function selfTime(profile: CpuProfile): SelfTime {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const place = new Map<string, number>();
  const fn = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    busy += ms;
    const where = placeOf(url, functionName);
    place.set(where, (place.get(where) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs: busy, byPlace: sorted(place), byFunction: sorted(fn) };
}

/** The report: busy time, then the top places and functions with their share (and ms per student when `per` is given). */
export function describeSelfTime(t: SelfTime, { top = 15, per }: { top?: number; per?: number } = {}): string {
  const row = ([name, ms]: [string, number]) =>
    `${((100 * ms) / t.busyMs).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms${per ? `  ${(ms / per).toFixed(2).padStart(7)} ms/student` : ''}  ${name}`;
  return [
    `busy: ${t.busyMs.toFixed(0)} ms${per ? ` (${(t.busyMs / per).toFixed(1)} ms per student of ${per})` : ''}`,
    '',
    'by place:',
    ...t.byPlace.slice(0, top).map(row),
    '',
    'by function:',
    ...t.byFunction.slice(0, top).map(row),
  ].join('\n');
}
