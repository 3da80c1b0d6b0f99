/** The heap cap of class runs keeps the heap smaller under the same garbage, in a process of its own. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWTH_FLAGS } from './heap.js';

/** A class run in miniature: much garbage per round, a little kept (results), the largest heap seen. */
const CHURN = `
const flags = process.argv[1];
if (flags) require('node:v8').setFlagsFromString(flags);
const kept = [];
let peak = 0;
for (let round = 0; round < 200; round++) {
  const garbage = [];
  for (let i = 0; i < 20000; i++) garbage.push({ text: 'x'.repeat(50) + i, pair: [i, i + 1] });
  kept.push(garbage.slice(0, 1000));
  if (kept.length > 40) kept.shift();
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(String(peak));`;

const peakHeap = (flags: string) => Number(spawnSync(process.execPath, ['-e', CHURN, flags], { encoding: 'utf8' }).stdout);

describe('capHeapGrowth', () => {
  it('keeps the heap at least 15 % smaller than V8 lets it grow by default', () => {
    const [uncapped, capped] = [peakHeap(''), peakHeap(HEAP_GROWTH_FLAGS)];
    expect(uncapped).toBeGreaterThan(0);
    expect(capped).toBeLessThan(uncapped * 0.85);
  });
});
