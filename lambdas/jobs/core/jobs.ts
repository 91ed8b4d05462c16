import { type AlertingContext, pipelineRunner, runAlertRulesJob } from '../../alerts/core/alerting.js';
import { runSloJob, runSloReportJob, type SloContext } from '../../slos/core/slos.js';

/*
 * The scheduled jobs by name, as `POST /api/v1/jobs/{job}/run`, EventBridge Scheduler and the local
 * timers run them:
 * - `alert-rules` (every minute) evaluates the alert rules and ticks the alert pipeline;
 * - `alert-pipeline` only ticks it (group flushes, lapses, digests, quiet incidents), for timers between
 *   evaluations;
 * - `slo` (every 5 minutes) evaluates every SLO and runs its burn-rate alerts through the pipeline;
 * - `slo-report` (weekly) builds the SLO report of the week ending now and publishes it, when the SLO
 *   context has a report publisher.
 */

/** The jobs that can be run. */
export const JOBS = ['alert-rules', 'alert-pipeline', 'slo', 'slo-report'] as const;

/** One job's name. */
export type JobName = (typeof JOBS)[number];

/** What the jobs need: the alerting and SLO contexts. */
export interface JobsContext {
  readonly alerting: AlertingContext;
  readonly slos: SloContext;
}

/** Whether a name is a job's. */
export function isJobName(name: string): name is JobName {
  return (JOBS as readonly string[]).includes(name);
}

async function run(context: JobsContext, job: JobName, at: number) {
  switch (job) {
    case 'alert-rules':
      return runAlertRulesJob(context.alerting, at);
    case 'alert-pipeline':
      return { tick: await pipelineRunner(context.alerting).tick(at) };
    case 'slo':
      return runSloJob(context.slos, context.alerting, at);
    case 'slo-report':
      return runSloReportJob(context.slos, at);
  }
}

/** Runs a job as of `at` (epoch ms) and answers its report with the time as ISO-8601. */
export async function runJob(context: JobsContext, job: JobName, at: number) {
  return { job, ...(await run(context, job, at)), at: new Date(at).toISOString() };
}
