import type { Silence } from '../../core/silence.js';
import type { SilenceRepository } from '../../ports/silence-repository.js';
import { type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of silences (`sk` is the silence's id). */
export const SILENCE_PARTITION = 'SILENCE';

/** How long an expired silence stays readable: Alertmanager's default retention of 120 hours. */
export const DEFAULT_EXPIRED_SILENCE_RETENTION_MS = 120 * 3_600_000;

/** Properties of `DynamoDbSilenceRepository`. */
export interface DynamoDbSilenceRepositoryProps extends StateTableRepositoryProps {
  /** How long a silence is kept after it ends, ms. @default 120 hours (5 days) */
  readonly expiredSilenceRetentionMs?: number;
}

/**
 * Silences in the state table's `SILENCE` partition, with `endsAt` beside each for filtering. A silence
 * expires (TTL) a retention after it ends; expiring it early moves `endsAt`, and its expiry with it.
 */
export class DynamoDbSilenceRepository implements SilenceRepository {
  private readonly items: VersionedItems<Silence>;
  private readonly retentionMs: number;

  constructor(props: DynamoDbSilenceRepositoryProps) {
    this.items = new VersionedItems(SILENCE_PARTITION, props);
    this.retentionMs = props.expiredSilenceRetentionMs ?? DEFAULT_EXPIRED_SILENCE_RETENTION_MS;
    if (!(this.retentionMs >= 0)) {
      throw new Error(
        `expiredSilenceRetentionMs must be a duration of 0 ms or more, got ${this.retentionMs}`,
      );
    }
  }

  get(id: string): Promise<Silence | undefined> {
    return this.items.get(id);
  }

  listUnexpired(now: number): Promise<Silence[]> {
    return this.items.query({
      expression: '#endsAt > :now',
      names: { '#endsAt': 'endsAt' },
      values: { ':now': now },
    });
  }

  list(): Promise<Silence[]> {
    return this.items.query();
  }

  put(silence: Silence): Promise<boolean> {
    return this.items.put({
      key: silence.id,
      version: silence.version,
      record: silence,
      attributes: { endsAt: silence.endsAt },
      expiresAtMs: silence.endsAt + this.retentionMs,
    });
  }
}
