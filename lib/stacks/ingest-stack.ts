import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpApi,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Severity } from '../../lambdas/alerts/core/alert.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import { toRuntimeConfig } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { Alerting, type ScheduledJobFunction } from '../constructs/alerting.js';
import { EscalationWorkflow } from '../constructs/escalation-workflow.js';
import type { EventStoreRef } from '../constructs/event-store.js';
import { EventStoreAccess } from '../constructs/event-store-access.js';
import { IngestFunction } from '../constructs/ingest-function.js';
import {
  grantMetricRead,
  grantMetricWrite,
  type MetricStoreRef,
  metricStoreEnvironment,
} from '../constructs/metric-store-access.js';
import { NotificationFormatter } from '../constructs/notification-formatter.js';
import { NotificationTopics } from '../constructs/notification-topics.js';
import { RetryQueue } from '../constructs/retry-queue.js';
import { Slos } from '../constructs/slos.js';
import { VigilFunction, type VigilFunctionProps } from '../constructs/vigil-function.js';

/** Properties of the {@link IngestStack}. */
export interface IngestStackProps extends StackProps {
  /** The environment this stack serves. */
  readonly environment: EnvironmentConfig;

  /** The key that encrypts logs. */
  readonly key: IKey;

  /** The state table (tokens, and later alerts and incidents). */
  readonly stateTable: ITable;

  /** The metric store rollups go to. */
  readonly metricStore: MetricStoreRef;

  /** Where ingest spills batches the metric store or the event store would not take after retries. */
  readonly retryQueue: IQueue;

  /** The event store logs, spans and raw prediction events go to. */
  readonly eventStore: EventStoreRef;
}

/** What a function behind an ingest route may write besides the state table and the retry queue. */
interface IngestAccess {
  /** Writes rollups to the metric store. */
  readonly metrics: boolean;
  /** Writes logs, spans or raw prediction events to the event store. */
  readonly events: boolean;
}

/**
 * The stateless compute in front of the stores: the HTTP API with its bearer-token authorizer, the
 * ingest, query, search, alerting, SLO and health functions behind it, the replay function that drains the
 * retry queue, alerting (the job schedules: alert rules, SLOs and the weekly SLO report; the CloudWatch
 * alarm rule and the alert topic), escalation (the severity topics with their subscriptions, the
 * escalation state machine) and the notification formatter; also who may use the event store (its access
 * grants and the bootstrap that maps them). It can be destroyed and redeployed at will: nothing it holds
 * outlives a request, except dead letters of alerting and notification deliveries and escalations under way.
 */
export class IngestStack extends Stack {
  /** The HTTP API. */
  readonly api: IHttpApi;

  /** Every function of the stack by its role, for alarms and dashboards. */
  readonly functions: Readonly<Record<string, IFunction>>;

  /** The topic alert notifications are published to. */
  readonly alertTopic: ITopic;

  /** Where alert rule runs and CloudWatch alarm state changes that failed after retries end up. */
  readonly alertingDeadLetterQueue: IQueue;

  /** The topic of each incident severity, which escalation notices go to. */
  readonly severityTopics: Readonly<Record<Severity, ITopic>>;

  /** The escalation workflow, whose failed executions alarm. */
  readonly escalationStateMachine: IStateMachine;

  /** The scheduled job functions with their timeouts, whose run times alarm as they near them. */
  readonly jobs: Readonly<Record<string, ScheduledJobFunction>>;

  /** Where notifications the formatter could not deliver after retries end up. */
  readonly notificationDeadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    const { environment, key, stateTable, metricStore, retryQueue, eventStore, ...stackProps } = props;
    super(scope, id, stackProps);
    const logRetention = environment.retention.logRetentionDays as RetentionDays;

    const common: Omit<VigilFunctionProps, 'entry'> = {
      runtimeConfig: toRuntimeConfig(environment),
      memorySizeMb: environment.lambda.memorySizeMb,
      logRetention,
      logEncryptionKey: key,
      serviceName: 'vigil',
    };
    const stateEnvironment = { [STATE_TABLE_ENV]: stateTable.tableName };
    const events = new EventStoreAccess(this, 'EventStoreAccess', { eventStore });

    const authorizerFunction = new VigilFunction(this, 'Authorizer', {
      ...common,
      entry: 'lambdas/auth/handlers/authorizer.ts',
      description: 'Checks bearer tokens against their hashes in the state table',
      timeout: Duration.seconds(5),
      environment: stateEnvironment,
    });
    stateTable.grantReadData(authorizerFunction);

