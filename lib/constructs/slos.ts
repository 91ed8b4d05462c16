import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import { LABELS_ROUTE, SLOS_API_ROUTES } from '../../lambdas/slos/slo-routes.js';
import type { ApiRoute } from './alerting.js';
import { IngestFunction } from './ingest-function.js';
import { grantMetricRead, type MetricStoreRef, metricStoreEnvironment } from './metric-store-access.js';
import { VigilFunction, type VigilFunctionProps } from './vigil-function.js';

/** Properties of {@link Slos}. */
export interface SlosProps {
  /** What the SLO functions share with the stack's other functions: runtime config (the SLOs), memory, logs. */
  readonly functionDefaults: Omit<VigilFunctionProps, 'entry' | 'environment' | 'timeout' | 'description'>;

  /** The state table SLO states and the predictions awaiting labels live in. */
  readonly stateTable: ITable;

  /** The metric store SLO counts are read from, and accuracy and SLO counts of labels written to. */
  readonly metricStore: MetricStoreRef;

  /** Where the labels function spills metric batches the store would not take after retries. */
  readonly retryQueue: IQueue;
}

/**
 * The SLO routes in AWS: `GET /api/v1/slos` and `GET /api/v1/slos/report` on a function that may only read
 * the state table (SLO states) and the metric store, and `POST /api/v1/labels` on an ingest function, with
 * the grants of the predictions ingest function minus the event store: it claims remembered predictions in
 * the state table and writes accuracy and SLO counts to the metric store, spilling to the retry queue. The
 * SLO job and the weekly report run on alerting's schedules (see `Alerting`), since every SLO run
 * hands its burn-rate alerts to the alert pipeline.
 */
export class Slos extends Construct {
  /** The routes of the SLO functions, all behind the API's bearer-token authorizer. */
  readonly routes: readonly ApiRoute[];

  /** Every SLO function by its role, for alarms and dashboards. */
  readonly functions: Readonly<Record<string, IFunction>>;

  constructor(scope: Construct, id: string, props: SlosProps) {
    super(scope, id);
    const { functionDefaults, stateTable, metricStore, retryQueue } = props;

    const sloApi = new VigilFunction(this, 'SloApi', {
      ...functionDefaults,
      entry: 'lambdas/slos/handlers/slos.ts',
      description: 'Answers the SLO routes: budgets, burn rates and forecasts, and the weekly report',
      // API Gateway gives up on an integration after 30 s; the function stops before it does.
      timeout: Duration.seconds(25),
      environment: { [STATE_TABLE_ENV]: stateTable.tableName, ...metricStoreEnvironment(metricStore) },
    });
    stateTable.grantReadData(sloApi);
    grantMetricRead(metricStore, sloApi);

    const labels = new IngestFunction(this, 'Labels', {
      ...functionDefaults,
      entry: 'lambdas/slos/handlers/labels.ts',
      description: 'Joins delayed ground truth to remembered predictions, for accuracy and its SLOs',
      stateTable,
      metricStore,
      retryQueue,
      writesMetrics: true,
    });

    this.routes = [
      ...SLOS_API_ROUTES.map(([method, path]) => ({ method: HttpMethod[method], path, handler: sloApi })),
      { method: HttpMethod[LABELS_ROUTE[0]], path: LABELS_ROUTE[1], handler: labels },
    ];
    this.functions = { SloApi: sloApi, Labels: labels };
  }
}
