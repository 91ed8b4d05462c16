import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RETRY_QUEUE_URL_ENV } from '../../lambdas/metrics/metric-store-names.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import type { EventStoreAccess } from './event-store-access.js';
import { grantMetricWrite, type MetricStoreRef, metricStoreEnvironment } from './metric-store-access.js';
import { grantSendToEncryptedQueue } from './retry-queue.js';
import { grantStateReadWrite } from './state-table.js';
import { VigilFunction, type VigilFunctionProps } from './vigil-function.js';

/** Properties of an {@link IngestFunction}. */
export interface IngestFunctionProps extends Omit<VigilFunctionProps, 'environment'> {
  /** The state table its Idempotency-Key records (and, for predictions and labels, the label joins) live in. */
  readonly stateTable: ITable;

  /** The metric store; every ingest function is told where it is, since the shared ingest adapters build a writer. */
  readonly metricStore: MetricStoreRef;

  /** Where it spills batches the metric store or the event store would not take after retries. */
  readonly retryQueue: IQueue;

  /** Whether it writes rollups to the metric store. */
  readonly writesMetrics: boolean;

  /**
   * The event store access, for a function that writes logs, spans or raw prediction events.
   * @default - it writes no events
   */
  readonly events?: EventStoreAccess;
}

/**
 * A function behind an ingest route: it may read and write the state table, spill to the retry queue, write
 * rollups to the metric store when it produces them, and write events when it is given the event store; it
 * is told where each of those is, and may use nothing else.
 */
export class IngestFunction extends VigilFunction {
  /** How long one ingest request may run: well under API Gateway's 30 s, retries and a spill included. */
  static readonly TIMEOUT = Duration.seconds(15);

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    const { stateTable, metricStore, retryQueue, writesMetrics, events, ...functionProps } = props;
    super(scope, id, {
      ...functionProps,
      timeout: functionProps.timeout ?? IngestFunction.TIMEOUT,
      environment: {
        [STATE_TABLE_ENV]: stateTable.tableName,
        ...metricStoreEnvironment(metricStore),
        [RETRY_QUEUE_URL_ENV]: retryQueue.queueUrl,
        ...events?.environment,
      },
    });
    if (writesMetrics) grantMetricWrite(metricStore, this);
    events?.grantWrite(this);
    grantStateReadWrite(stateTable, this);
    grantSendToEncryptedQueue(retryQueue, this);
  }
}
