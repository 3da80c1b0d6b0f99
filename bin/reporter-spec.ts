/** `--reporter NAME[=FILE]`: which reporters to run and where each writes (stdout or a file). */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { REPORTERS } from '../reporters/index.js';
import type { Reporter, ReporterOutput } from '../reporters/types.js';

export interface OpenReporters {
  reporters: Reporter[];
  close(): void;
}

export function stdoutOutput(stream: NodeJS.WriteStream = process.stdout): ReporterOutput {
  const isTTY = !!stream.isTTY;
  return { write: (t) => void stream.write(t), isTTY, color: isTTY && !process.env.NO_COLOR };
}

export function openReporters(specs: readonly string[], opts: { verbose: boolean; stdout?: ReporterOutput }): OpenReporters {
  const fds: number[] = [];
  const reporters: Reporter[] = [];
  try {
    for (const spec of specs.length ? specs : ['console']) {
      const eq = spec.indexOf('=');
      const name = eq < 0 ? spec : spec.slice(0, eq);
      const file = eq < 0 ? undefined : spec.slice(eq + 1);
      const factory = REPORTERS[name];
      if (!factory) throw new ConfigError(`unknown reporter ${JSON.stringify(name)}; available: ${Object.keys(REPORTERS).join(', ')}`, undefined, '--reporter');
      let output = opts.stdout ?? stdoutOutput();
      if (file !== undefined) {
        if (!file) throw new ConfigError(`expected NAME=FILE, got ${JSON.stringify(spec)}`, undefined, '--reporter');
        let fd: number;
        try {
          fd = openSync(file, 'w');
        } catch (err) {
          throw new ConfigError(`cannot write the output file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, undefined, '--reporter');
        }
        fds.push(fd);
        output = { write: (t) => void writeSync(fd, t), isTTY: false, color: false };
      }
      reporters.push(factory({ output, verbose: opts.verbose }));
    }
  } catch (err) {
    fds.forEach((fd) => closeSync(fd));
    throw err;
  }
  return { reporters, close: () => fds.forEach((fd) => closeSync(fd)) };
}
