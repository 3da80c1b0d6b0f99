/**
 * Which students a run grades and where it journals them, decided before anything is contacted:
 * `--user`, `--shard`, `--resume` / `--rerun-incomplete` (`--regrade`), `--journal` / `--no-journal`.
 * Pure data: the journal itself is read under its lock (core/journal.ts), then `resumeFrom` applies it.
 */
import { targetsFor, type ClassConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { defaultJournalPath, planResume, type JournalContents } from '../core/journal.js';
import type { StudentResult } from '../core/model.js';
import { inShard, type Shard } from '../core/shard.js';
import type { Target } from '../core/target.js';

export interface ClassRunRequest {
  /** Check who is reachable before grading more than one student. */
  preflight: boolean;
  /** Progress on the notices while grading more than one student. */
  progress: boolean;
  /** --journal FILE; `auto`: a class run journals to .lab-grade/ unless --no-journal. */
  journal: { file?: string; auto: boolean };
  /** --resume FILE (`unfinished`) or --rerun-incomplete FILE (`incomplete`). */
  resume?: { file: string; only: 'unfinished' | 'incomplete' };
  /** --regrade: the resumed journal's results are not reused, even if graded under other rules. */
  regrade?: boolean;
  shard?: Shard;
}

export interface ClassPlan {
  /** Everyone this run is about (before a resume settles some of them). */
  targets: Target[];
  /** Where this run journals, if it does. */
  journal?: { file: string; chosen: boolean; resume?: { only: 'unfinished' | 'incomplete'; regrade: boolean } };
}

export function planClass(config: ClassConfig, users: readonly string[], run: ClassRunRequest | undefined): ClassPlan {
  const targets = inShard(targetsFor(config, users), run?.shard);
  if (!run) return { targets };
  const resume = run.resume;
  if (resume && run.journal.file && run.journal.file !== resume.file) {
    throw new ConfigError('--resume and --rerun-incomplete append to their own journal: drop --journal', undefined, '--journal');
  }
  if (run.regrade && !resume) throw new ConfigError('grades again the students of a journal: use it with --resume FILE or --rerun-incomplete FILE', undefined, '--regrade');
  const chosen = resume?.file ?? run.journal.file;
  const file = chosen ?? (run.journal.auto && targets.length > 1 ? defaultJournalPath({ shard: run.shard }) : undefined);
  if (!file) return { targets };
  return { targets, journal: { file, chosen: chosen !== undefined, ...(resume ? { resume: { only: resume.only, regrade: !!run.regrade } } : {}) } };
}

export interface ResumedClass {
  /** The students of this run, in roster order, settled ones included. */
  targets: readonly Target[];
  /** Results taken from the journal: reported, not graded again. */
  settled: Map<string, StudentResult>;
}

/** The plan once its journal is read: who is settled already, who is graded now. */
export function resumeFrom(plan: ClassPlan, journal: JournalContents | undefined): ResumedClass {
  const resume = plan.journal?.resume;
  if (!resume || !journal) return { targets: plan.targets, settled: new Map() };
  return planResume(journal, plan.targets, { onlyJournaled: resume.only === 'incomplete', regrade: resume.regrade });
}