    const health = new VigilFunction(this, 'Health', {
      ...common,
      entry: 'lambdas/health/handlers/health.ts',
      description: 'Answers /healthz and /readyz',
      timeout: Duration.seconds(5),
      environment: stateEnvironment,
    });
    stateTable.grantReadData(health);

    // Every ingest function may spill to the retry queue and keep Idempotency-Key records in the state table;
    // each writes rollups and events only as its `access` says.
    const ingest = (id: string, entry: string, description: string, access: IngestAccess) =>
      new IngestFunction(this, id, {
        ...common,
        entry,
        description,
        stateTable,
        metricStore,
        retryQueue,
        writesMetrics: access.metrics,
        events: access.events ? events : undefined,
      });
    // Predictions also record each SLO's good and total counts (metric writes) and remember predictions
    // that await labels (state table writes): what IngestFunction grants every ingest function.
    const predictions = ingest(
      'Predictions',
      'lambdas/ingest/handlers/predictions.ts',
      'Ingests prediction events, and keeps a sample of them raw',
      { metrics: true, events: true },
    );
    const metrics = ingest('Metrics', 'lambdas/ingest/handlers/metrics.ts', 'Ingests generic metrics', {
      metrics: true,
      events: false,
    });
    const otlpMetrics = ingest(
      'OtlpMetrics',
      'lambdas/ingest/handlers/otlp-metrics.ts',
      'Ingests OTLP/HTTP metrics',
      { metrics: true, events: false },
    );
    // Logs roll error and critical logs up into the error-pattern metric; traces feed no metric.
    const otlpLogs = ingest('OtlpLogs', 'lambdas/events/handlers/otlp-logs.ts', 'Ingests OTLP/HTTP logs', {
      metrics: true,
      events: true,
    });
    const otlpTraces = ingest(
      'OtlpTraces',
      'lambdas/events/handlers/otlp-traces.ts',
      'Ingests OTLP/HTTP traces',
      { metrics: false, events: true },
    );
    const logs = ingest('Logs', 'lambdas/events/handlers/logs.ts', 'Ingests native structured logs', {
      metrics: true,
      events: true,
    });

    const search = (id: string, entry: string, description: string) => {
      const fn = new VigilFunction(this, id, {
        ...common,
        entry,
        description,
        timeout: Duration.seconds(25),
        environment: events.environment,
      });
      events.grantRead(fn);
      return fn;
    };
    const logSearch = search(
      'LogSearch',
      'lambdas/events/handlers/log-search.ts',
      'Searches logs and their error patterns',
    );
    const trace = search('Trace', 'lambdas/events/handlers/trace.ts', "Answers a trace's spans as a tree");

    const query = new VigilFunction(this, 'Query', {
      ...common,
      entry: 'lambdas/query/handlers/query.ts',
      description: 'Answers metric queries',
      timeout: Duration.seconds(25),
      environment: metricStoreEnvironment(metricStore),
    });
    grantMetricRead(metricStore, query);

