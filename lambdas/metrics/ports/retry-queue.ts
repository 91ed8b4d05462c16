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
