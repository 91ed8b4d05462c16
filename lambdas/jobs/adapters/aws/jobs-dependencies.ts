import { awsAlertingContext } from '../../../alerts/adapters/aws/alerting-dependencies.js';
import { lazy } from '../../../shared/lazy.js';
import { awsSloContext } from '../../../slos/adapters/aws/slo-dependencies.js';
import type { JobsContext } from '../../core/jobs.js';

/** The jobs in AWS: alerting and SLOs on the state table and the configured metric store. */
export const awsJobsContext = lazy(
  (): JobsContext => ({ alerting: awsAlertingContext(), slos: awsSloContext() }),
);
