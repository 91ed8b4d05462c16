import { type AlertingContext, pipelineRunner, runAlertRulesJob } from './alerting.js';

/*
 * The scheduled jobs by name, as `POST /api/v1/jobs/{job}/run`, EventBridge Scheduler and the local
 * timers run them: `alert-rules` evaluates the rules and ticks the pipeline (every minute);
 * `alert-pipeline` only ticks it (group flushes, lapses, digests, quiet incidents), for the timers
 * between evaluations.
 */

/** The jobs that can be run. */
export const JOBS = ['alert-rules', 'alert-pipeline'] as const;

/** One job's name. */
export type JobName = (typeof JOBS)[number];

/** Runs a job as of `at` (epoch ms) and answers its report with ISO-8601 times. */
export async function runJob(context: AlertingContext, job: JobName, at: number) {
  const report =
    job === 'alert-rules'
      ? await runAlertRulesJob(context, at)
      : { at, tick: await pipelineRunner(context).tick(at) };
  return { job, ...report, at: new Date(at).toISOString() };
}
