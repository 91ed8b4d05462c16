import type { AlertStatus } from '../core/alert.js';
import type { AlertRecord } from '../core/pipeline-state.js';

/** Which alerts `AlertRepository.list` returns. */
export interface AlertQuery {
  /** The time of the request; resolved records past their `expiresAt` are left out. */
  readonly now: number;
  readonly status?: AlertStatus;
  /** At most this many, most recently received first. */
  readonly limit?: number;
}

/**
 * Keeps what Vigil knows of each alert, by fingerprint. Writes are optimistic: every record carries the
 * version it gets when written, and `put` stores it only if the stored version is still `version - 1`
 * (no stored record when `version` is 1); otherwise it stores nothing and returns false, and the caller
 * reloads and runs the pipeline again. Records past `expiresAt` count as absent (TTL deletes lazily).
 */
export interface AlertRepository {
  /** The records of these fingerprints that exist, by fingerprint. */
  getMany(fingerprints: readonly string[]): Promise<Map<string, AlertRecord>>;
  /** Every alert firing at `now` (status firing and `endsAt` not passed): the sources inhibition reads. */
  listFiring(now: number): Promise<AlertRecord[]>;
  /** Alerts for `GET /api/v1/alerts`. */
  list(query: AlertQuery): Promise<AlertRecord[]>;
  /** Stores the record if the stored version is `record.version - 1`; false, storing nothing, if not. */
  put(record: AlertRecord): Promise<boolean>;
}
