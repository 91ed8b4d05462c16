import {
  type ColumnInfo,
  QueryCommand,
  type Row,
  type TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import type { Dimensions, MetricRollup } from '../../core/rollup.js';
import { decodeSketchBase64 } from '../../core/rollup-codec.js';
import type { RollupSource } from '../../ports/metric-store.js';
import { ROLLUP_COLUMNS } from './timestream-records.js';

/** The Timestream table that holds the rollups. */
export interface TimestreamTable {
  readonly databaseName: string;
  readonly tableName: string;
}

/** What a `TimestreamRollupSource` reads from. */
export interface TimestreamRollupSourceProps extends TimestreamTable {
  readonly client: TimestreamQueryClient;
}

/** Whether text has control characters, which have no business in a name or value and would garble logs. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Quotes a Timestream SQL identifier (a dimension, database or table name); embedded quotes are doubled. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || hasControlCharacters(name))
    throw new Error(`identifier ${JSON.stringify(name)} is empty or has control characters; expected a name`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a Timestream SQL string literal; embedded single quotes are doubled. */
export function quoteLiteral(value: string): string {
  if (hasControlCharacters(value))
    throw new Error(`value ${JSON.stringify(value)} has control characters; expected printable text`);
  return `'${value.replaceAll("'", "''")}'`;
}

function epochMs(value: number, name: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`${name} is ${value}; expected epoch milliseconds`);
  return value;
}

/**
 * The SQL that selects the rollup records of one metric whose dimensions have the filter values, with
 * minutes in [from, to). `SELECT *` returns every dimension column of the table, so each row carries its
 * full series identity for grouping; dimensions a series does not have come back null.
 */
export function rollupQuery(
  table: TimestreamTable,
  metric: string,
  filters: Dimensions,
  from: number,
  to: number,
): string {
  const conditions = [
    `measure_name = ${quoteLiteral(metric)}`,
    `time >= from_milliseconds(${epochMs(from, 'from')})`,
    `time < from_milliseconds(${epochMs(to, 'to')})`,
    ...Object.entries(filters).map(([name, value]) => `${quoteIdentifier(name)} = ${quoteLiteral(value)}`),
  ];
  return [
    `SELECT * FROM ${quoteIdentifier(table.databaseName)}.${quoteIdentifier(table.tableName)}`,
    `WHERE ${conditions.join('\n  AND ')}`,
  ].join('\n');
}

/** Reads a Timestream TIMESTAMP (`2024-05-01 12:34:00.000000000`, UTC) as epoch ms. */
export function parseTimestreamTimestamp(text: string): number {
  const ms = Date.parse(`${text.replace(' ', 'T').slice(0, 23)}Z`);
  if (Number.isNaN(ms)) throw new Error(`timestamp "${text}" is not a Timestream TIMESTAMP`);
  return ms;
}

const MEASURE_COLUMNS = new Set<string>(Object.values(ROLLUP_COLUMNS));

/**
 * Turns query result rows back into rollups. Columns are matched by name, so the order and the set of
 * dimension columns may be anything; a row without `rollup_count` was not written by Vigil and is skipped.
 */
export function parseRollupRows(columns: readonly ColumnInfo[], rows: readonly Row[]): MetricRollup[] {
  const names = columns.map((column) => column.Name ?? '');
  return rows.flatMap((row) => {
    const values = new Map<string, string>();
    row.Data?.forEach((datum, index) => {
      if (!datum.NullValue && datum.ScalarValue !== undefined) values.set(names[index]!, datum.ScalarValue);
    });
    const count = values.get(ROLLUP_COLUMNS.count);
    const metric = values.get('measure_name');
    const time = values.get('time');
    if (count === undefined || metric === undefined || time === undefined) return [];
    const dimensions: Record<string, string> = {};
    for (const [name, value] of values) {
      if (name !== 'measure_name' && name !== 'time' && !MEASURE_COLUMNS.has(name)) dimensions[name] = value;
    }
    const sketch = values.get(ROLLUP_COLUMNS.sketch);
    return [
      {
        metric,
        dimensions,
        minute: parseTimestreamTimestamp(time),
        count: Number(count),
        sum: Number(values.get(ROLLUP_COLUMNS.sum)),
        min: Number(values.get(ROLLUP_COLUMNS.min)),
        max: Number(values.get(ROLLUP_COLUMNS.max)),
        ...(sketch ? { sketch: decodeSketchBase64(sketch) } : {}),
      },
    ];
  });
}

/** Whether Timestream refused a query for naming a column the table does not have. */
function isUnknownColumn(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return name === 'ValidationException' && /column .* does not exist/i.test(message ?? '');
}

/**
 * Reads rollups back from Timestream with SQL, page by page; pair it with `RollupMetricReader`, which
 * merges the rollups (several per series and minute when Lambdas wrote concurrently) and reads the stat.
 */
export class TimestreamRollupSource implements RollupSource {
  constructor(private readonly props: TimestreamRollupSourceProps) {}

  async readRollups(metric: string, filters: Dimensions, from: number, to: number): Promise<MetricRollup[]> {
    const queryString = rollupQuery(this.props, metric, filters, from, to);
    const rollups: MetricRollup[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.props.client.send(
          new QueryCommand({ QueryString: queryString, ...(nextToken ? { NextToken: nextToken } : {}) }),
        );
        rollups.push(...parseRollupRows(page.ColumnInfo ?? [], page.Rows ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      // A filter on a dimension no record has yet is a column the table lacks: no rollup matches it.
      if (isUnknownColumn(error)) return [];
      throw error;
    }
    return rollups;
  }
}
