/**
 * Prints where a process spent its CPU, from a profile `node --cpu-prof` wrote (the benchmark's
 * `measureClass({ cpuProfileDir })` writes one for the grader and one for the simulated lab):
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--per N]   (--per N: also ms per student of N)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeSelfTime, selfTime, type CpuProfile } from './cpu-profile.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { per: { type: 'string' }, top: { type: 'string', default: '15' } } });
if (positionals.length !== 1) throw new Error('usage: bench/profile-summary.ts FILE.cpuprofile [--per N] [--top N]');
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
process.stdout.write(describeSelfTime(selfTime(profile), { top: Number(values.top), ...(values.per ? { per: Number(values.per) } : {}) }) + '\n');
