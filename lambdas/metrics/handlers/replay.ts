import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAwsOpenSearchEventStore } from '../../events/adapters/aws/event-store-factory.js';
import type { IdentifyingEventStore } from '../../events/core/spilling-event-store.js';
import type { EventWriteOutcome } from '../../events/ports/event-store.js';
import { lazy } from '../../shared/lazy.js';
import { logger } from '../../shared/logger.js';
import { loadBundledRuntimeConfig } from '../../shared/runtime-config.js';
import { createAwsReplayMetricWriter } from '../adapters/aws/metric-store-factory.js';
import { decodeQueuedRetryMessage, type EventRetryMessage, type RetryMessage } from '../core/rollup-codec.js';
import type { MetricWriter } from '../ports/metric-store.js';

/** What the replay function needs: the stores, without spilling. */
export interface ReplayDependencies {
  readonly metricWriter: MetricWriter;
  /** Where spilled logs, spans and raw prediction events go back to; messages of events fail without it. */
  readonly eventStore?: IdentifyingEventStore;
}

/** Writes spilled event records back under their original document ids. */
function replayEvents(
  store: IdentifyingEventStore,
  { events }: EventRetryMessage,
): Promise<EventWriteOutcome> {
  const documentIds = events.records.map(({ id }) => id);
  switch (events.kind) {
    case 'logs':
      return store.writeLogs(
        events.records.map(({ record }) => record),
        { documentIds },
      );
    case 'spans':
      return store.writeSpans(
        events.records.map(({ record }) => record),
        { documentIds },
      );
    case 'prediction-events':
      return store.writePredictionEvents(
        events.records.map(({ record }) => record),
        { documentIds },
      );
  }
}

/**
 * Builds the replay function: drains the SQS retry queue by writing each message back to its store under
 * the original ids (so what did land before the outage is not counted or stored twice): rollups to the
 * metric store, logs, spans and raw prediction events to the event store.
 * A message that cannot be read or written is reported in `batchItemFailures`: SQS retries it alone and,
 * after the queue's receive limit, moves it to the dead-letter queue, whose alarm notifies. Records the
 * store refuses are bad data, not a failure: they are logged, and the message is done.
 */
export function createReplayHandler(dependencies: () => ReplayDependencies) {
  const processor = new BatchProcessor(EventType.SQS);
  const replayRollups = async (record: SQSRecord, message: RetryMessage): Promise<void> => {
    const outcome = await dependencies().metricWriter.write(
      message.rollups.map(({ rollup }) => rollup),
      { rollupIds: message.rollups.map(({ id }) => id) },
    );
    for (const { rollup, reason } of outcome.rejected) {
      logger.warn('the metric store refused a replayed rollup', {
        messageId: record.messageId,
        metric: rollup.metric,
        minute: new Date(rollup.minute).toISOString(),
        reason,
      });
    }
  };
  const replayEventMessage = async (record: SQSRecord, message: EventRetryMessage): Promise<void> => {
    const { eventStore } = dependencies();
    if (!eventStore) throw new Error(`this replay function has no event store for ${message.events.kind}`);
    const outcome = await replayEvents(eventStore, message);
    for (const { index, reason } of outcome.rejected) {
      logger.warn('the event store refused a replayed record', {
        messageId: record.messageId,
        kind: message.events.kind,
        id: message.events.records[index]?.id,
        reason,
      });
    }
  };
  const replayRecord = async (record: SQSRecord): Promise<void> => {
    const message = decodeQueuedRetryMessage(record.body);
    if (message.kind === 'rollups') await replayRollups(record, message);
    else await replayEventMessage(record, message);
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, replayRecord, processor, { context, throwOnFullBatchFailure: false }),
  ).use(injectLambdaContext(logger));
}

/** The Lambda entry point (SQS event source with ReportBatchItemFailures). */
export const handler = createReplayHandler(
  lazy(() => {
    const config = loadBundledRuntimeConfig();
    return {
      metricWriter: createAwsReplayMetricWriter(config),
      eventStore: createAwsOpenSearchEventStore(config),
    };
  }),
);
