import type { FatigueWindow } from '../../core/fatigue.js';
import type { FatigueWindowRepository } from '../../ports/fatigue-window-repository.js';
import { type ItemFilter, type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of fatigue windows (`sk` is the rule). */
export const FATIGUE_WINDOW_PARTITION = 'FATIGUE';

/** Properties of `DynamoDbFatigueWindowRepository`. */
export type DynamoDbFatigueWindowRepositoryProps = StateTableRepositoryProps;

const holdsDigest: ItemFilter = {
  expression: '#hasDigest = :true',
  names: { '#hasDigest': 'hasDigest' },
  values: { ':true': true },
};

/**
 * Fatigue windows in the state table's `FATIGUE` partition, each with a `hasDigest` flag (notifications
 * held back, listed or only counted) so the scheduled tick finds pending digests with one filtered Query.
 */
export class DynamoDbFatigueWindowRepository implements FatigueWindowRepository {
  private readonly items: VersionedItems<FatigueWindow>;

  constructor(props: DynamoDbFatigueWindowRepositoryProps) {
    this.items = new VersionedItems(FATIGUE_WINDOW_PARTITION, props);
  }

  getMany(rules: readonly string[]): Promise<Map<string, FatigueWindow>> {
    return this.items.getMany(rules);
  }

  listWithDigest(): Promise<FatigueWindow[]> {
    return this.items.query(holdsDigest);
  }

  put(window: FatigueWindow): Promise<boolean> {
    return this.items.put({
      key: window.rule,
      version: window.version,
      record: window,
      attributes: { hasDigest: window.suppressed.length > 0 || window.omitted > 0 },
    });
  }
}
