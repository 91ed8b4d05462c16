import type { StreamState } from '../../../../lambdas/ingest/core/cumulative.js';
import type { StreamStateRepository } from '../../../../lambdas/ingest/ports/stream-state-repository.js';

/** Stream state in a Map, with the port's conditional-write contract, for use-case tests. */
export class InMemoryStreamStateRepository implements StreamStateRepository {
  readonly states = new Map<string, StreamState>();
  /** Every successful write, in order. */
  readonly writes: StreamState[] = [];

  constructor(readonly retentionMs = 7 * 24 * 60 * 60 * 1000) {}

  async getMany(streamIds: readonly string[]): Promise<Map<string, StreamState>> {
    const found = new Map<string, StreamState>();
    for (const id of streamIds) {
      const state = this.states.get(id);
      if (state) found.set(id, structuredClone(state));
    }
    return found;
  }

  async put(state: StreamState, expectedVersion: number): Promise<boolean> {
    if ((this.states.get(state.streamId)?.version ?? 0) !== expectedVersion) return false;
    this.states.set(state.streamId, structuredClone(state));
    this.writes.push(structuredClone(state));
    return true;
  }
}
