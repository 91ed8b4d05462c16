import type { AlertGroup } from '../../core/grouping.js';
import type { AlertGroupRepository } from '../../ports/alert-group-repository.js';
import { type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of alert groups (`sk` is the group key). */
export const ALERT_GROUP_PARTITION = 'ALERTGROUP';

/** Properties of `DynamoDbAlertGroupRepository`. */
export type DynamoDbAlertGroupRepositoryProps = StateTableRepositoryProps;

/** Alert groups in the state table's `ALERTGROUP` partition; the pipeline deletes a group once it empties. */
export class DynamoDbAlertGroupRepository implements AlertGroupRepository {
  private readonly items: VersionedItems<AlertGroup>;

  constructor(props: DynamoDbAlertGroupRepositoryProps) {
    this.items = new VersionedItems(ALERT_GROUP_PARTITION, props);
  }

  get(key: string): Promise<AlertGroup | undefined> {
    return this.items.get(key);
  }

  list(): Promise<AlertGroup[]> {
    return this.items.query();
  }

  put(group: AlertGroup): Promise<boolean> {
    return this.items.put({ key: group.key, version: group.version, record: group });
  }

  delete(key: string, expectedVersion: number): Promise<boolean> {
    return this.items.delete(key, expectedVersion);
  }
}
