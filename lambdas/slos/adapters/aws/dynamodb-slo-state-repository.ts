import {
  type StateTableRepositoryProps,
  VersionedItems,
} from '../../../alerts/adapters/aws/versioned-items.js';
import type { SloState } from '../../core/slo-evaluation.js';
import type { SloStateRepository } from '../../ports/slo-state-repository.js';

/** Partition key of SLO states (`sk` is the SLO's name). */
export const SLO_STATE_PARTITION = 'SLOSTATE';

/** SLO states in the state table's `SLOSTATE` partition, one versioned item per SLO. */
export class DynamoDbSloStateRepository implements SloStateRepository {
  private readonly items: VersionedItems<SloState>;

  constructor(props: StateTableRepositoryProps) {
    this.items = new VersionedItems(SLO_STATE_PARTITION, props);
  }

  get(slo: string): Promise<SloState | undefined> {
    return this.items.get(slo);
  }

  getMany(slos: readonly string[]): Promise<Map<string, SloState>> {
    return this.items.getMany(slos);
  }

  put(state: SloState): Promise<boolean> {
    return this.items.put({ key: state.slo, version: state.version, record: state });
  }
}
