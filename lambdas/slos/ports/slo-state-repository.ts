import type { SloState } from '../core/slo-evaluation.js';

/**
 * Keeps each SLO's state between evaluations (one item per SLO), so a cold start continues where the last
 * evaluation stopped. `put` stores a state only if the stored version is `state.version - 1` (none when it
 * is 1), else returns false and stores nothing: two runs of the SLO job at once cannot both win.
 */
export interface SloStateRepository {
  get(slo: string): Promise<SloState | undefined>;
  /** The states of these SLOs that exist, by SLO. */
  getMany(slos: readonly string[]): Promise<Map<string, SloState>>;
  put(state: SloState): Promise<boolean>;
}
