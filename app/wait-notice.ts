/**
 * What `--wait` waits for: the checks still failing and polled again, with the time left. For one
 * student each check with what it found; for a class, each check with how many students. In a log
 * (no terminal, or a terminal the progress line already holds) a line at most once per poll round and
 * only when that set changed (a quiet minute is not news); on a terminal one line redrawn in place that
 * steps aside while a report writes, so it never lands between a student's name and their checks.
 */
import type { ClassRunListener } from '../core/class-run.js';
import { oneLine, safeText } from '../reporters/text.js';
import type { StatusLine } from '../reporters/types.js';
import type { Notices } from './io.js';

export interface WaitNoticeOptions {
  intervalMs: number;
  budgetMs: number;
  students: number;
  now?: () => number;
  /** Redraw one line in place (a terminal no other status line holds) rather than write a line per change. */
  inPlace?: boolean;
}

const CLEAR_LINE = '\r\x1b[K';
const DEFAULT_COLUMNS = 80;

const MAX_SHOWN = 6;

export class WaitNotice implements StatusLine {
  /** `user\0check` → what the check found last. */
  private readonly polled = new Map<string, string>();
  private lastSaid = '';
  /** In place: the line is on the terminal now. */
  private drawn = false;
  /** In place: something else is being written to the terminal. */
  private suspended = 0;
  private readonly startedAt: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly notices: Notices,
    private readonly o: WaitNoticeOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.timer = setInterval(() => this.flush(), o.intervalMs);
    this.timer.unref();
  }

  /** A check failed in a way waiting can change, and will be tried again. */
  polling(user: string, id: string, message: string): void {
    this.polled.set(`${user}\0${id}`, message);
  }

  /** A check is decided (passed, or its wait is over). */
  settled(user: string, id: string): void {
    this.polled.delete(`${user}\0${id}`);
  }

  /** The run's listener, telling this notice too when a check is decided and when a student is done. */
  hearing(listener: ClassRunListener): ClassRunListener {
    return {
      ...listener,
      onCheckResult: (user, result) => {
        this.settled(user, result.id);
        return listener.onCheckResult?.(user, result);
      },
      onStudentEnd: (student) => {
        this.studentDone(student.user);
        return listener.onStudentEnd?.(student);
      },
    };
  }

  /** A student is done: nothing of theirs is polled any more (checks pulled in by --only included). */
  studentDone(user: string): void {
    for (const key of this.polled.keys()) if (key.startsWith(`${user}\0`)) this.polled.delete(key);
  }

  /** No more polling: the line in place is cleared (the report that follows says how it ended). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.polled.clear();
    this.clear();
  }

  /** Says what is still polled: in place every poll round, else when it changed since it was last said. */
  flush(): void {
    if (this.o.inPlace) return this.draw();
    const text = this.describe();
    if (!text || text === this.lastSaid) return;
    this.lastSaid = text;
    this.notices.status.write(`${this.line(text)}\n`);
  }

  suspend(): void {
    this.suspended++;
    this.clear();
  }

  resume(): void {
    this.suspended = Math.max(0, this.suspended - 1);
    this.draw();
  }

  private draw(): void {
    if (!this.o.inPlace || this.suspended > 0) return;
    const text = this.describe();
    if (!text) return this.clear();
    // Cut to the terminal's width: a line that wrapped could not be cleared in place.
    const room = (this.notices.status.columns || DEFAULT_COLUMNS) - 1;
    const line = this.line(text);
    this.notices.status.write(CLEAR_LINE + (line.length > room ? `${line.slice(0, room - 1)}…` : line));
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.notices.status.write(CLEAR_LINE);
    this.drawn = false;
  }

  private line(text: string): string {
    const left = Math.max(0, Math.round((this.o.budgetMs - (this.now() - this.startedAt)) / 1000));
    return `--wait: ${text} (checking again every ${Math.round(this.o.intervalMs / 100) / 10} s, up to ${left} s more)`;
  }

  private describe(): string {
    if (this.polled.size === 0) return '';
    const entries = [...this.polled].map(([key, message]) => ({ user: key.split('\0')[0], id: key.split('\0')[1], message }));
    if (this.o.students <= 1) {
      const shown = entries.slice(0, MAX_SHOWN).map((e) => `${e.id} (${safeText(oneLine(e.message), 120)})`);
      const more = entries.length > MAX_SHOWN ? `, and ${entries.length - MAX_SHOWN} more` : '';
      return `still failing, waiting for ${shown.join('; ')}${more}`;
    }
    const byCheck = new Map<string, Set<string>>();
    for (const e of entries) byCheck.set(e.id, (byCheck.get(e.id) ?? new Set()).add(e.user));
    const users = new Set(entries.map((e) => e.user)).size;
    const shown = [...byCheck].slice(0, MAX_SHOWN).map(([id, who]) => `${id} (${who.size === 1 ? oneLine([...who][0]) : `${who.size} students`})`);
    const more = byCheck.size > MAX_SHOWN ? `, and ${byCheck.size - MAX_SHOWN} more` : '';
    return `still failing for ${users} ${users === 1 ? 'student' : 'students'}, waiting for ${shown.join(', ')}${more}`;
  }
}