    const replay = new VigilFunction(this, 'Replay', {
      ...common,
      entry: 'lambdas/metrics/handlers/replay.ts',
      description: 'Replays spilled batches from the retry queue into the metric and event stores',
      timeout: RetryQueue.CONSUMER_TIMEOUT,
      environment: { ...metricStoreEnvironment(metricStore), ...events.environment },
    });
    grantMetricWrite(metricStore, replay);
    events.grantWrite(replay);
    replay.addEventSource(
      new SqsEventSource(retryQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Two pollers at most, so a store that has just recovered is not flooded by the backlog.
        maxConcurrency: 2,
      }),
    );

    const api = new HttpApi(this, 'Api', {
      apiName: `vigil-${environment.name}`,
      description: `Vigil ${environment.name} ingest and query API`,
      createDefaultStage: false,
      defaultAuthorizer: new HttpLambdaAuthorizer('BearerToken', authorizerFunction, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization'],
        resultsCacheTtl: Duration.seconds(60),
      }),
    });
    // Incidents escalate tier by tier through the severity topics; the formatter delivers those notices and
    // the alert topic's to the channels.
    const severityTopics = new NotificationTopics(this, 'SeverityTopics', {
      environmentName: environment.name,
      key,
      subscriptions: environment.subscriptions,
    });
    const escalation = new EscalationWorkflow(this, 'Escalation', {
      functionDefaults: common,
      stateTable,
      topics: severityTopics,
      apiUrl: api.apiEndpoint,
    });
    const alerting = new Alerting(this, 'Alerting', {
      functionDefaults: common,
      topicKey: key,
      stateTable,
      metricStore,
      escalation,
    });
    // The SLO job and the weekly report run on alerting's schedules; the report goes to the info topic.
    const slos = new Slos(this, 'Slos', { functionDefaults: common, stateTable, metricStore, retryQueue });
    const notifications = new NotificationFormatter(this, 'Notifications', {
      functionDefaults: common,
      stateTable,
      topics: [...severityTopics.allTopics, alerting.topic],
      deadLetterKey: key,
      channelSecretKeyArns: environment.channelSecretKeyArns,
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      encryptionKey: key,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: environment.apiThrottling,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const healthRoutes = api.addRoutes({
      path: '/healthz',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('HealthzIntegration', health),
      authorizer: new HttpNoneAuthorizer(),
    });
    healthRoutes.push(
      ...api.addRoutes({
        path: '/readyz',
        methods: [HttpMethod.GET],
        integration: new HttpLambdaIntegration('ReadyzIntegration', health),
        authorizer: new HttpNoneAuthorizer(),
      }),
    );
    // One integration per function, shared by its routes (log search and the alerts API answer several).
    const integrations = new Map<IFunction, HttpLambdaIntegration>();
    const integrationOf = (handler: IFunction) => {
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${handler.node.id}Integration`, handler);
        integrations.set(handler, integration);
      }
      return integration;
    };
    for (const { path, method, handler } of alerting.publicRoutes) {
      const [route] = api.addRoutes({
        path,
        methods: [method],
        integration: integrationOf(handler),
        authorizer: new HttpNoneAuthorizer(),
      });
      Validations.of(route!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Acknowledge links come from notices without a bearer token by design: the HMAC signature in the ' +
          'link is the credential, it acknowledges one incident until it expires, and GET changes nothing.',
      });
    }
    for (const route of healthRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Liveness and readiness probes are public by design (uptime checks carry no token); they return ' +
          'only up/down per dependency and the stage throttle bounds them.',
      });
    }
    const authorizedRoutes: ReadonlyArray<[string, HttpMethod, IFunction]> = [
      ['/api/v1/predictions', HttpMethod.POST, predictions],
      ['/api/v1/metrics', HttpMethod.POST, metrics],
      ['/v1/metrics', HttpMethod.POST, otlpMetrics],
      ['/v1/logs', HttpMethod.POST, otlpLogs],
      ['/v1/traces', HttpMethod.POST, otlpTraces],
      ['/api/v1/logs', HttpMethod.POST, logs],
      ['/api/v1/query', HttpMethod.GET, query],
      ['/api/v1/logs/search', HttpMethod.GET, logSearch],
      ['/api/v1/logs/patterns', HttpMethod.GET, logSearch],
      ['/api/v1/traces/{traceId}', HttpMethod.GET, trace],
      ...[...alerting.routes, ...slos.routes].map(
        ({ path, method, handler }): [string, HttpMethod, IFunction] => [path, method, handler],
      ),
    ];
    for (const [path, method, handler] of authorizedRoutes) {
      api.addRoutes({ path, methods: [method], integration: integrationOf(handler) });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the ingest and query API' });
    this.api = api;
    this.functions = {
      Authorizer: authorizerFunction,
      Health: health,
      Predictions: predictions,
      Metrics: metrics,
      OtlpMetrics: otlpMetrics,
      OtlpLogs: otlpLogs,
      OtlpTraces: otlpTraces,
      Logs: logs,
      LogSearch: logSearch,
      Trace: trace,
      Query: query,
      Replay: replay,
      ...alerting.functions,
      ...slos.functions,
      EscalationStep: escalation.stepFunction,
      NotificationFormatter: notifications.function,
    };
    this.jobs = alerting.jobs;
    this.alertTopic = alerting.topic;
    this.alertingDeadLetterQueue = alerting.deadLetterQueue;
    this.severityTopics = severityTopics.topics;
    this.escalationStateMachine = escalation.stateMachine;
    this.notificationDeadLetterQueue = notifications.deadLetterQueue;
  }
}

/** One JSON line per request; `requestId` is what API Gateway requires, the rest is what triage needs. */
const ACCESS_LOG_FIELDS = {
  requestId: AccessLogField.contextRequestId(),
  ip: AccessLogField.contextIdentitySourceIp(),
  requestTime: AccessLogField.contextRequestTime(),
  routeKey: AccessLogField.contextRouteKey(),
  status: AccessLogField.contextStatus(),
  protocol: AccessLogField.contextProtocol(),
  responseLength: AccessLogField.contextResponseLength(),
  responseLatency: AccessLogField.contextResponseLatency(),
  integrationLatency: AccessLogField.contextIntegrationLatency(),
  integrationError: AccessLogField.contextIntegrationErrorMessage(),
  authorizerError: AccessLogField.contextAuthorizerError(),
  userAgent: AccessLogField.contextIdentityUserAgent(),
};
