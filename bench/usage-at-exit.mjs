// Loaded with `node --import` into the lab-grade command the benchmark runs: when the process exits,
// its peak resident memory and CPU time (getrusage) go to $LAB_GRADE_USAGE_FILE as JSON. Plain
// JavaScript, so the measured process runs the built CLI exactly as a user does, with no TypeScript loader.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.LAB_GRADE_USAGE_FILE;
if (file) {
  process.once('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
