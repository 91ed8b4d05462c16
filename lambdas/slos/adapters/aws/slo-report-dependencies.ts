import { SNSClient } from '@aws-sdk/client-sns';
import type { Severity } from '../../../alerts/core/alert.js';
import { severityTopicsFromEnvironment } from '../../../escalation/adapters/aws/escalation-dependencies.js';
import { SEVERITY_TOPICS_ENV } from '../../../escalation/escalation-names.js';
import { lazy } from '../../../shared/lazy.js';
import { logger } from '../../../shared/logger.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { SloReportPublisher } from '../../ports/slo-report-publisher.js';
import { SnsSloReportPublisher } from './sns-slo-report-publisher.js';

/**
 * The severity topic the weekly report goes to: it asks nothing urgent of anyone, and whoever wants it
 * subscribes there (by email, with the filter policy `{ "kind": ["slo-report"] }` for the report alone).
 */
export const SLO_REPORT_SEVERITY: Severity = 'info';

/**
 * The report's publisher for a function given `severityTopicArns` (the value of `VIGIL_SEVERITY_TOPIC_ARNS`):
 * SNS, to the `info` topic; none when the function was given no severity topics (as alerting without
 * escalation is). Fails, naming the variable, when the topics leave out `info`.
 */
export function sloReportPublisherFor(
  severityTopicArns: string | undefined,
  environment: string,
): SloReportPublisher | undefined {
  if (!severityTopicArns) return undefined;
  const topicArn = severityTopicsFromEnvironment(severityTopicArns)[SLO_REPORT_SEVERITY];
  if (!topicArn) {
    throw new Error(
      `${SEVERITY_TOPICS_ENV} names no ${SLO_REPORT_SEVERITY} topic; expected one, since the weekly SLO report is published there`,
    );
  }
  return new SnsSloReportPublisher({ client: new SNSClient({}), topicArn, environment });
}

/** The weekly report's publisher in AWS, from the function's environment; see {@link sloReportPublisherFor}. */
export const awsSloReportPublisher = lazy((): SloReportPublisher | undefined => {
  const publisher = sloReportPublisherFor(
    process.env[SEVERITY_TOPICS_ENV],
    loadBundledRuntimeConfig().environment,
  );
  if (!publisher) {
    logger.info(
      `${SEVERITY_TOPICS_ENV} is not set: the slo-report job only answers the report from this function`,
    );
  }
  return publisher;
});
