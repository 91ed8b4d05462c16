import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createDynamoDbAlertRepositories } from '../../lambdas/alerts/adapters/aws/alert-repositories.js';
import { OutboxNotificationSink } from '../../lambdas/alerts/adapters/local/outbox-notification-sink.js';
import { ACK_LINK_ROUTES, ALERTS_API_ROUTES } from '../../lambdas/alerts/alert-routes.js';
import type { AlertingContext } from '../../lambdas/alerts/core/alerting.js';
import { readAlertingConfig } from '../../lambdas/alerts/core/alerting-config.js';
import { createAckLinkHandler } from '../../lambdas/alerts/handlers/ack-link.js';
import { createAlertmanagerHandler } from '../../lambdas/alerts/handlers/alertmanager.js';
import { createAlertsApiHandler } from '../../lambdas/alerts/handlers/alerts-api.js';
import { DynamoDbTokenRepository } from '../../lambdas/auth/adapters/aws/dynamodb-token-repository.js';
import { hashToken } from '../../lambdas/auth/core/tokens.js';
import { createAuthorizerHandler } from '../../lambdas/auth/handlers/authorizer.js';
import { readEscalationConfig } from '../../lambdas/escalation/core/escalation-config.js';
import { DuckDbEventStore } from '../../lambdas/events/adapters/local/duckdb-event-store.js';
import { createRedactor } from '../../lambdas/events/core/redaction.js';
import type { EventIngestDependencies } from '../../lambdas/events/handlers/event-ingest.js';
import { createLogSearchHandler } from '../../lambdas/events/handlers/log-search.js';
import { createLogsHandler } from '../../lambdas/events/handlers/logs.js';
import { createOtlpLogsHandler } from '../../lambdas/events/handlers/otlp-logs.js';
import { createOtlpTracesHandler } from '../../lambdas/events/handlers/otlp-traces.js';
import { createTraceHandler } from '../../lambdas/events/handlers/trace.js';
import { createHealthHandler } from '../../lambdas/health/handlers/health.js';
import { DynamoDbStreamStateRepository } from '../../lambdas/ingest/adapters/aws/dynamodb-stream-state-repository.js';
import type { IngestRouteDependencies } from '../../lambdas/ingest/handlers/ingest-route.js';
import { createMetricsHandler } from '../../lambdas/ingest/handlers/metrics.js';
import { createOtlpMetricsHandler } from '../../lambdas/ingest/handlers/otlp-metrics.js';
import {
  createPredictionsHandler,
  type PredictionsRouteDependencies,
} from '../../lambdas/ingest/handlers/predictions.js';
import type { JobsContext } from '../../lambdas/jobs/core/jobs.js';
import { createJobsHandler } from '../../lambdas/jobs/handlers/jobs.js';
import { DuckDbMetricStore, IN_MEMORY } from '../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { RollupMetricReader } from '../../lambdas/metrics/core/aggregate.js';
import { createQueryHandler } from '../../lambdas/query/handlers/query.js';
import { DynamoDbIdempotencyStore } from '../../lambdas/shared/adapters/aws/dynamodb-idempotency-store.js';
import type { RuntimeConfig } from '../../lambdas/shared/runtime-config.js';
import { DynamoDbPredictionJoinStore } from '../../lambdas/slos/adapters/aws/dynamodb-prediction-join-store.js';
import { DynamoDbSloStateRepository } from '../../lambdas/slos/adapters/aws/dynamodb-slo-state-repository.js';
import { OutboxSloReportPublisher } from '../../lambdas/slos/adapters/local/outbox-slo-report-publisher.js';
import { labelledModels } from '../../lambdas/slos/core/labels.js';
import type { SloContext } from '../../lambdas/slos/core/slos.js';
import { readSloConfig } from '../../lambdas/slos/core/slos-config.js';
import { createLabelsHandler } from '../../lambdas/slos/handlers/labels.js';
import { createSlosHandler } from '../../lambdas/slos/handlers/slos.js';
import { LABELS_ROUTE, SLOS_API_ROUTES } from '../../lambdas/slos/slo-routes.js';
import { loadLocalEnvironment } from '../config/load-environment.js';
import { toRuntimeConfig } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { LocalApiServer, type LocalRoute } from './api-gateway-server.js';
import { serveDashboard } from './dashboard-page.js';
import { startDynaliteStateStore } from './dynalite-state-store.js';
import { type LocalEscalations, startLocalEscalations } from './escalations.js';
import { JobTimers } from './job-timers.js';

