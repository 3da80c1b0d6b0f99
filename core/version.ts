import { readFileSync } from 'node:fs';
import { packagePath } from './paths.js';

/** The grader's version, from package.json (reported in every result). */
export const VERSION: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
