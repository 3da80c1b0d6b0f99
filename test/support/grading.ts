/** The grading application as tests drive it: a loaded class config, reports in memory unless named. */
import type { ClassRunRequest } from '../../app/class-plan.js';
import type { GradeOutcome, RuntimeOverrides } from '../../app/grading.js';
import { NO_NOTICES, type Notices } from '../../app/io.js';
import { gradeAndReport } from '../../app/report-run.js';
import type { ReportSpec } from '../../app/reports.js';
import type { ClassConfig } from '../../core/config.js';
import type { LabProfile } from '../../core/profile.js';
import { bufferOutput } from '../../reporters/replay.js';
import type { ReporterOutput } from '../../reporters/types.js';

export interface TestGrading {
  users?: string[];
  only?: string[];
  /** Default: the config's profile. */
  profile?: LabProfile;
  concurrency?: number;
  waitSeconds?: number;
  studentTimeoutSeconds?: number;
  allowDisruptive?: boolean;
  /** Default: JSON on the (in-memory) stdout. */
  reports?: ReportSpec[];
  classRun?: ClassRunRequest;
  runtime?: RuntimeOverrides;
  stdout?: ReporterOutput;
  notices?: Notices;
}

export function gradeConfig(config: ClassConfig, o: TestGrading = {}): Promise<GradeOutcome> {
  return gradeAndReport(
    config,
    {
      users: o.users,
      only: o.only,
      profile: o.profile,
      concurrency: o.concurrency,
      waitSeconds: o.waitSeconds,
      studentTimeoutSeconds: o.studentTimeoutSeconds,
      allowDisruptive: o.allowDisruptive,
      reports: o.reports ?? [{ format: 'json' }],
      classRun: o.classRun,
      runtime: o.runtime,
    },
    { stdout: o.stdout ?? bufferOutput(), notices: o.notices ?? NO_NOTICES },
  );
}

/** A class run's options as the command line's defaults make them (no journal unless named). */
export const classRun = (over: Partial<ClassRunRequest> = {}): ClassRunRequest => ({ preflight: true, progress: false, journal: { auto: false }, ...over });
