import { logger } from '../../shared/logger.js';
import { awsAlertingContext } from '../adapters/aws/alerting-dependencies.js';
import { type AlertingContext, receiveAlerts } from '../core/alerting.js';
import { alertFromAlarmStateChange } from '../core/cloudwatch-alarm.js';

/**
 * Builds the target of the EventBridge rule on `CloudWatch Alarm State Change`: the alarm becomes an alert
 * (ALARM fires, OK resolves; INSUFFICIENT_DATA is left alone) and goes through the pipeline. An error is
 * thrown back so EventBridge retries the delivery.
 */
export function createCloudWatchAlarmHandler(dependencies: () => AlertingContext) {
  return async (event: unknown) => {
    const alert = alertFromAlarmStateChange(event);
    if (!alert) return { received: 0 };
    const summary = await receiveAlerts(dependencies(), [alert]);
    logger.info('alarm state change received', { alert: alert.name, decisions: summary.decisions });
    return { received: 1, decisions: summary.decisions };
  };
}

/** The Lambda entry point. */
export const handler = createCloudWatchAlarmHandler(awsAlertingContext);
