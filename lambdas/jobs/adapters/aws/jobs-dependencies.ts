import { awsAlertingContext } from '../../../alerts/adapters/aws/alerting-dependencies.js';
import { lazy } from '../../../shared/lazy.js';
import { awsSloContext } from '../../../slos/adapters/aws/slo-dependencies.js';
import { awsSloReportPublisher } from '../../../slos/adapters/aws/slo-report-dependencies.js';
import type { JobsContext } from '../../core/jobs.js';

/**
 * The jobs in AWS: alerting and SLOs on the state table and the configured metric store, and the weekly SLO
 * report published to the `info` severity topic (only the job functions publish it: the SLO API serves it
 * on request).
 */
export const awsJobsContext = lazy(
  (): JobsContext => ({
    alerting: awsAlertingContext(),
    slos: { ...awsSloContext(), reportPublisher: awsSloReportPublisher() },
  }),
);
