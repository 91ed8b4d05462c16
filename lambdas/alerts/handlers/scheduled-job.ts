import type { Context } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import { awsAlertingContext } from '../adapters/aws/alerting-dependencies.js';
import type { AlertingContext } from '../core/alerting.js';
import { JOBS, type JobName, runJob } from '../core/jobs.js';

/**
 * What EventBridge Scheduler sends: the job and the time it was scheduled for (the schedule's input uses
 * `<aws.scheduler.scheduled-time>`), so a delayed or retried invocation evaluates the minute it was meant for.
 */
export interface ScheduledJobEvent {
  readonly job: string;
  readonly scheduledTime?: string;
}

/** Builds the scheduled-job entry point: runs the job as of its scheduled time and logs its report. */
export function createScheduledJobHandler(dependencies: () => AlertingContext) {
  return async (event: ScheduledJobEvent, _context?: Context) => {
    if (!(JOBS as readonly string[]).includes(event.job)) {
      throw new ValidationError(`no job "${event.job}"; the jobs are ${JOBS.join(', ')}`);
    }
    const context = dependencies();
    const at = event.scheduledTime
      ? parseTime(event.scheduledTime, context.now(), 'scheduledTime')
      : context.now();
    const report = await runJob(context, event.job as JobName, at);
    logger.info('job finished', { report });
    return report;
  };
}

/** The Lambda entry point. */
export const handler = createScheduledJobHandler(awsAlertingContext);
