/**
 * What starting a process costs the process that starts it, as its memory grows: the simulated lab
 * starts a real `bash` for every SSH command of every student, and forking copies the parent's page
 * tables, so a lab holding a larger class pays more for each.
 *   node --max-old-space-size=4000 --import tsx bench/spawn-cost.ts MB [SPAWNS]
 * holds about MB of buffers and small objects, then times SPAWNS (200) sequential `bash -c true`.
 */
import { spawn } from 'node:child_process';

const mb = Number(process.argv[2] ?? 0);
const spawns = Number(process.argv[3] ?? 200);
const held: unknown[] = [];
for (let i = 0; i < mb; i++) held.push(Buffer.alloc(1024 * 1024, 1));
for (let i = 0; i < mb * 2000; i++) held.push({ i, text: `x${i}` });

const once = () => new Promise((resolve) => spawn('/bin/bash', ['-c', 'true'], { stdio: 'ignore' }).once('close', resolve));
for (let i = 0; i < 10; i++) await once();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < spawns; i++) await once();
const cpu = process.cpuUsage(cpu0);
const rssMb = process.memoryUsage().rss / 1024 / 1024;
process.stdout.write(
  `${mb} MB held, RSS ${rssMb.toFixed(0)} MB: ${((cpu.user + cpu.system) / 1000 / spawns).toFixed(2)} ms of this process's CPU per spawn, ${((performance.now() - t0) / spawns).toFixed(2)} ms wall (${held.length} objects held)\n`,
);
