import type { RuleState } from '../core/rule-evaluation.js';

/**
 * Keeps each alert rule's state between evaluations (one item per rule), so a cold start or a new Lambda
 * instance continues where the last evaluation stopped. `put` stores a state only if the stored version is
 * `state.version - 1` (none when it is 1), else returns false and stores nothing: two evaluations of the
 * same rule at once (a scheduler delivering twice, a manual run) cannot both win.
 */
export interface RuleStateRepository {
  /** The rule's state, if it has been evaluated before. */
  get(rule: string): Promise<RuleState | undefined>;
  /** Every rule's state, for `GET /api/v1/alerts` (pending alerts included) and for dropping removed rules. */
  list(): Promise<RuleState[]>;
  /** Stores the state if the stored version is `state.version - 1`; false, storing nothing, if not. */
  put(state: RuleState): Promise<boolean>;
}
