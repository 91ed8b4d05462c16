import { ValidationError } from '../../shared/validation-error.js';

/** Where a page of log search results ended: its last log's timestamp and store id, for keyset paging. */
export interface LogSearchPosition {
  /** Epoch ms of the page's last (oldest) log. */
  readonly timestamp: number;
  /** The store's id of that log, which orders logs that share a timestamp. */
  readonly logId: string;
}

/** The opaque cursor for a position: base64url of `{ "t": timestamp, "id": logId }`. */
export function encodeSearchCursor(position: LogSearchPosition): string {
  return Buffer.from(JSON.stringify({ t: position.timestamp, id: position.logId })).toString('base64url');
}

/** The position a cursor from `encodeSearchCursor` stands for; anything else is a ValidationError. */
export function decodeSearchCursor(cursor: string): LogSearchPosition {
  const invalid = new ValidationError(
    `cursor must be the nextCursor of a previous page, unchanged, got "${cursor.length > 80 ? `${cursor.slice(0, 80)}...` : cursor}"`,
  );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== 'object' || decoded === null) throw invalid;
  const { t, id } = decoded as { t?: unknown; id?: unknown };
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof id !== 'string' || id === '') throw invalid;
  return { timestamp: t, logId: id };
}
