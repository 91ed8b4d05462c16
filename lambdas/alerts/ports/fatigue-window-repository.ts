import type { FatigueWindow } from '../core/fatigue.js';

/**
 * Keeps the fatigue guard's window per rule. `put` stores a window only if the stored version is
 * `window.version - 1` (none when it is 1), else returns false and stores nothing.
 */
export interface FatigueWindowRepository {
  /** The windows of these rules that exist, by rule. */
  getMany(rules: readonly string[]): Promise<Map<string, FatigueWindow>>;
  /** The windows holding notifications for a digest. */
  listWithDigest(): Promise<FatigueWindow[]>;
  /** Stores the window if the stored version is `window.version - 1`. */
  put(window: FatigueWindow): Promise<boolean>;
}
