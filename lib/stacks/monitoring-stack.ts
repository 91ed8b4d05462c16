import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { IngestDashboard } from '../../dashboards/ingest-dashboard.js';
import { DASHBOARD_METRICS } from '../../lambdas/metrics/metric-store-names.js';
import { metricNamespace } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import type { ScheduledJobFunction } from '../constructs/alerting.js';
import type { EventStoreRef } from '../constructs/event-store.js';
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

  /** The dead-letter queue of alert rule runs and CloudWatch alarm deliveries, which must stay empty. */
  readonly alertingDeadLetterQueue: IQueue;

  /** The event store; a domain's health, storage, memory and snapshots alarm. */
  readonly eventStore: EventStoreRef;

  /** The dead-letter queue of notifications the formatter could not deliver, which must stay empty. */
  readonly notificationDeadLetterQueue: IQueue;

  /** The escalation workflow, whose failed executions (escalations that stopped on an error) alarm. */
  readonly escalationStateMachine: IStateMachine;

  /** The scheduled job functions with their timeouts, whose run times alarm as they near them. */
  readonly jobs: Readonly<Record<string, ScheduledJobFunction>>;
}

/** A job run taking this share of its timeout alarms: runs that grow with SLOs and series fail soon after. */
export const JOB_DURATION_ALARM_SHARE = 0.8;

/**
 * Vigil watching itself: the ops topic (with the config's email subscriptions), alarms on what would lose
 * or delay data (function errors and throttles, API 5xx, dead letters of the retry queue, of alerting and
 * of notifications, failed escalations, job runs nearing their timeout, a retry queue that stops draining, records Timestream rejected, an
 * event store domain in trouble), and
 * the ingest dashboard. It is apart from the ingest stack so that alarms and dashboards, which change
 * often, deploy without touching the compute.
 */
export class MonitoringStack extends Stack {
  /** The topic platform alarms notify. */
  readonly opsTopic: ITopic;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    const {
      environment,
      key,
      api,
      functions,
      retryQueue,
      deadLetterQueue,
      alertingDeadLetterQueue,
      eventStore,
      notificationDeadLetterQueue,
      escalationStateMachine,
      jobs,
      ...stackProps
    } = props;
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
    for (const [name, { fn, timeout }] of Object.entries(jobs)) {
      const limitMs = timeout.toMilliseconds() * JOB_DURATION_ALARM_SHARE;
      alarms.add(`${name}Duration`, {
        metric: fn.metricDuration({ period, statistic: 'Maximum' }),
        threshold: limitMs,
        description:
          `A ${name} run took ${limitMs / 1000} s or more of its ${timeout.toSeconds()} s timeout; jobs grow with ` +
          'rules, SLOs and series, and a run that times out evaluates nothing. Look at the job report in its logs; ' +
          'trim rules or SLOs, or raise the timeout.',
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
    alarms.add('AlertingDeadLetters', {
      metric: alertingDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        'A scheduled job run (alert rules, SLOs, the weekly SLO report) or a CloudWatch alarm state change ' +
        'could not be delivered to its function, or the SLO jobs or the alarm receiver failed after retries; ' +
        'the message says which. Fix the cause; redrive alarm changes, and rerun a missed report with ' +
        'POST /api/v1/jobs/slo-report/run.',
    });
    alarms.add('NotificationDeadLetters', {
      metric: notificationDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        "A notification could not be delivered to every channel after the formatter's retries; the message " +
        'holds the notification and the error. Fix the channel (URL, secret, receiver), then redrive it.',
    });
    alarms.add('EscalationsFailed', {
      metric: escalationStateMachine.metricFailed({ period, statistic: 'Sum' }),
      threshold: 1,
      description:
        'An escalation stopped on an error after its retries (its targets were told, if that worked); the ' +
        "incident's timeline and the state machine's execution history say which step failed.",
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

    if (eventStore.kind === 'opensearch') addDomainAlarms(alarms, eventStore);

    new IngestDashboard(this, 'IngestDashboard', {
      environmentName: environment.name,
      metricNamespace: namespace,
      api,
      models: environment.models,
      alarms: alarms.alarms,
    });
  }
}

/** Share of a data node's volume below which free storage alarms: AWS's recommended 25 %. */
const FREE_STORAGE_ALARM_SHARE = 0.25;

/**
 * The alarms AWS recommends for an OpenSearch Service domain, on the ones that lose or block events: a red
 * or (for 5 minutes) yellow cluster, a data node with under a quarter of its volume free, sustained JVM
 * memory pressure (OpenSearch Service blocks writes after 30 minutes at 92 %), writes blocked, and a failed
 * automated snapshot.
 */
function addDomainAlarms(
  alarms: OpsAlarms,
  eventStore: Extract<EventStoreRef, { kind: 'opensearch' }>,
): void {
  const { domain, sizing } = eventStore;
  const minute = Duration.minutes(1);
  alarms.add('EventStoreClusterRed', {
    metric: domain.metricClusterStatusRed({ period: minute, statistic: 'Maximum' }),
    threshold: 1,
    description:
      'The event store cluster is red: a primary shard is unassigned and writes to its index fail (they ' +
      'spill to the retry queue). Check free storage and node count in the OpenSearch console.',
  });
  alarms.add('EventStoreClusterYellow', {
    metric: domain.metricClusterStatusYellow({ period: minute, statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 5,
    description:
      'The event store cluster has been yellow for 5 minutes: replica shards are unassigned, so losing a ' +
      'node would lose data. Check node count and free storage.',
  });
  const freeStorageMiB = sizing.volumeSizeGiB * 1024 * FREE_STORAGE_ALARM_SHARE;
  alarms.add('EventStoreFreeStorage', {
    // FreeStorageSpace is in MiB; its minimum is that of the fullest data node.
    metric: domain.metricFreeStorageSpace({ period: minute, statistic: 'Minimum' }),
    threshold: freeStorageMiB,
    comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    description:
      `A data node of the event store has under ${freeStorageMiB} MiB (25 %) free; a nearly full node gets ` +
      'its indices blocked for writes. Lower the retention, or add nodes or storage in the environment config.',
  });
  alarms.add('EventStoreJvmMemoryPressure', {
    metric: domain.metricJVMMemoryPressure({ period: OpsAlarms.PERIOD, statistic: 'Maximum' }),
    threshold: 80,
    evaluationPeriods: 3,
    description:
      'JVM memory pressure of the event store has been at 80 % or more for 15 minutes; after 30 minutes at ' +
      '92 % OpenSearch Service blocks writes. Use larger instances, or search shorter ranges.',
  });
  alarms.add('EventStoreWritesBlocked', {
    metric: domain.metricClusterIndexWritesBlocked({ period: OpsAlarms.PERIOD, statistic: 'Maximum' }),
    threshold: 1,
    description:
      'The event store is refusing writes (storage, memory or a blocked index); events spill to the retry ' +
      'queue until it accepts them again.',
  });
  alarms.add('EventStoreSnapshotFailure', {
    metric: domain.metricAutomatedSnapshotFailure({ period: minute, statistic: 'Maximum' }),
    threshold: 1,
    description: 'An automated snapshot of the event store failed; a red cluster is the usual cause.',
  });
}
