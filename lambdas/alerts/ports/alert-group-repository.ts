import type { AlertGroup } from '../core/grouping.js';

/**
 * Keeps the alert groups and their notification timers. Writes are optimistic, as in AlertRepository:
 * `put` stores a group only if the stored version is `group.version - 1` (none when it is 1), `delete`
 * only if the stored version is `expectedVersion`; both return false, changing nothing, otherwise.
 */
export interface AlertGroupRepository {
  /** The group with this key, if it exists. */
  get(key: string): Promise<AlertGroup | undefined>;
  /** Every group (there are as many as distinct grouping-label values with live alerts: few). */
  list(): Promise<AlertGroup[]>;
  /** Stores the group if the stored version is `group.version - 1`. */
  put(group: AlertGroup): Promise<boolean>;
  /** Deletes the group if the stored version is `expectedVersion`. */
  delete(key: string, expectedVersion: number): Promise<boolean>;
}
