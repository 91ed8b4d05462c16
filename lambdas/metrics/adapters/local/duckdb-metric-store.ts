import { LIST, MAP, mapValue, VARCHAR } from '@duckdb/node-api';
import { DuckDbDatabase } from '../../../shared/adapters/local/duckdb-database.js';
import { type Dimensions, dimensionsKey, type MetricRollup } from '../../core/rollup.js';
import { decodeSketch, encodeSketch } from '../../core/sketch.js';
import type {
  MetricWriter,
  RejectedRollup,
  RollupSource,
  WriteOptions,
  WriteOutcome,
} from '../../ports/metric-store.js';

/** The path of an in-memory store (re-exported for the store's users). */
export { IN_MEMORY } from '../../../shared/adapters/local/duckdb-database.js';

const DIMENSIONS_TYPE = MAP(VARCHAR, VARCHAR);

// Column order is the appender's order. There is no index: rollups arrive roughly in minute order, so
// DuckDB's per-row-group min/max (zone maps) already skip the rest of the table for a time range, and an
// ART index on (metric, minute) measured no faster on two million rows while slowing every append.
const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS metric_rollups (
    metric VARCHAR NOT NULL,
    dimensions MAP(VARCHAR, VARCHAR) NOT NULL,
    dimensions_key VARCHAR NOT NULL,
    minute BIGINT NOT NULL,
    count DOUBLE NOT NULL,
    sum DOUBLE NOT NULL,
    min DOUBLE NOT NULL,
    max DOUBLE NOT NULL,
    sketch BLOB,
    rollup_id VARCHAR
  )`;

// A rollup with the same id lies in the same minute, so the minute bounds let zone maps skip old data.
const STORED_IDS = `
  SELECT rollup_id FROM metric_rollups
  WHERE minute >= $1 AND minute <= $2 AND list_contains($3, rollup_id)`;

/** A row as `getRowObjectsJS` returns it for the table above. */
interface StoredRollupRow {
  readonly dimensions: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly minute: bigint;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly sketch: Uint8Array | null;
}

/** A rollup on its way into the table, with the id that recognises it when a write is replayed. */
interface PendingRollup {
  readonly rollup: MetricRollup;
  readonly id?: string;
}

/** Why a rollup cannot be stored faithfully, or undefined when it can. */
function rejectionReason(rollup: MetricRollup): string | undefined {
  if (!Number.isSafeInteger(rollup.minute)) {
    return `minute must be an integer epoch ms, got ${rollup.minute}`;
  }
  for (const field of ['count', 'sum', 'min', 'max'] as const) {
    if (!Number.isFinite(rollup[field])) return `${field} must be a finite number, got ${rollup[field]}`;
  }
  for (const [name, value] of Object.entries(rollup.dimensions)) {
    if (typeof value !== 'string')
      return `dimension ${JSON.stringify(name)} must be a string, got ${typeof value}`;
  }
  return undefined;
}

/** A query bound for integer minutes: rounding up keeps `from` inclusive and `to` exclusive. */
function minuteBound(epochMs: number): bigint {
  return BigInt(Math.ceil(epochMs));
}

/**
 * The local metric store: per-minute rollups in a DuckDB file, one row per rollup written.
 *
 * Writes append (two writes for the same series and minute are two rows, unless they carry the same
 * rollup id) and reads return every matching row, leaving the merge to the core's aggregation, like the
 * Timestream adapter. Sketches are stored as DDSketch protobufs; DuckDB's own blob compression shrinks
 * them about sixfold on disk, so deflating them first would cost more time than it saves space.
 *
 * One store owns its file: DuckDB locks it against other processes, but a second store on the same file
 * in the same process would not be stopped, so open each file once.
 */
export class DuckDbMetricStore implements MetricWriter, RollupSource {
  private constructor(private readonly database: DuckDbDatabase) {}

  /** The database file, or `:memory:`. */
  get path(): string {
    return this.database.path;
  }

  private get connection() {
    return this.database.connection;
  }

  /** Opens (creating when missing) the database file at `path`, or an in-memory one for `:memory:`. */
  static async open(path: string): Promise<DuckDbMetricStore> {
    return new DuckDbMetricStore(await DuckDbDatabase.open(path, 'metric store', CREATE_TABLE));
  }

  /**
   * Appends the rollups in one transaction; rollups that cannot be stored are returned with a reason.
   * A rollup whose id (`options.rollupIds`) is already stored is not appended again but counts as written,
   * so replaying a batch that did land is harmless.
   */
  async write(rollups: readonly MetricRollup[], options: WriteOptions = {}): Promise<WriteOutcome> {
    const { rollupIds } = options;
    if (rollupIds && rollupIds.length !== rollups.length) {
      throw new Error(
        `got ${rollupIds.length} rollup ids for ${rollups.length} rollups; expected one id per rollup`,
      );
    }
    const rejected: RejectedRollup[] = [];
    const storable: PendingRollup[] = [];
    rollups.forEach((rollup, index) => {
      const reason = rejectionReason(rollup);
      if (reason === undefined) storable.push({ rollup, id: rollupIds?.[index] });
      else rejected.push({ rollup, reason });
    });
    if (storable.length > 0) await this.exclusively(() => this.append(storable));
    return { written: storable.length, rejected };
  }

  /** Every stored rollup of `metric` whose dimensions include `filters`, with minutes in [from, to). */
  async readRollups(metric: string, filters: Dimensions, from: number, to: number): Promise<MetricRollup[]> {
    // Dimension names and values come from users, so both travel as parameters, never as SQL text.
    const values: (string | bigint)[] = [metric, minuteBound(from), minuteBound(to)];
    const conditions = ['metric = $1', 'minute >= $2', 'minute < $3'];
    for (const [name, value] of Object.entries(filters)) {
      values.push(name, value);
      conditions.push(`dimensions[$${values.length - 1}] = $${values.length}`);
    }
    const sql = `SELECT dimensions, minute, count, sum, min, max, sketch FROM metric_rollups
      WHERE ${conditions.join(' AND ')} ORDER BY minute`;
    const reader = await this.exclusively(() => this.connection.runAndReadAll(sql, values));
    return (reader.getRowObjectsJS() as unknown as StoredRollupRow[]).map((row) => ({
      metric,
      dimensions: Object.fromEntries(row.dimensions.map(({ key, value }) => [key, value])),
      minute: Number(row.minute),
      count: row.count,
      sum: row.sum,
      min: row.min,
      max: row.max,
      ...(row.sketch ? { sketch: decodeSketch(row.sketch) } : {}),
    }));
  }

  /** Resolves when the database answers a trivial query; rejects otherwise (for `/readyz`). */
  healthCheck(): Promise<void> {
    return this.database.healthCheck();
  }

  /** Waits for running operations, then releases the file so another process (or a restart) can open it. */
  close(): Promise<void> {
    return this.database.close();
  }

  private exclusively<T>(operation: () => Promise<T>): Promise<T> {
    return this.database.exclusively(operation);
  }

  /** The ids among `pending` that are already in the table; called inside the write's transaction. */
  private async storedIds(pending: readonly PendingRollup[]): Promise<Set<string>> {
    const identified = pending.filter((entry): entry is Required<PendingRollup> => entry.id !== undefined);
    if (identified.length === 0) return new Set();
    let earliest = Number.POSITIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    for (const { rollup } of identified) {
      earliest = Math.min(earliest, rollup.minute);
      latest = Math.max(latest, rollup.minute);
    }
    const statement = await this.connection.prepare(STORED_IDS);
    try {
      statement.bindBigInt(1, BigInt(earliest));
      statement.bindBigInt(2, BigInt(latest));
      statement.bindList(
        3,
        identified.map(({ id }) => id),
        LIST(VARCHAR),
      );
      const reader = await statement.runAndReadAll();
      return new Set(reader.getRowObjectsJS().map((row) => String(row.rollup_id)));
    } finally {
      statement.destroySync();
    }
  }

  private async append(pending: readonly PendingRollup[]): Promise<void> {
    await this.database.inTransaction(async () => {
      const stored = await this.storedIds(pending);
      const appender = await this.connection.createAppender('metric_rollups');
      try {
        for (const { rollup, id } of pending) {
          if (id !== undefined) {
            if (stored.has(id)) continue;
            stored.add(id);
          }
          appender.appendVarchar(rollup.metric);
          appender.appendMap(
            mapValue(Object.entries(rollup.dimensions).map(([key, value]) => ({ key, value }))),
            DIMENSIONS_TYPE,
          );
          appender.appendVarchar(dimensionsKey(rollup.dimensions));
          appender.appendBigInt(BigInt(rollup.minute));
          appender.appendDouble(rollup.count);
          appender.appendDouble(rollup.sum);
          appender.appendDouble(rollup.min);
          appender.appendDouble(rollup.max);
          if (rollup.sketch) appender.appendBlob(encodeSketch(rollup.sketch));
          else appender.appendNull();
          if (id === undefined) appender.appendNull();
          else appender.appendVarchar(id);
          appender.endRow();
        }
      } catch (error) {
        appender.clear();
        throw error;
      } finally {
        appender.closeSync();
      }
    });
  }
}
