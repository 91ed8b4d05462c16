import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  type ColumnInfo,
  QueryCommand,
  type Row,
  TimestreamQueryClient,
  ValidationException,
} from '@aws-sdk/client-timestream-query';
import type { _Record } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRollupRecord } from '../../../../../lambdas/metrics/adapters/aws/timestream-records.js';
import {
  parseRollupRows,
  parseTimestreamTimestamp,
  quoteIdentifier,
  quoteLiteral,
  rollupQuery,
  TimestreamRollupSource,
} from '../../../../../lambdas/metrics/adapters/aws/timestream-rollup-source.js';
import { aggregateRollups, RollupMetricReader } from '../../../../../lambdas/metrics/core/aggregate.js';
import { type MetricRollup, RollupAccumulator } from '../../../../../lambdas/metrics/core/rollup.js';
import type { MetricQuery } from '../../../../../lambdas/metrics/ports/metric-store.js';
import { logNormalSamples, seededRandom } from '../../../../support/random.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0);
const table = { databaseName: 'vigil', tableName: 'rollups' };
const timestream = mockClient(TimestreamQueryClient);

/** A TIMESTAMP as Timestream's query API returns it: UTC, space-separated, nanoseconds. */
function timestreamTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}000000`;
}

/**
 * What Timestream answers to `SELECT *` over a table that holds `records`: a column per dimension ever
 * written (VARCHAR, null where a record lacks it), measure_name, time, and the multi-measure columns.
 */
function queryResultOf(records: readonly _Record[]): { ColumnInfo: ColumnInfo[]; Rows: Row[] } {
  const dimensionNames = [...new Set(records.flatMap((r) => r.Dimensions!.map((d) => d.Name!)))];
  const measures = new Map<string, string>();
  for (const record of records) for (const m of record.MeasureValues!) measures.set(m.Name!, m.Type!);
  const columns: ColumnInfo[] = [
    ...dimensionNames.map((Name) => ({ Name, Type: { ScalarType: 'VARCHAR' as const } })),
    { Name: 'measure_name', Type: { ScalarType: 'VARCHAR' } },
    { Name: 'time', Type: { ScalarType: 'TIMESTAMP' } },
    ...[...measures].map(([Name, type]) => ({ Name, Type: { ScalarType: type as 'VARCHAR' } })),
  ];
  const rows: Row[] = records.map((record) => {
    const cells = new Map<string, string>([
      ...record.Dimensions!.map((d) => [d.Name!, d.Value!] as const),
      ['measure_name', record.MeasureName!],
      ['time', timestreamTimestamp(Number(record.Time))],
      ...record.MeasureValues!.map((m) => [m.Name!, m.Value!] as const),
    ]);
    return {
      Data: columns.map(({ Name }) =>
        cells.has(Name!) ? { ScalarValue: cells.get(Name!)! } : { NullValue: true },
      ),
    };
  });
  return { ColumnInfo: columns, Rows: rows };
}

function recordsOf(rollups: readonly MetricRollup[]): _Record[] {
  return rollups.map((rollup, i) => {
    const built = buildRollupRecord(rollup, `batch.${i}`);
    assert.ok(built.ok);
    return built.record;
  });
}

/** Latency rollups as three concurrent Lambdas would write them: the same series and minutes repeat. */
function concurrentLatencyRollups(): MetricRollup[] {
  const random = seededRandom(5);
  const values = logNormalSamples(random, 3000, Math.log(180), 0.5);
  const accumulators = [new RollupAccumulator(), new RollupAccumulator(), new RollupAccumulator()];
  values.forEach((value, i) => {
    const dimensions: Record<string, string> =
      i % 4 === 0 ? { model: 'churn' } : { model: 'fraud', modelVersion: i % 2 ? 'v1' : 'v2' };
    accumulators[i % 3]!.observe(
      { metric: 'latency_ms', dimensions },
      T0 + Math.floor(random() * 600_000),
      value,
      { distribution: true },
    );
  });
  return accumulators.flatMap((accumulator) => accumulator.rollups());
}

describe('rollupQuery', () => {
  it('selects one metric in [from, to) with each filter as a quoted equality', () => {
    assert.equal(
      rollupQuery(table, 'latency_ms', { model: 'fraud', modelVersion: 'v2' }, T0, T0 + 3_600_000),
      [
        'SELECT * FROM "vigil"."rollups"',
        `WHERE measure_name = 'latency_ms'`,
        `  AND time >= from_milliseconds(${T0})`,
        `  AND time < from_milliseconds(${T0 + 3_600_000})`,
        `  AND "model" = 'fraud'`,
        `  AND "modelVersion" = 'v2'`,
      ].join('\n'),
    );
  });

  it('keeps hostile names and values inside their quotes', () => {
    assert.equal(quoteIdentifier('a" = "a'), '"a"" = ""a"');
    assert.equal(quoteLiteral("x' OR '1'='1"), "'x'' OR ''1''=''1'");
    assert.match(
      rollupQuery(table, "m'; DROP", { 'model"--': "o'brien" }, T0, T0 + 60_000),
      /measure_name = 'm''; DROP'[\s\S]*"model""--" = 'o''brien'$/,
    );
  });

  it('refuses control characters and times that are not epoch milliseconds', () => {
    assert.throws(() => quoteIdentifier('model\n'), /has control characters/);
    assert.throws(() => quoteLiteral('a\u0000b'), /has control characters/);
    assert.throws(() => quoteIdentifier(''), /is empty/);
    assert.throws(() => rollupQuery(table, 'm', {}, 1.5, 2), /from is 1.5; expected epoch milliseconds/);
  });
});

describe('parseTimestreamTimestamp', () => {
  it('reads Timestream TIMESTAMP text as UTC epoch ms', () => {
    assert.equal(parseTimestreamTimestamp('2026-03-10 14:05:00.000000000'), Date.UTC(2026, 2, 10, 14, 5));
    assert.equal(
      parseTimestreamTimestamp('2026-03-10 14:05:07.250000000'),
      Date.UTC(2026, 2, 10, 14, 5, 7, 250),
    );
    assert.throws(() => parseTimestreamTimestamp('yesterday'), /is not a Timestream TIMESTAMP/);
  });
});

describe('parseRollupRows', () => {
  it('reads rows back into the rollups they were written from', () => {
    // Prepare
    const rollups: MetricRollup[] = [
      {
        metric: 'cost_usd',
        dimensions: { model: 'fraud' },
        minute: T0,
        count: 3,
        sum: 0.75,
        min: 0.1,
        max: 0.5,
      },
      {
        metric: 'cost_usd',
        dimensions: { model: 'churn', region: 'eu' },
        minute: T0 + 60_000,
        count: 1,
        sum: 2,
        min: 2,
        max: 2,
      },
    ];
    const { ColumnInfo, Rows } = queryResultOf(recordsOf(rollups));

    // Act
    const parsed = parseRollupRows(ColumnInfo, Rows);

    // Assess
    assert.deepEqual(parsed, rollups);
  });

  it('skips rows that Vigil did not write', () => {
    const columns: ColumnInfo[] = [
      { Name: 'measure_name', Type: { ScalarType: 'VARCHAR' } },
      { Name: 'time', Type: { ScalarType: 'TIMESTAMP' } },
      { Name: 'cpu', Type: { ScalarType: 'DOUBLE' } },
    ];
    const rows: Row[] = [
      { Data: [{ ScalarValue: 'cpu' }, { ScalarValue: timestreamTimestamp(T0) }, { ScalarValue: '0.5' }] },
    ];
    assert.deepEqual(parseRollupRows(columns, rows), []);
  });
});

describe('TimestreamRollupSource', () => {
  beforeEach(() => timestream.reset());

  it('follows NextToken with the same query until the last page', async () => {
    // Prepare
    const rollups = concurrentLatencyRollups();
    const { ColumnInfo, Rows } = queryResultOf(recordsOf(rollups));
    const half = Math.floor(Rows.length / 2);
    timestream
      .on(QueryCommand)
      .resolvesOnce({ QueryId: 'q', ColumnInfo, Rows: Rows.slice(0, half), NextToken: 'page-2' })
      .resolvesOnce({ QueryId: 'q', ColumnInfo, Rows: [], NextToken: 'page-3' })
      .resolvesOnce({ QueryId: 'q', ColumnInfo, Rows: Rows.slice(half) });
    const source = new TimestreamRollupSource({
      client: new TimestreamQueryClient({ region: 'eu-west-1' }),
      ...table,
    });

    // Act
    const read = await source.readRollups('latency_ms', {}, T0, T0 + 3_600_000);

    // Assess
    assert.equal(read.length, rollups.length);
    const inputs = timestream.commandCalls(QueryCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      inputs.map((input) => input.NextToken),
      [undefined, 'page-2', 'page-3'],
    );
    assert.equal(new Set(inputs.map((input) => input.QueryString)).size, 1);
  });

  it('finds nothing for a filter on a dimension the table has no column for yet, and fails on other errors', async () => {
    // Prepare
    const source = new TimestreamRollupSource({
      client: new TimestreamQueryClient({ region: 'eu-west-1' }),
      ...table,
    });
    const unknownColumn = new ValidationException({
      message: "line 4:7: Column 'region' does not exist",
      Message: "line 4:7: Column 'region' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
    timestream.on(QueryCommand).rejectsOnce(unknownColumn).rejectsOnce(new Error('AccessDeniedException'));

    // Act, Assess
    assert.deepEqual(await source.readRollups('latency_ms', { region: 'eu' }, T0, T0 + 60_000), []);
    await assert.rejects(source.readRollups('latency_ms', {}, T0, T0 + 60_000), /AccessDeniedException/);
  });

  it('answers, through RollupMetricReader, what the rollups that were written answer', async () => {
    // Prepare
    const rollups = concurrentLatencyRollups();
    timestream.on(QueryCommand).resolves({ QueryId: 'q', ...queryResultOf(recordsOf(rollups)) });
    const reader = new RollupMetricReader(
      new TimestreamRollupSource({ client: new TimestreamQueryClient({ region: 'eu-west-1' }), ...table }),
    );

    for (const stat of ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p95', 'p99'] as const) {
      const query: MetricQuery = {
        metric: 'latency_ms',
        filters: {},
        groupBy: ['model'],
        stat,
        from: T0,
        to: T0 + 600_000,
        stepMs: 300_000,
      };

      // Act
      const series = await reader.query(query);

      // Assess
      const expected = aggregateRollups(rollups, query);
      assert.deepEqual(
        series.map((s) => s.labels),
        expected.map((s) => s.labels),
      );
      series.forEach((s, i) => {
        s.points.forEach(([time, value], j) => {
          const [expectedTime, expectedValue] = expected[i]!.points[j]!;
          assert.equal(time, expectedTime);
          assert.ok(
            Math.abs(value - expectedValue) <= 1e-9 * Math.abs(expectedValue),
            `${stat}: ${value} vs ${expectedValue}`,
          );
        });
      });
    }
  });
});
