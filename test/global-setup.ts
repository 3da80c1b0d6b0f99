import { ensureSystemTools } from './support/system.js';

export default function setup(): void {
  ensureSystemTools();
}
