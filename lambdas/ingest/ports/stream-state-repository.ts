import type { StreamState } from '../core/cumulative.js';

/**
 * Keeps the last state of each cumulative OTLP stream, so repeated or overlapping exports are turned into
 * deltas once. Writes are optimistic: a writer states the version it read, and loses (re-reads, recomputes)
 * when another request stored the stream in between.
 */
export interface StreamStateRepository {
  /**
   * How long a stream's state is kept after its last write, ms. A stream idle for longer is forgotten and
   * starts again from its next point.
   */
  readonly retentionMs: number;
  /** The live states of these streams, by stream id; streams without state (or forgotten) are left out. */
  getMany(streamIds: readonly string[]): Promise<Map<string, StreamState>>;
  /**
   * Stores `state` if the stream's stored version is still `expectedVersion` (0: no live state). Returns
   * false, storing nothing, when it is not.
   */
  put(state: StreamState, expectedVersion: number): Promise<boolean>;
}
