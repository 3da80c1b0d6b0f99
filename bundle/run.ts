/** `npm run bundle`: builds dist/lab-grade.mjs and says how large it is. */
import { relative } from 'node:path';
import { buildBundle } from './bundle.js';

const started = performance.now();
const built = await buildBundle();
const mb = (built.bytes / 1024 / 1024).toFixed(2);
process.stdout.write(`${relative(process.cwd(), built.file)}: ${mb} MB, ${built.packages} packages inside, built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
