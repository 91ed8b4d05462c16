import middy from '@middy/core';
import { parseJobRun } from '../../alerts/core/alert-api-params.js';
import { notFound } from '../../shared/http/errors.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { awsJobsContext } from '../adapters/aws/jobs-dependencies.js';
import { isJobName, JOBS, type JobsContext, runJob } from '../core/jobs.js';

/**
 * Builds `POST /api/v1/jobs/{job}/run` (admin): runs a scheduled job now, or as of `{ "at": "<ISO>" }`
 * (tests and backtests), and answers its report.
 */
export function createJobsHandler(dependencies: () => JobsContext) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const job = event.pathParameters?.job ?? '';
    if (!isJobName(job)) throw notFound(`no job "${job}"; the jobs are ${JOBS.join(', ')}`);
    const context = dependencies();
    const at = parseJobRun(event.jsonBody, context.alerting.now());
    return json(200, await runJob(context, job, at));
  }).use(httpRoute({ scope: 'admin', jsonBody: 'optional' }));
}

/** The Lambda entry point. */
export const handler = createJobsHandler(awsJobsContext);
