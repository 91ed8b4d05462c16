import { type AlertStatus, effectiveStatus } from '../../core/alert.js';
import type { AlertRecord } from '../../core/pipeline-state.js';
import type { AlertQuery, AlertRepository } from '../../ports/alert-repository.js';
import { type ItemFilter, type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of alert records (`sk` is the alert's fingerprint). */
export const ALERT_PARTITION = 'ALERT';

/** Properties of `DynamoDbAlertRepository`. */
export type DynamoDbAlertRepositoryProps = StateTableRepositoryProps;

/** Alerts whose stored status is `status` (a firing alert past its `endsAt` is still stored as firing). */
const statusFilter = (status: AlertStatus): ItemFilter => ({
  expression: '#status = :status',
  names: { '#status': 'status' },
  values: { ':status': status },
});

/** Most recently received first; the fingerprint breaks ties so the order is stable. */
const byLastReceived = (a: AlertRecord, b: AlertRecord) =>
  b.lastReceivedAt - a.lastReceivedAt || a.fingerprint.localeCompare(b.fingerprint);

/**
 * Alert records in the state table's `ALERT` partition, with the alert's stored status beside each for
 * filtering. A resolved record's `expiresAt` becomes the item's TTL; it is absent once past it.
 */
export class DynamoDbAlertRepository implements AlertRepository {
  private readonly items: VersionedItems<AlertRecord>;

  constructor(props: DynamoDbAlertRepositoryProps) {
    this.items = new VersionedItems(ALERT_PARTITION, props);
  }

  getMany(fingerprints: readonly string[]): Promise<Map<string, AlertRecord>> {
    return this.items.getMany(fingerprints);
  }

  async listFiring(now: number): Promise<AlertRecord[]> {
    const records = await this.items.query(statusFilter('firing'));
    return records.filter((record) => effectiveStatus(record.alert, now) === 'firing');
  }

  /** Filters on the status as stored (a lapsed alert is still firing here); records expired at `now` are left out. */
  async list(query: AlertQuery): Promise<AlertRecord[]> {
    const filter = query.status === undefined ? undefined : statusFilter(query.status);
    const records = (await this.items.query(filter)).filter(
      (record) => record.expiresAt === undefined || record.expiresAt > query.now,
    );
    records.sort(byLastReceived);
    return query.limit === undefined ? records : records.slice(0, query.limit);
  }

  put(record: AlertRecord): Promise<boolean> {
    return this.items.put({
      key: record.fingerprint,
      version: record.version,
      record,
      attributes: { status: record.alert.status, lastReceivedAt: record.lastReceivedAt },
      expiresAtMs: record.expiresAt,
    });
  }
}
