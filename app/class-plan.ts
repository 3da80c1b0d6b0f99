/**
 * Which students a run grades and where it journals them, decided before anything is contacted:
 * `--user`, `--shard`, `--resume` / `--rerun-incomplete`, `--journal` / `--no-journal`. Pure data.
 */
import { targetsFor, type ClassConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { defaultJournalPath, planResume } from '../core/journal.js';
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
  shard?: Shard;
}

export interface ClassPlan {
  targets: Target[];
  /** Results taken from the resumed journal: reported, not graded again. */
  settled: Map<string, StudentResult>;
  /** Where this run journals, if it does. */
  journal?: { file: string; chosen: boolean; resumed: boolean };
  warnings: string[];
}

export function planClass(config: ClassConfig, users: readonly string[], lab: string, run: ClassRunRequest | undefined): ClassPlan {
  let targets = inShard(targetsFor(config, users), run?.shard);
  if (!run) return { targets, settled: new Map(), warnings: [] };
  const resume = run.resume;
  if (resume && run.journal.file && run.journal.file !== resume.file) {
    throw new ConfigError('--resume and --rerun-incomplete append to their own journal: drop --journal', undefined, '--journal');
  }
  let settled = new Map<string, StudentResult>();
  const warnings: string[] = [];
  if (resume) {
    const plan = planResume(resume.file, targets, { lab, onlyJournaled: resume.only === 'incomplete' });
    warnings.push(...plan.warnings);
    targets = [...plan.targets];
    settled = plan.settled;
  }
  const chosen = resume?.file ?? run.journal.file;
  const file = chosen ?? (run.journal.auto && targets.length > 1 ? defaultJournalPath() : undefined);
  return { targets, settled, warnings, ...(file ? { journal: { file, chosen: chosen !== undefined, resumed: !!resume } } : {}) };
}
