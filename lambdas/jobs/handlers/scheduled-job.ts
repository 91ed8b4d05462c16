import type { Context } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import { awsJobsContext } from '../adapters/aws/jobs-dependencies.js';
import { isJobName, JOBS, type JobsContext, runJob } from '../core/jobs.js';

/**
 * What EventBridge Scheduler sends: the job and the time it was scheduled for (the schedule's input uses
 * `<aws.scheduler.scheduled-time>`), so a delayed or retried invocation evaluates the minute it was meant for.
 */
export interface ScheduledJobEvent {
  readonly job: string;
  readonly scheduledTime?: string;
}

/** Builds the scheduled-job entry point: runs the job as of its scheduled time and logs its report. */
export function createScheduledJobHandler(dependencies: () => JobsContext) {
  return async (event: ScheduledJobEvent, _context?: Context) => {
    if (!isJobName(event.job)) {
      throw new ValidationError(`no job "${event.job}"; the jobs are ${JOBS.join(', ')}`);
    }
    const context = dependencies();
    const now = context.alerting.now();
    const at = event.scheduledTime ? parseTime(event.scheduledTime, now, 'scheduledTime') : now;
    const report = await runJob(context, event.job, at);
    logger.info('job finished', { report });
    return report;
  };
}

/** The Lambda entry point. */
export const handler = createScheduledJobHandler(awsJobsContext);