/** The token accepted locally when `VIGIL_TOKEN` does not set another. */
export const DEFAULT_LOCAL_TOKEN = 'local-dev-token';

/** How to run the local platform. */
export interface LocalPlatformOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 8787 */
  readonly port?: number;
  /** Where DuckDB (metrics, events) and the state live, surviving restarts; `null` keeps everything in memory (tests). @default '.vigil' */
  readonly dataDir?: string | null;
  /** The one bearer token accepted, with every scope. @default DEFAULT_LOCAL_TOKEN */
  readonly token?: string;
  /** The clock, epoch ms; tests and backtests inject one. @default Date.now */
  readonly now?: () => number;
  /**
   * Run the scheduled jobs (alert rules every minute) on timers, as EventBridge Scheduler does in AWS; tests
   * leave them off and run jobs through `POST /api/v1/jobs/{job}/run` with `at`. @default false
   */
  readonly jobs?: boolean;
  /** Where notifications are printed besides the outbox file. @default process.stdout */
  readonly console?: NodeJS.WritableStream;
  /** The environment to run (models, rules, SLOs); tests pass their own. @default the `local` environment */
  readonly environment?: EnvironmentConfig;
  /**
   * Escalate incidents that open through the environment's escalation policies, on the same state machine as
   * in AWS (aws-local-stepfunctions), with notices in the outbox; `vigil start` turns it on, tests of other
   * things leave it off. @default false
   */
  readonly escalations?: boolean;
  /**
   * Multiplies escalation tier timeouts and job intervals, so a demo walks a chain in seconds
   * (`VIGIL_TIME_SCALE`, e.g. 0.001). @default 1
   */
  readonly timeScale?: number;
}

/** A running local platform. */
export interface LocalPlatform {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string | null;
  readonly runtimeConfig: RuntimeConfig;
  /** Starts the job timers, if `jobs` did not start them already (the demo does, once it has set the scene). */
  startJobs(): void;
  /** Stops the server, then closes the stores so their files are released. */
  close(): Promise<void>;
}

/**
 * Starts the whole platform in one process: the same handlers the Lambdas run, behind a stand-in for API
 * Gateway, with DuckDB for metrics and events and dynalite for state, behind the same ports as Timestream,
 * OpenSearch and DynamoDB.
 */
