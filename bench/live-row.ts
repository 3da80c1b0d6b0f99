/**
 * One live workshop measured in a fresh process (argv: students latency concurrency interval rounds),
 * printed as JSON on the last line. Run with --expose-gc, so the heap after each round is what stays.
 */
import { capHeapGrowth } from '../app/heap.js';
import { measureLive } from './live.js';

const [students, latencyMs, concurrency, intervalSeconds, rounds] = process.argv.slice(2).map(Number);
// As `lab-grade live` does.
capHeapGrowth();
const measurement = await measureLive({ students, latencyMs, concurrency, intervalSeconds, rounds });
process.stdout.write(`${JSON.stringify(measurement)}\n`);
