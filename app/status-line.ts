/**
 * A status line (the progress line, `--wait`'s line) shares the terminal with the reports and the
 * notices: everything else that is written during a run clears it first and has it drawn again after,
 * so no report line is glued to the end of it (stdout and stderr are the same terminal).
 */
import type { Reporter, StatusLine } from '../reporters/types.js';
import type { Notices } from './io.js';

const HOOKS = ['onRunStart', 'onStudentStart', 'onCheckResult', 'onStudentEnd', 'onRunEnd'] as const;

export function besideStatusLine(line: StatusLine | undefined, reporters: readonly Reporter[], notices: Notices): { reporters: Reporter[]; notices: Notices } {
  if (!line) return { reporters: [...reporters], notices };
  const around =
    <A extends unknown[], R>(call: (...a: A) => R) =>
    (...a: A): R => {
      line.suspend();
      let result: R;
      try {
        result = call(...a);
      } catch (err) {
        line.resume();
        throw err;
      }
      // An asynchronous hook has written only once it has settled.
      if (result instanceof Promise) return result.finally(() => line.resume()) as R;
      line.resume();
      return result;
    };
  const wrapped = reporters.map((r) => {
    const out: Reporter = {};
    for (const hook of HOOKS) {
      const f = r[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (f) (out as Record<string, unknown>)[hook] = around((...a: unknown[]) => f.apply(r, a));
    }
    return out;
  });
  return {
    reporters: wrapped,
    notices: {
      status: { ...notices.status, write: around((t: string) => notices.status.write(t)), isTTY: notices.status.isTTY, color: notices.status.color },
      warn: around((t: string) => notices.warn(t)),
    },
  };
}
