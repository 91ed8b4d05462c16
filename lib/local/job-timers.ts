import { type JobName, type JobsContext, runJob } from '../../lambdas/jobs/core/jobs.js';

/** How often each job runs, as in the cloud: rules every minute, SLOs every 5 minutes, the report weekly. */
export const LOCAL_JOB_INTERVALS_MS: Readonly<Record<JobName, number>> = {
  'alert-rules': 60_000,
  // Between evaluations, so a group's 30 s wait is kept to within 10 s rather than a minute.
  'alert-pipeline': 10_000,
  slo: 5 * 60_000,
  'slo-report': 7 * 86_400_000,
};

// The shortest interval a scaled job runs at: evaluating more often than this only loads the stores.
const MIN_INTERVAL_MS = 1_000;

/** What the local job timers need. */
export interface JobTimersProps {
  readonly context: () => JobsContext;
  /** Where a failed run is reported (the run is tried again at the next interval). */
  readonly onError: (job: JobName, error: unknown) => void;
  /** Multiplies every interval (`VIGIL_TIME_SCALE`), down to a run a second at most. @default 1 */
  readonly timeScale?: number;
}

/**
 * The local stand-in for EventBridge Scheduler: runs each job at its interval, one run of a job at a time
 * (a slow run is not overlapped by the next), and stops cleanly, waiting for runs in progress.
 */
export class JobTimers {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<JobName, Promise<void>>();

  constructor(private readonly props: JobTimersProps) {
    const scale = props.timeScale ?? 1;
    for (const [job, intervalMs] of Object.entries(LOCAL_JOB_INTERVALS_MS) as [JobName, number][]) {
      this.timers.push(setInterval(() => this.run(job), Math.max(intervalMs * scale, MIN_INTERVAL_MS)));
    }
  }

  private run(job: JobName): void {
    if (this.running.has(job)) return;
    const context = this.props.context();
    const run = runJob(context, job, context.alerting.now())
      .then(
        () => undefined,
        (error: unknown) => this.props.onError(job, error),
      )
      .finally(() => this.running.delete(job));
    this.running.set(job, run);
  }

  /** Stops the timers and waits for the runs in progress. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.running.values());
  }
}
