import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { DestinationConfig, IDestination, IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ITopic, Topic, TopicGrants } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ACK_LINK_ROUTES,
  ALERT_TOPIC_ENV,
  ALERTMANAGER_ROUTE,
  ALERTS_API_ROUTES,
  JOB_RUN_ROUTE,
} from '../../lambdas/alerts/alert-routes.js';
import type { JobName } from '../../lambdas/jobs/core/jobs.js';
import type { ScheduledJobEvent } from '../../lambdas/jobs/handlers/scheduled-job.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import type { EscalationControlAccess } from './escalation-workflow.js';
import { wildcardResourceFindingId } from './event-store-findings.js';
import { grantMetricRead, type MetricStoreRef, metricStoreEnvironment } from './metric-store-access.js';
import { grantSendToEncryptedQueue } from './retry-queue.js';
import { grantStateReadWrite } from './state-table.js';
import { VigilFunction, type VigilFunctionProps } from './vigil-function.js';

/** Properties of {@link Alerting}. */
export interface AlertingProps {
  /** What every alerting function shares with the stack's other functions: runtime config, memory, logs. */
  readonly functionDefaults: Omit<VigilFunctionProps, 'entry' | 'environment' | 'timeout' | 'description'>;

  /** The key that encrypts the alert topic. */
  readonly topicKey: IKey;

  /** The state table alert states, alerts, incidents and silences live in. */
  readonly stateTable: ITable;

  /** The metric store the rules read. */
  readonly metricStore: MetricStoreRef;

  /**
   * What happens to the dead-letter queue (and its key) when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The escalation workflow, which every alerting function starts when an incident opens and completes when
   * it is acknowledged or resolved (each of them can change incidents).
   * @default - incidents do not escalate
   */
  readonly escalation?: EscalationControlAccess;
}

/** A function EventBridge Scheduler runs jobs on, and how long a run may take. */
export interface ScheduledJobFunction {
  readonly fn: IFunction;
  readonly timeout: Duration;
}

/** An HTTP route of a construct's functions, for the API to add behind its authorizer. */
export interface ApiRoute {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path, with `{name}` parameters. */
  readonly path: string;
  /** The function that answers it. */
  readonly handler: IFunction;
}

/** One job EventBridge Scheduler runs: when, on which function, and how long a late run stays worth running. */
interface JobSchedule {
  /** The job, as the scheduled-job handler names it. */
  readonly job: JobName;
  /** When it runs; in UTC. */
  readonly expression: ScheduleExpression;
  /** What the schedule does, for the console. */
  readonly description: string;
  /** The function that runs it: the scheduled-job handler. */
  readonly runner: VigilFunction;
  /**
   * How long Scheduler keeps trying to deliver a run (at least a minute) before it dead-letters it; the run
   * still evaluates the time it was scheduled for.
   */
  readonly maxEventAge: Duration;
  /** How often Scheduler retries a delivery within that age. */
  readonly retryAttempts: number;
}

/**
 * Alerting in AWS: the functions of the alert routes (alerts, incidents, silences, the Alertmanager
 * webhook, running a job now), the scheduled jobs that EventBridge Scheduler runs (the alert rules every
 * minute on one function; the SLOs every 5 minutes and the weekly SLO report on another, since SLO runs
 * hand their burn-rate alerts to the alert pipeline too), the receiver of CloudWatch alarm state changes (an
 * EventBridge rule on the default bus), the `Alerts` topic notifications go to, and one dead-letter queue
 * for schedule and alarm deliveries that failed after their retries. Every alerting function reads and
 * writes the state table, reads the metric store (the shared composition builds the rule evaluator), may
 * publish to the alert topic and, given the escalation workflow, start and complete escalations and publish
 * to the severity topics (the job functions publish the weekly SLO report to the `info` one), and nothing
 * else.
 */
export class Alerting extends Construct {
  /** How long the scheduled job may run: under a minute, so one run ends before the next one starts. */
  static readonly SCHEDULED_JOB_TIMEOUT = Duration.seconds(50);

