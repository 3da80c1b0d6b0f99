/**
 * What the default command (`lab-grade` with no command) does: a class run when a class is named
 * (--config, --user) or a class config is in the folder, else a self-check of the student running it.
 * Deciding needs the file system, so it is the application's, not the command line parser's.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';

/** The class config the default command reads when none is named. */
export const DEFAULT_CLASS_CONFIG = 'lab-grade.yaml';

/** The default command as parsed: whether a class was named, and the self-check-only options given (as their flags). */
export interface DefaultCommandRequest {
  classNamed: boolean;
  selfCheckFlags: readonly string[];
}

/** Whether the default command grades this student only; self-check options with a class are a usage error naming the first. */
export function isSelfCheck(request: DefaultCommandRequest, cwd = process.cwd()): boolean {
  const selfCheck = !request.classNamed && !existsSync(resolve(cwd, DEFAULT_CLASS_CONFIG));
  const [used] = request.selfCheckFlags;
  if (!selfCheck && used) throw new ConfigError(`is for a self-check (no --config, no --user and no ${DEFAULT_CLASS_CONFIG} in this folder)`, undefined, used);
  return selfCheck;
}