export async function startLocalPlatform(options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const dataDir = options.dataDir === undefined ? '.vigil' : options.dataDir;
  const token = options.token ?? DEFAULT_LOCAL_TOKEN;
  const now = options.now ?? Date.now;
  const runtimeConfig = toRuntimeConfig(options.environment ?? loadLocalEnvironment());
  if (dataDir !== null) await mkdir(dataDir, { recursive: true });

  const metrics = await DuckDbMetricStore.open(
    dataDir === null ? IN_MEMORY : join(dataDir, 'metrics.duckdb'),
  );
  const events = await DuckDbEventStore.open(dataDir === null ? IN_MEMORY : join(dataDir, 'events.duckdb'));
  const state = await startDynaliteStateStore(dataDir === null ? {} : { dataDir });
  const tokens = new DynamoDbTokenRepository(state.documentClient, state.tableName);
  await tokens.save({
    tokenHash: hashToken(token),
    principal: 'local',
    scopes: ['admin'],
    createdAt: new Date(now()).toISOString(),
  });

  const ingestDependencies: IngestRouteDependencies = {
    metricWriter: metrics,
    now,
    maxTimestampAgeMs: runtimeConfig.maxTimestampAgeMs,
    idempotencyStore: new DynamoDbIdempotencyStore(state.documentClient, state.tableName),
  };
  const redactor = createRedactor({ patterns: runtimeConfig.redactionPatterns });
  const sloConfig = readSloConfig(runtimeConfig.slos);
  const joinStore = new DynamoDbPredictionJoinStore({
    client: state.documentClient,
    tableName: state.tableName,
  });
  const predictionsDependencies: PredictionsRouteDependencies = {
    ...ingestDependencies,
    predictionEvents: { eventStore: events, redactor, sampleRate: runtimeConfig.rawEventSampleRate },
    slos: {
      slos: sloConfig.slos,
      joinStore,
      joinWindowMs: sloConfig.labelJoinWindowMs,
      awaitsLabels: labelledModels(sloConfig.slos, sloConfig.accuracyModels),
    },
  };
  const eventIngestDependencies: EventIngestDependencies = {
    eventStore: events,
    redactor,
    metricWriter: metrics,
    now,
    maxTimestampAgeMs: runtimeConfig.maxTimestampAgeMs,
  };
  const eventSearch = () => ({ eventStore: events, now });
  const eventIngest = () => eventIngestDependencies;
  const otlpMetricsDependencies = {
    metricWriter: metrics,
    streamState: new DynamoDbStreamStateRepository({
      client: state.documentClient,
      tableName: state.tableName,
      now,
    }),
    now,
    maxTimestampAgeMs: runtimeConfig.maxTimestampAgeMs,
    maxDimensionValuesPerMetric: runtimeConfig.maxDimensionValuesPerMetric,
  };
  const health = createHealthHandler(() => ({
    checks: {
      metricStore: () => metrics.healthCheck(),
      eventStore: () => events.healthCheck(),
      stateTable: async () => {
        await tokens.findByHash('health');
      },
    },
  }));
  const alertingConfig = readAlertingConfig(runtimeConfig.alerting);
  const alertRepositories = createDynamoDbAlertRepositories({
    client: state.documentClient,
    tableName: state.tableName,
    now,
  });
  const outbox = new OutboxNotificationSink({
    path: dataDir === null ? null : join(dataDir, 'outbox.ndjson'),
    console: options.console ?? process.stdout,
  });
  let apiUrl = '';
  // Locally the acknowledge links are signed with a key derived from the one token: whoever has the token
  // could acknowledge anyway.
  const ackLinkKey = createHash('sha256').update(`vigil-ack-link:${token}`).digest('hex');
  const escalations: LocalEscalations | undefined = options.escalations
    ? startLocalEscalations({
        stateTable: state,
        incidents: alertRepositories.incidents,
        outbox,
        config: readEscalationConfig(runtimeConfig),
        environment: runtimeConfig.environment,
        apiBaseUrl: () => apiUrl,
        ackLinkKey,
        now,
        timeScale: options.timeScale,
        onError: (message, error) => console.error(`[vigil] ${message}:`, error),
      })
    : undefined;
  const alerting: AlertingContext = {
    repositories: alertRepositories,
    sink: outbox,
    pipeline: alertingConfig.pipeline,
    rules: alertingConfig.rules,
    knownModels: alertingConfig.knownModels,
    metricReader: new RollupMetricReader(metrics),
    now,
    newId: randomUUID,
    onIncidentEvents: escalations?.onIncidentEvents,
    resumeEscalations: escalations?.resumeEscalations,
  };
  const alertingContext = () => alerting;
  const slos: SloContext = {
    slos: sloConfig.slos,
    metricReader: new RollupMetricReader(metrics),
    states: new DynamoDbSloStateRepository({ client: state.documentClient, tableName: state.tableName, now }),
    now,
    reportPublisher: new OutboxSloReportPublisher(outbox, runtimeConfig.environment),
  };
  const jobs: JobsContext = { alerting, slos };
  const labels = { slos: sloConfig.slos, joinStore, metricWriter: metrics, now };
  const slosApi = createSlosHandler(() => slos);
  const alertsApi = createAlertsApiHandler(alertingContext);
  const ackLinks = createAckLinkHandler(() => ({ alerting, key: async () => ackLinkKey }));
  const routes: LocalRoute[] = [
    { method: 'GET', path: '/healthz', handler: health, authorized: false },
    { method: 'GET', path: '/readyz', handler: health, authorized: false },
    {
      method: 'POST',
      path: '/api/v1/predictions',
      handler: createPredictionsHandler(() => predictionsDependencies),
    },
    { method: 'POST', path: '/api/v1/metrics', handler: createMetricsHandler(() => ingestDependencies) },
    { method: 'POST', path: '/api/v1/logs', handler: createLogsHandler(eventIngest) },
    { method: 'POST', path: '/v1/logs', handler: createOtlpLogsHandler(eventIngest) },
    { method: 'POST', path: '/v1/traces', handler: createOtlpTracesHandler(eventIngest) },
    { method: 'GET', path: '/api/v1/logs/search', handler: createLogSearchHandler(eventSearch) },
    { method: 'GET', path: '/api/v1/logs/patterns', handler: createLogSearchHandler(eventSearch) },
    { method: 'GET', path: '/api/v1/traces/{traceId}', handler: createTraceHandler(eventSearch) },
    { method: 'POST', path: '/v1/metrics', handler: createOtlpMetricsHandler(() => otlpMetricsDependencies) },
    {
      method: 'GET',
      path: '/api/v1/query',
      handler: createQueryHandler(() => ({ metricReader: new RollupMetricReader(metrics), now })),
    },
    {
      method: 'POST',
      path: '/api/v1/alerts/alertmanager',
      handler: createAlertmanagerHandler(alertingContext),
    },
    ...ALERTS_API_ROUTES.map(([method, path]) => ({ method, path, handler: alertsApi })),
    ...ACK_LINK_ROUTES.map(([method, path]) => ({ method, path, handler: ackLinks, authorized: false })),
    { method: 'POST', path: '/api/v1/jobs/{job}/run', handler: createJobsHandler(() => jobs) },
    ...SLOS_API_ROUTES.map(([method, path]) => ({ method, path, handler: slosApi })),
    { method: LABELS_ROUTE[0], path: LABELS_ROUTE[1], handler: createLabelsHandler(() => labels) },
  ];
  const server = new LocalApiServer({
    routes,
    authorizer: createAuthorizerHandler(() => ({ tokens, now: () => new Date(now()) })),
    fallback: (request, response) =>
      request.method === 'GET' &&
      serveDashboard(new URL(request.url ?? '/', 'http://localhost').pathname, token, response),
  });
  let port: number;
  try {
    port = await server.listen(options.port ?? 8787);
  } catch (error) {
    await escalations?.close();
    await Promise.allSettled([metrics.close(), events.close(), state.close()]);
    throw error;
  }
  apiUrl = `http://127.0.0.1:${port}`;
  let timers: JobTimers | undefined;
  const startJobs = () => {
    timers ??= new JobTimers({
      context: () => jobs,
      timeScale: options.timeScale,
      onError: (job, error) => console.error(`[vigil] job ${job} failed:`, error),
    });
  };
  if (options.jobs) startJobs();

  return {
    url: apiUrl,
    port,
    token,
    dataDir,
    runtimeConfig,
    startJobs,
    async close() {
      await timers?.close();
      await server.close();
      // Escalations stop before the state store closes: a step in progress still writes to it.
      await escalations?.close();
      await Promise.all([metrics.close(), events.close(), state.close()]);
    },
  };
}
