import middy from '@middy/core';
import { notFound } from '../../shared/http/errors.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { awsAlertingContext } from '../adapters/aws/alerting-dependencies.js';
import { parseJobRun } from '../core/alert-api-params.js';
import type { AlertingContext } from '../core/alerting.js';
import { JOBS, type JobName, runJob } from '../core/jobs.js';

/**
 * Builds `POST /api/v1/jobs/{job}/run` (admin): runs a scheduled job now, or as of `{ "at": "<ISO>" }`
 * (tests and backtests), and answers its report.
 */
export function createJobsHandler(dependencies: () => AlertingContext) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const job = event.pathParameters?.job ?? '';
    if (!(JOBS as readonly string[]).includes(job)) {
      throw notFound(`no job "${job}"; the jobs are ${JOBS.join(', ')}`);
    }
    const context = dependencies();
    const at = parseJobRun(event.jsonBody, context.now());
    return json(200, await runJob(context, job as JobName, at));
  }).use(httpRoute({ scope: 'admin', jsonBody: 'optional' }));
}

/** The Lambda entry point. */
export const handler = createJobsHandler(awsAlertingContext);
