import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { IngestDashboard } from '../../dashboards/ingest-dashboard.js';
import { DASHBOARD_METRICS } from '../../lambdas/metrics/metric-store-names.js';
import { metricNamespace } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { OpsAlarms } from '../constructs/ops-alarms.js';

/** Properties of the {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /** The environment being watched. */
  readonly environment: EnvironmentConfig;

  /** The key that encrypts the ops topic. */
  readonly key: IKey;

  /** The ingest HTTP API. */
  readonly api: IHttpApi;

  /** The functions whose errors and throttles alarm, by their role. */
  readonly functions: Readonly<Record<string, IFunction>>;

  /** The retry queue, which must keep draining. */
  readonly retryQueue: IQueue;

  /** The retry queue's dead-letter queue, which must stay empty. */
  readonly deadLetterQueue: IQueue;
}

/**
 * Vigil watching itself: the ops topic (with the config's email subscriptions), alarms on what would lose
 * or delay data (function errors and throttles, API 5xx, dead letters, a retry queue that stops draining,
 * records Timestream rejected), and the ingest dashboard. It is apart from the ingest stack so that
 * alarms and dashboards, which change often, deploy without touching the compute.
 */
export class MonitoringStack extends Stack {
  /** The topic platform alarms notify. */
  readonly opsTopic: ITopic;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    const { environment, key, api, functions, retryQueue, deadLetterQueue, ...stackProps } = props;
    super(scope, id, stackProps);
    const namespace = metricNamespace(environment);

    const topic = new Topic(this, 'OpsTopic', {
      displayName: `Vigil ${environment.name} platform alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of environment.alarmEmails) topic.addSubscription(new EmailSubscription(email));
    this.opsTopic = topic;

    const alarms = new OpsAlarms(this, 'Alarms', { topic, alarmNamePrefix: `Vigil-${environment.name}` });
    const period = OpsAlarms.PERIOD;
    for (const [name, fn] of Object.entries(functions)) {
      alarms.add(`${name}Errors`, {
        metric: fn.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        description: `The ${name} function failed (unhandled error or timeout); see its log group and X-Ray traces.`,
      });
      alarms.add(`${name}Throttles`, {
        metric: fn.metricThrottles({ period, statistic: 'Sum' }),
        threshold: 1,
        description: `The ${name} function was throttled; raise the account's Lambda concurrency or reserve some.`,
      });
    }
    alarms.add('Api5xx', {
      metric: api.metricServerError({ period, statistic: 'Sum' }),
      threshold: 5,
      description: 'The API answered 5xx at least 5 times in 5 minutes; see the API access logs.',
    });
    alarms.add('DeadLetters', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        'Spilled batches failed replay and sit in the dead-letter queue; fix the cause, then redrive them.',
    });
    alarms.add('RetryQueueAge', {
      metric: retryQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      threshold: Duration.minutes(15).toSeconds(),
      description: 'The retry queue has held a batch for 15 minutes: replay is not draining it.',
    });
    if (environment.metricStore === 'timestream') {
      alarms.add('TimestreamRejectedRecords', {
        metric: new Metric({
          namespace,
          metricName: DASHBOARD_METRICS.rejectedRecords,
          period,
          statistic: 'Sum',
        }),
        threshold: 1,
        description: 'Timestream rejected records (e.g. older than retention or conflicting versions).',
      });
    }

    new IngestDashboard(this, 'IngestDashboard', {
      environmentName: environment.name,
      metricNamespace: namespace,
      api,
      models: environment.models,
      alarms: alarms.alarms,
    });
  }
}
