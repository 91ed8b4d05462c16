import type { LogRecord, PredictionEventRecord, SpanRecord } from '../../events/core/records.js';
import type { MetricRollup } from '../core/rollup.js';

/** A rollup with the id it was first written under, so that replaying it writes it under the same id. */
export interface IdentifiedRollup {
  readonly id: string;
  readonly rollup: MetricRollup;
}

/** Holds rollups the metric store could not take, until the replay function writes them. */
export interface RetryQueue {
  /** Enqueues the rollups, with why they are there; throws when they could not all be enqueued. */
  send(rollups: readonly IdentifiedRollup[], reason: string): Promise<void>;
}

/** An event record with the document id it was first written under, so that a replay overwrites, not adds. */
export interface IdentifiedRecord<T> {
  readonly id: string;
  readonly record: T;
}

/** Records of one kind that the event store could not take, each with its id. */
export type SpilledEvents =
  | { readonly kind: 'logs'; readonly records: readonly IdentifiedRecord<LogRecord>[] }
  | { readonly kind: 'spans'; readonly records: readonly IdentifiedRecord<SpanRecord>[] }
  | {
      readonly kind: 'prediction-events';
      readonly records: readonly IdentifiedRecord<PredictionEventRecord>[];
    };

/** Holds logs, spans and raw prediction events the event store could not take, until the replay writes them. */
export interface EventRetryQueue {
  /** Enqueues the records, with why they are there; throws when they could not all be enqueued. */
  send(events: SpilledEvents, reason: string): Promise<void>;
}
