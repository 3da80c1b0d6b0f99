import { readAsset } from './assets.js';

/** The grader's version, from package.json (reported in every result). */
export const VERSION: string = (JSON.parse(readAsset('package.json')) as { version: string }).version;
