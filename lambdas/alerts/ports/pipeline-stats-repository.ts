import type { PipelineCounters } from '../core/pipeline-state.js';

/**
 * Keeps the pipeline's counters per hour for the alert-fatigue statistics. `add` increments atomically
 * (DynamoDB `ADD`), so concurrent runs need no versions; a run retried after a lost race should add its
 * counters only once it has written its state.
 */
export interface PipelineStatsRepository {
  /** Adds counters to the hour that contains `at` (epoch ms). */
  add(at: number, counters: PipelineCounters): Promise<void>;
  /** The sum of the counters of the hours from the one containing `from` to the one before `to`. */
  sum(from: number, to: number): Promise<PipelineCounters>;
}
