import { randomBytes } from 'node:crypto';
import type { MetricWriter, WriteOptions, WriteOutcome } from '../ports/metric-store.js';
import type { RetryQueue } from '../ports/retry-queue.js';
import type { MetricRollup } from './rollup.js';

/** Options of a `SpillingMetricWriter`. */
export interface SpillingMetricWriterOptions {
  /**
   * Makes the id of a batch; each rollup's id is the batch id and its index.
   * @default 96 random bits, base64url
   */
  readonly newBatchId?: () => string;
}

/** A new batch id: 96 random bits, base64url, so concurrent Lambdas never pick the same one. */
export function randomBatchId(): string {
  return randomBytes(12).toString('base64url');
}

/** The ids of the rollups of one batch: the batch id and each rollup's index. */
export function rollupIdsFor(batchId: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${batchId}.${index.toString(36)}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Nothing is lost: wraps a metric store so that a write that still fails after the store's own retries
 * puts the whole batch on the retry queue, for the replay function to write later.
 *
 * Every rollup gets its id before the first attempt and keeps it in the queue, so rollups of the batch that
 * did land before the failure are recognised, not counted twice, when the batch is replayed. Rollups the
 * store refuses (bad data) are reported in the outcome, not spilled: replaying them would fail again. When
 * the queue fails too, the error propagates, so the caller answers 5xx and its client retries.
 */
export class SpillingMetricWriter implements MetricWriter {
  private readonly newBatchId: () => string;

  constructor(
    private readonly store: MetricWriter,
    private readonly retryQueue: RetryQueue,
    options: SpillingMetricWriterOptions = {},
  ) {
    this.newBatchId = options.newBatchId ?? randomBatchId;
  }

  async write(rollups: readonly MetricRollup[], options: WriteOptions = {}): Promise<WriteOutcome> {
    if (rollups.length === 0) return { written: 0, rejected: [] };
    const rollupIds = options.rollupIds ?? rollupIdsFor(this.newBatchId(), rollups.length);
    try {
      return await this.store.write(rollups, { rollupIds });
    } catch (storeError) {
      const reason = describe(storeError);
      const identified = rollups.map((rollup, index) => ({ id: rollupIds[index]!, rollup }));
      try {
        await this.retryQueue.send(identified, reason);
      } catch (queueError) {
        throw new Error(
          `the metric store failed (${reason}) and the retry queue failed too (${describe(queueError)})`,
          { cause: queueError },
        );
      }
      return { written: 0, rejected: [], spilled: rollups.length };
    }
  }
}
