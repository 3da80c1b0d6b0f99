/**
 * `--watch`: one run, then the next after --interval seconds (or at once when Enter is pressed),
 * never two at a time, so a watching student costs one single-snapshot grading per interval. On a
 * terminal each frame is redrawn in place. Ctrl-C stops after the run in progress has closed its
 * probes (exit 0); a second Ctrl-C quits at once.
 */
import type { ReporterOutput } from '../../reporters/types.js';

export interface WatchOptions {
  intervalMs: number;
  output: ReporterOutput;
  /** Enter here re-checks now (a terminal's stdin). */
  input?: NodeJS.ReadStream;
  /** One grading, rendered as a frame. */
  run(): Promise<string>;
  /** Tests stop the loop without a signal. */
  signal?: AbortSignal;
}

const HOME_AND_CLEAR = '\x1b[H\x1b[2J';
const EXIT_INTERRUPTED = 130;

export async function watch(o: WatchOptions): Promise<number> {
  const stop = new AbortController();
  o.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const enter = new EnterKey(o.input);
  try {
    let first = true;
    while (!stop.signal.aborted) {
      const started = Date.now();
      if (!first && o.output.isTTY) o.output.write('\r\x1b[2Kchecking…');
      const frame = await o.run();
      if (stop.signal.aborted) break;
      o.output.write(o.output.isTTY ? HOME_AND_CLEAR + frame : (first ? '' : '\n') + frame);
      first = false;
      await enter.next(started + o.intervalMs - Date.now(), stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    enter.close();
  }
  o.output.write('\nStopped watching.\n');
  return 0;
}

/** Enter pressed while a run is in progress is remembered: the next run starts as soon as it ends. */
class EnterKey {
  private pressed = false;
  private wake?: () => void;
  private readonly onData = (chunk: string | Buffer) => {
    if (!/[\r\n]/.test(String(chunk))) return;
    this.pressed = true;
    this.wake?.();
  };

  constructor(private readonly input?: NodeJS.ReadStream) {
    input?.setEncoding('utf8');
    input?.on('data', this.onData);
    input?.resume();
  }

  next(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        this.pressed = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
      if (this.pressed || signal.aborted) done();
    });
  }

  close(): void {
    this.input?.off('data', this.onData);
    this.input?.pause(); // a paused stdin no longer keeps the process alive
  }
}
