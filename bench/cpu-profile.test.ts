/** Self time from a V8 CPU profile, grouped by where each function lives. */
import { describe, expect, it } from 'vitest';
import { describeSelfTime, placeOf, selfTime, type CpuProfile } from './cpu-profile.js';

const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber } });

describe('CPU profile summary', () => {
  it("places a function in its package, this project's folder, Node itself or a V8 pseudo-frame", () => {
    expect(placeOf('file:///w/node_modules/@azure/core-rest-pipeline/dist/esm/x.js', 'f')).toBe('npm:@azure/core-rest-pipeline');
    expect(placeOf('file:///w/node_modules/undici/lib/core.js', 'f')).toBe('npm:undici');
    expect(placeOf('file:///w/main/sandbox/arm/server.ts', 'f')).toBe('sandbox/');
    expect(placeOf('file:///w/main/dist/probes/net.js', 'f')).toBe('probes/');
    expect(placeOf('node:internal/tls/wrap', 'f')).toBe('node:');
    expect(placeOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(placeOf('', 'getPeerCertificate')).toBe('(native)');
  });

  it("sums each sample's time into its own function, idle left out, largest first", () => {
    const profile: CpuProfile = {
      nodes: [frame(1, '(root)', ''), frame(2, '(idle)', ''), frame(3, 'parse', 'file:///w/node_modules/yaml/dist/index.js', 9), frame(4, 'grade', 'file:///w/main/core/engine.ts', 41)],
      samples: [3, 2, 4, 3, 3, 2],
      timeDeltas: [1000, 5000, 2000, 1000, 1000, 5000],
      startTime: 0,
      endTime: 15000,
    };
    const t = selfTime(profile);
    expect(t.busyMs).toBe(5);
    expect(t.byPlace).toEqual([
      ['npm:yaml', 3],
      ['core/', 2],
    ]);
    expect(t.byFunction).toEqual([
      ['parse npm:yaml:10', 3],
      ['grade core/:42', 2],
    ]);
    expect(describeSelfTime(t, { per: 2, top: 1 }).split('\n')).toEqual([
      'busy: 5 ms (2.5 ms per student of 2)',
      '',
      'by place:',
      ' 60.0 %        3 ms     1.50 ms/student  npm:yaml',
      '',
      'by function:',
      ' 60.0 %        3 ms     1.50 ms/student  parse npm:yaml:10',
    ]);
  });
});
