import { buildIfStale } from './support/build.js';
import { ensureSystemTools } from './support/system.js';

export default function setup(): void {
  ensureSystemTools();
  buildIfStale();
}
