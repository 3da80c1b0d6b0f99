/**
 * Paths the VM probes read: always relative to the lab user's home, never absolute, never climbing
 * out with "..". Checks pass fixed paths from the lab profile; the guard makes sure that stays true.
 */
import { posix } from 'node:path';
import { ProbeError } from '../types.js';

export function homeRelativePath(path: string): string {
  const refuse = (why: string): never => {
    throw new ProbeError('vm', `refused to read ${JSON.stringify(path)}: ${why}`);
  };
  if (typeof path !== 'string' || path.trim() === '') refuse('empty path');
  if (path.includes('\0')) refuse('NUL byte in path');
  if (path.startsWith('/') || path.startsWith('~') || path.includes('\\')) refuse('only paths relative to the home folder are read');
  if (path.split('/').includes('..')) refuse('".." is not allowed');
  const normal = posix.normalize(path).replace(/\/+$/, '');
  return normal === '' ? '.' : normal;
}
