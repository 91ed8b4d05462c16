import type { Silence } from '../core/silence.js';

/**
 * Keeps silences. `put` stores a silence only if the stored version is `silence.version - 1` (none when
 * it is 1: creating a silence with an id that exists fails), else returns false and stores nothing.
 * Expired silences stay readable (for the API) until their retention passes.
 */
export interface SilenceRepository {
  /** The silence with this id, if it exists. */
  get(id: string): Promise<Silence | undefined>;
  /** Silences that have not ended at `now` (active and pending): what the pipeline matches against. */
  listUnexpired(now: number): Promise<Silence[]>;
  /** Every stored silence, expired ones included, for `GET /api/v1/silences`. */
  list(): Promise<Silence[]>;
  /** Stores the silence if the stored version is `silence.version - 1`. */
  put(silence: Silence): Promise<boolean>;
}
