import {
  type _Record,
  type RejectedRecord,
  type TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import type { MetricRollup } from '../../core/rollup.js';
import { randomBatchId, rollupIdsFor } from '../../core/spilling-metric-writer.js';
import type { MetricWriter, RejectedRollup, WriteOptions, WriteOutcome } from '../../ports/metric-store.js';
import { type RetryOptions, withRetries } from './retry.js';
import { buildRollupRecord, TIMESTREAM_LIMITS } from './timestream-records.js';

/** Where a `TimestreamMetricWriter` writes, and how it retries. */
export interface TimestreamMetricWriterProps extends RetryOptions {
  readonly client: TimestreamWriteClient;
  readonly databaseName: string;
  readonly tableName: string;
}

interface PendingRecord {
  readonly rollup: MetricRollup;
  readonly record: _Record;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function rejectionReason({ Reason, ExistingVersion }: RejectedRecord): string {
  const reason = `timestream rejected the record: ${Reason ?? 'no reason given'}`;
  return ExistingVersion === undefined ? reason : `${reason} (existing version ${ExistingVersion})`;
}

/**
 * Writes rollups to Timestream for LiveAnalytics, one multi-measure record per rollup (see
 * `buildRollupRecord`), in WriteRecords requests of at most 100 records.
 *
 * Throttling, server faults and timeouts are retried with backoff; if a request still fails, the error
 * propagates and `SpillingMetricWriter` queues the batch. A RejectedRecordsException is not a failure of the
 * request: Timestream stored every record it did not list, so the listed ones are reported with
 * Timestream's reason and the others count as written.
 */
export class TimestreamMetricWriter implements MetricWriter {
  constructor(private readonly props: TimestreamMetricWriterProps) {}

  async write(rollups: readonly MetricRollup[], options: WriteOptions = {}): Promise<WriteOutcome> {
    const rollupIds = options.rollupIds ?? rollupIdsFor(randomBatchId(), rollups.length);
    if (rollupIds.length !== rollups.length)
      throw new Error(
        `got ${rollupIds.length} rollup ids for ${rollups.length} rollups; expected one id per rollup`,
      );
    const rejected: RejectedRollup[] = [];
    const pending: PendingRecord[] = [];
    rollups.forEach((rollup, index) => {
      const built = buildRollupRecord(rollup, rollupIds[index]!);
      if (built.ok) pending.push({ rollup, record: built.record });
      else rejected.push({ rollup, reason: built.reason });
    });
    let written = 0;
    for (const batch of chunks(pending, TIMESTREAM_LIMITS.recordsPerWrite)) {
      const refused = await this.writeBatch(batch);
      for (const { rollup, reason } of refused) rejected.push({ rollup, reason });
      written += batch.length - refused.length;
    }
    return { written, rejected };
  }

  /** Writes one request's records; returns those Timestream refused. */
  private async writeBatch(batch: readonly PendingRecord[]): Promise<RejectedRollup[]> {
    const command = new WriteRecordsCommand({
      DatabaseName: this.props.databaseName,
      TableName: this.props.tableName,
      Records: batch.map(({ record }) => record),
    });
    try {
      await withRetries(() => this.props.client.send(command), this.props);
      return [];
    } catch (error) {
      const refused = (error as { name?: string; RejectedRecords?: RejectedRecord[] }).RejectedRecords;
      // Without the list of refused records the outcome is unknown: let the batch be queued and replayed.
      if ((error as Error).name !== 'RejectedRecordsException' || !refused?.length) throw error;
      return refused.flatMap((rejection) => {
        const pending = rejection.RecordIndex === undefined ? undefined : batch[rejection.RecordIndex];
        return pending ? [{ rollup: pending.rollup, reason: rejectionReason(rejection) }] : [];
      });
    }
  }
}