  /**
   * How long an SLO job may run: under the 5 minutes between SLO runs, so one ends before the next starts.
   * The alert rules' 50 s would be tight: an SLO run reads every SLO's 30-day window (and the report a week
   * and a window), which on Timestream comes from the slower magnetic store beyond the memory store's hours.
   */
  static readonly SLO_JOB_TIMEOUT = Duration.minutes(4);

  /** The topic notifications are published to. */
  readonly topic: ITopic;

  /** Where schedule and alarm deliveries that failed after their retries end up; it must stay empty. */
  readonly deadLetterQueue: IQueue;

  /**
   * The routes the API serves without its bearer-token authorizer: the acknowledge links, whose signature is
   * the credential (none without the escalation workflow, which holds their key).
   */
  readonly publicRoutes: readonly ApiRoute[];

  /** The routes of the alerting functions, all behind the API's bearer-token authorizer. */
  readonly routes: readonly ApiRoute[];

  /** Every alerting function by its role, for alarms and dashboards. */
  readonly functions: Readonly<Record<string, IFunction>>;

  /** The scheduled job functions by role, with their timeouts, whose run times alarm as they near them. */
  readonly jobs: Readonly<Record<string, ScheduledJobFunction>>;

  /** The role EventBridge Scheduler assumes for every job schedule. */
  private readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { functionDefaults, topicKey, stateTable, metricStore, escalation } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    const topic = new Topic(this, 'Alerts', {
      displayName: `Vigil ${functionDefaults.runtimeConfig.environment} alert notifications`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.topic = topic;

    const deadLetterQueue = this.createDeadLetterQueue(removalPolicy);
    this.deadLetterQueue = deadLetterQueue;

    const alertingFunction = (id: string, entry: string, description: string, timeout: Duration) => {
      const fn = new VigilFunction(this, id, {
        ...functionDefaults,
        entry,
        description,
        timeout,
        environment: {
          [STATE_TABLE_ENV]: stateTable.tableName,
          ...metricStoreEnvironment(metricStore),
          [ALERT_TOPIC_ENV]: topic.topicArn,
          ...escalation?.environment,
        },
      });
      grantStateReadWrite(stateTable, fn);
      grantMetricRead(metricStore, fn);
      grantPublishToEncryptedTopic(topic, fn);
      escalation?.grantControl(fn);
      return fn;
    };
    // API Gateway gives up on an integration after 30 s; the HTTP functions stop before it does.
    const httpTimeout = Duration.seconds(25);
    const alertsApi = alertingFunction(
      'AlertsApi',
      'lambdas/alerts/handlers/alerts-api.ts',
      'Answers the alert, incident and silence routes',
      httpTimeout,
    );
    const alertmanager = alertingFunction(
      'Alertmanager',
      'lambdas/alerts/handlers/alertmanager.ts',
      'Receives Alertmanager webhooks into the alert pipeline',
      httpTimeout,
    );
    const jobs = alertingFunction(
      'Jobs',
      'lambdas/jobs/handlers/jobs.ts',
      'Runs a scheduled job now, or as of a given time',
      httpTimeout,
    );
    const scheduledJob = alertingFunction(
      'ScheduledJob',
      'lambdas/jobs/handlers/scheduled-job.ts',
      'Evaluates the alert rules and ticks the alert pipeline every minute',
      Alerting.SCHEDULED_JOB_TIMEOUT,
    );
    const sloJob = alertingFunction(
      'SloJob',
      'lambdas/jobs/handlers/scheduled-job.ts',
      'Evaluates the SLOs every 5 minutes and publishes the weekly SLO report',
      Alerting.SLO_JOB_TIMEOUT,
    );
    const cloudWatchAlarms = alertingFunction(
      'CloudWatchAlarms',
      'lambdas/alerts/handlers/cloudwatch-alarms.ts',
      'Receives CloudWatch alarm state changes into the alert pipeline',
      Duration.seconds(25),
    );

    this.schedulerRole = this.createSchedulerRole(deadLetterQueue);
    // A rule run that failed is not retried: the next minute's run supersedes it, and the function's error
    // alarm tells the operators.
    scheduledJob.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.scheduleJob('RuleEvaluationSchedule', {
      job: 'alert-rules',
      expression: ScheduleExpression.rate(Duration.minutes(1)),
      description: 'Evaluates the alert rules every minute',
      runner: scheduledJob,
      // The shortest age Scheduler allows: a run that is a minute late is the next run's job.
      maxEventAge: Duration.minutes(1),
      retryAttempts: 3,
    });
    // A failed SLO run is retried (Lambda's two retries, minutes apart): a retried evaluation that a later
    // run has overtaken is skipped by the SLO state's version, and the weekly report, unlike a rule run, has
    // no next run soon to stand in for it. One that fails even so is kept in the dead-letter queue, whose
    // alarm says so, and can be sent again with `POST /api/v1/jobs/slo-report/run` and `{ "at": <the Monday> }`.
    sloJob.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new EncryptedQueueDestination(deadLetterQueue),
    });
    this.scheduleJob('SloEvaluationSchedule', {
      job: 'slo',
      expression: ScheduleExpression.rate(Duration.minutes(5)),
      description: 'Evaluates the SLOs and their burn-rate alerts every 5 minutes',
      runner: sloJob,
      // A run that is 5 minutes late is the next run's job.
      maxEventAge: Duration.minutes(5),
      retryAttempts: 3,
    });
    this.scheduleJob('SloReportSchedule', {
      job: 'slo-report',
      // Monday 00:00 UTC, so each report is one calendar week, Monday to Sunday, waiting on Monday morning.
      // rate(7 days) would count from whenever the schedule was (re)created, and its weeks would drift.
      expression: ScheduleExpression.cron({ minute: '0', hour: '0', weekDay: 'MON' }),
      description: 'Builds and publishes the SLO report of the past week, every Monday at 00:00 UTC',
      runner: sloJob,
      // A report is as useful hours late, and the next one is a week away: Scheduler's longest age.
      maxEventAge: Duration.hours(24),
      retryAttempts: 10,
    });
    this.receiveAlarmStateChanges(cloudWatchAlarms, deadLetterQueue);

