/**
 * What `--wait` waits for: the checks still failing and polled again, said at most once per poll
 * round and only when that set changed (a quiet minute is not news), with the time left. For one
 * student each check with what it found; for a class, each check with how many students.
 */
import type { ClassRunListener } from '../core/class-run.js';
import { oneLine, safeText } from '../reporters/text.js';
import type { Notices } from './io.js';

export interface WaitNoticeOptions {
  intervalMs: number;
  budgetMs: number;
  students: number;
  now?: () => number;
}

const MAX_SHOWN = 6;

export class WaitNotice {
  /** `user\0check` → what the check found last. */
  private readonly polled = new Map<string, string>();
  private lastSaid = '';
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

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Says what is still polled, when it changed since it was last said. Called once per poll round. */
  flush(): void {
    const text = this.describe();
    if (!text || text === this.lastSaid) return;
    this.lastSaid = text;
    const left = Math.max(0, Math.round((this.o.budgetMs - (this.now() - this.startedAt)) / 1000));
    this.notices.status.write(`--wait: ${text} (checking again every ${Math.round(this.o.intervalMs / 100) / 10} s, up to ${left} s more)\n`);
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
