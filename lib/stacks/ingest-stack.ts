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
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RETRY_QUEUE_URL_ENV } from '../../lambdas/metrics/metric-store-names.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import { toRuntimeConfig } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import {
  grantMetricRead,
  grantMetricWrite,
  type MetricStoreRef,
  metricStoreEnvironment,
} from '../constructs/metric-store-access.js';
import { grantSendToEncryptedQueue, RetryQueue } from '../constructs/retry-queue.js';
import { grantStateReadWrite } from '../constructs/state-table.js';
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

  /** Where ingest spills batches the metric store would not take after retries. */
  readonly retryQueue: IQueue;
}

/**
 * The stateless compute in front of the stores: the HTTP API with its bearer-token authorizer, the
 * ingest, query and health functions behind it, and the replay function that drains the retry queue.
 * It can be destroyed and redeployed at will; nothing it holds outlives a request.
 */
export class IngestStack extends Stack {
  /** The HTTP API. */
  readonly api: IHttpApi;

  /** Every function of the stack by its role, for alarms and dashboards. */
  readonly functions: Readonly<Record<string, IFunction>>;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    const { environment, key, stateTable, metricStore, retryQueue, ...stackProps } = props;
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
    const ingestEnvironment = {
      ...stateEnvironment,
      ...metricStoreEnvironment(metricStore),
      [RETRY_QUEUE_URL_ENV]: retryQueue.queueUrl,
    };

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

    const ingest = (id: string, entry: string, description: string) => {
      const fn = new VigilFunction(this, id, {
        ...common,
        entry,
        description,
        timeout: Duration.seconds(15),
        environment: ingestEnvironment,
      });
      grantMetricWrite(metricStore, fn);
      grantStateReadWrite(stateTable, fn);
      grantSendToEncryptedQueue(retryQueue, fn);
      return fn;
    };
    const predictions = ingest(
      'Predictions',
      'lambdas/ingest/handlers/predictions.ts',
      'Ingests prediction events',
    );
    const metrics = ingest('Metrics', 'lambdas/ingest/handlers/metrics.ts', 'Ingests generic metrics');
    const otlpMetrics = ingest(
      'OtlpMetrics',
      'lambdas/ingest/handlers/otlp-metrics.ts',
      'Ingests OTLP/HTTP metrics',
    );

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
      description: 'Replays spilled batches from the retry queue into the metric store',
      timeout: RetryQueue.CONSUMER_TIMEOUT,
      environment: metricStoreEnvironment(metricStore),
    });
    grantMetricWrite(metricStore, replay);
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
      ['/api/v1/query', HttpMethod.GET, query],
    ];
    for (const [path, method, handler] of authorizedRoutes) {
      api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${handler.node.id}Integration`, handler),
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the ingest and query API' });
    this.api = api;
    this.functions = {
      Authorizer: authorizerFunction,
      Health: health,
      Predictions: predictions,
      Metrics: metrics,
      OtlpMetrics: otlpMetrics,
      Query: query,
      Replay: replay,
    };
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