    let ackLink: VigilFunction | undefined;
    if (escalation) {
      ackLink = alertingFunction(
        'AckLink',
        'lambdas/alerts/handlers/ack-link.ts',
        'Answers the acknowledge links of incident notices',
        httpTimeout,
      );
      escalation.grantAckLinkKey(ackLink);
    }
    this.publicRoutes = ackLink
      ? ACK_LINK_ROUTES.map(([method, path]) => ({ method: HttpMethod[method], path, handler: ackLink }))
      : [];
    this.routes = [
      ...ALERTS_API_ROUTES.map(([method, path]) => ({
        method: HttpMethod[method],
        path,
        handler: alertsApi,
      })),
      { method: HttpMethod[ALERTMANAGER_ROUTE[0]], path: ALERTMANAGER_ROUTE[1], handler: alertmanager },
      { method: HttpMethod[JOB_RUN_ROUTE[0]], path: JOB_RUN_ROUTE[1], handler: jobs },
    ];
    this.functions = {
      AlertsApi: alertsApi,
      Alertmanager: alertmanager,
      Jobs: jobs,
      ScheduledJob: scheduledJob,
      SloJob: sloJob,
      CloudWatchAlarms: cloudWatchAlarms,
      ...(ackLink ? { AckLink: ackLink } : {}),
    };
    this.jobs = {
      ScheduledJob: { fn: scheduledJob, timeout: Alerting.SCHEDULED_JOB_TIMEOUT },
      SloJob: { fn: sloJob, timeout: Alerting.SLO_JOB_TIMEOUT },
    };
  }

  /**
   * The dead-letter queue, with a key of its own: EventBridge writes a rule's dead letters as the
   * `events.amazonaws.com` service, which only a key policy can let use a key, and the environment key's
   * policy lives in the storage stack, which cannot name this stack's resources.
   */
  private createDeadLetterQueue(removalPolicy: RemovalPolicy): IQueue {
    const key = new Key(this, 'DeadLetterKey', {
      description: 'Encrypts the dead letters of the job schedules and the CloudWatch alarm rule',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEventBridgeToSendDeadLetters',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const queue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      // Reusing a data key for the SQS maximum of 24 h keeps KMS calls (and their cost) per queue, not per message.
      dataKeyReuse: Duration.hours(24),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is itself the dead-letter queue of the job schedules and the CloudWatch alarm rule; its ' +
        'depth alarms the operators instead.',
    });
    return queue;
  }

  /**
   * The one role EventBridge Scheduler assumes for every job schedule: only Scheduler of this account's
   * default schedule group may assume it; each schedule's target lets it invoke that schedule's function.
   */
  private createSchedulerRole(deadLetterQueue: IQueue): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'SchedulerRole', {
      description: "Lets EventBridge Scheduler run Vigil's scheduled jobs",
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    deadLetterQueue.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    return role;
  }

  /**
   * Runs a job on its schedule, exactly on time, with the time it was scheduled for as its input
   * (`<aws.scheduler.scheduled-time>`), so a late or retried delivery evaluates the moment it was meant for.
   * Deliveries that still fail after the schedule's retries and age go to the dead-letter queue.
   */
  private scheduleJob(id: string, schedule: JobSchedule): Schedule {
    const { runner } = schedule;
    const input: ScheduledJobEvent = { job: schedule.job, scheduledTime: ContextAttribute.scheduledTime };
    const created = new Schedule(this, id, {
      description: schedule.description,
      schedule: schedule.expression,
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(runner, {
        role: this.schedulerRole,
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetterQueue,
        maxEventAge: schedule.maxEventAge,
        retryAttempts: schedule.retryAttempts,
      }),
    });
    Validations.of(this.schedulerRole.node.findChild('DefaultPolicy')).acknowledge({
      id: wildcardResourceFindingId(this, `${runner.functionArn}:*`),
      reason:
        'EventBridge Scheduler invokes a scheduled-job function by ARN and any of its versions ' +
        '(lambda:InvokeFunction on <function ARN>:*), as Lambda grants invoke; it may invoke nothing else.',
    });
    return created;
  }

  /**
   * Sends every CloudWatch alarm state change in the account and region to the alarm receiver. Deliveries
   * EventBridge could not make, and invocations that failed after Lambda's own retries, go to the
   * dead-letter queue, so a state change is never lost silently.
   */
  private receiveAlarmStateChanges(receiver: VigilFunction, deadLetterQueue: IQueue): void {
    new Rule(this, 'AlarmStateChangeRule', {
      description: 'Sends CloudWatch alarm state changes to the Vigil alert pipeline',
      eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'] },
      targets: [
        new LambdaFunction(receiver, {
          deadLetterQueue,
          retryAttempts: 10,
          // A state change older than that is better read from the alarm than replayed late.
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    receiver.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new EncryptedQueueDestination(deadLetterQueue),
    });
  }
}

/**
 * Lets a principal publish to a topic encrypted with a customer managed key, with exactly the key actions
 * SNS needs from a publisher (`kms:GenerateDataKey`, `kms:Decrypt`), where `grantPublish` would add
 * `kms:GenerateDataKey*`.
 */
export function grantPublishToEncryptedTopic(topic: ITopic, grantee: IGrantable): void {
  TopicGrants.fromTopic(topic).actions(grantee, ['sns:Publish'], {
    keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
  });
}

/**
 * An on-failure destination of asynchronous invocations on an encrypted queue, granted with exactly the
 * actions a producer needs, where the CDK's `SqsDestination` would grant `kms:GenerateDataKey*` and
 * `kms:ReEncrypt*`.
 */
export class EncryptedQueueDestination implements IDestination {
  constructor(private readonly queue: IQueue) {}

  bind(_scope: Construct, fn: IFunction): DestinationConfig {
    grantSendToEncryptedQueue(this.queue, fn);
    return { destination: this.queue.queueArn };
  }
}
