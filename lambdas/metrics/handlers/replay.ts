import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lazy } from '../../shared/lazy.js';
import { logger } from '../../shared/logger.js';
import { loadBundledRuntimeConfig } from '../../shared/runtime-config.js';
import { createAwsReplayMetricWriter } from '../adapters/aws/metric-store-factory.js';
import { decodeRetryMessage } from '../core/rollup-codec.js';
import type { MetricWriter } from '../ports/metric-store.js';

/** What the replay function needs: the metric store, without spilling. */
export interface ReplayDependencies {
  readonly metricWriter: MetricWriter;
}

/**
 * Builds the replay function: drains the SQS retry queue by writing each message's rollups to the metric
 * store under their original ids (so rollups that did land before the outage are not counted twice).
 * A message that cannot be read or written is reported in `batchItemFailures`: SQS retries it alone and,
 * after the queue's receive limit, moves it to the dead-letter queue, whose alarm notifies. Rollups the
 * store refuses are bad data, not a failure: they are logged and counted, and the message is done.
 */
export function createReplayHandler(dependencies: () => ReplayDependencies) {
  const processor = new BatchProcessor(EventType.SQS);
  const replayRecord = async (record: SQSRecord): Promise<void> => {
    const message = decodeRetryMessage(record.body);
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
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, replayRecord, processor, { context, throwOnFullBatchFailure: false }),
  ).use(injectLambdaContext(logger));
}

/** The Lambda entry point (SQS event source with ReportBatchItemFailures). */
export const handler = createReplayHandler(
  lazy(() => ({ metricWriter: createAwsReplayMetricWriter(loadBundledRuntimeConfig()) })),
);
