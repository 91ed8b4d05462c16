import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DuckDbMetricStore,
  IN_MEMORY,
} from '../../../../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { RollupMetricReader } from '../../../../../lambdas/metrics/core/aggregate.js';
import {
  type Dimensions,
  dimensionsKey,
  type MetricRollup,
  RollupAccumulator,
} from '../../../../../lambdas/metrics/core/rollup.js';
import { mergeSketches } from '../../../../../lambdas/metrics/core/sketch.js';
import { logNormalSamples, nearestRankQuantile, seededRandom } from '../../../../support/random.js';

const repositoryRoot = new URL('../../../../../', import.meta.url).pathname;
const HOUR = Date.UTC(2025, 0, 15, 10);
const MINUTE = 60_000;

/** A plain rollup without a sketch, for tests about rows rather than distributions. */
function rollup(metric: string, dimensions: Dimensions, minute: number, value = 1): MetricRollup {
  return { metric, dimensions, minute, count: 1, sum: value, min: value, max: value };
}

/** What identifies a stored row, to compare reads regardless of order. */
function rowKeys(rollups: readonly MetricRollup[]): string[] {
  return rollups.map((r) => `${r.metric} ${dimensionsKey(r.dimensions)} ${r.minute} ${r.sum}`).sort();
}

/** Latency rollups for two models over three minutes, with sketches, from seeded log-normal samples. */
function latencyRollups(): MetricRollup[] {
  const random = seededRandom(7);
  const accumulator = new RollupAccumulator();
  for (const model of ['fraud', 'churn']) {
    for (let minute = 0; minute < 3; minute++) {
      for (const latency of logNormalSamples(random, 400, 4, 0.6)) {
        const series = { metric: 'latency_ms', dimensions: { model, modelVersion: '3' } };
        accumulator.observe(series, HOUR + minute * MINUTE + Math.floor(random() * MINUTE), latency, {
          distribution: true,
        });
      }
    }
  }
  return accumulator.rollups();
}

describe('DuckDbMetricStore', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-duckdb-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads back counts, sums, extremes and sketches as written', async () => {
    // Prepare
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const written = latencyRollups();

    // Act
    const outcome = await store.write(written);
    const read = await store.readRollups('latency_ms', {}, HOUR, HOUR + 3 * MINUTE);
    await store.close();

    // Assess
    assert.deepEqual(outcome, { written: written.length, rejected: [] });
    const byRow = (rollups: readonly MetricRollup[]) =>
      new Map(rollups.map((r) => [`${dimensionsKey(r.dimensions)} ${r.minute}`, r]));
    const readByRow = byRow(read);
    assert.equal(readByRow.size, written.length);
    for (const [key, expected] of byRow(written)) {
      const actual = readByRow.get(key);
      assert.ok(actual, `row ${key} was not read back`);
      assert.deepEqual(
        { metric: actual.metric, dimensions: actual.dimensions, count: actual.count, sum: actual.sum },
        {
          metric: expected.metric,
          dimensions: expected.dimensions,
          count: expected.count,
          sum: expected.sum,
        },
      );
      assert.equal(actual.min, expected.min);
      assert.equal(actual.max, expected.max);
      assert.equal(actual.sketch?.count, expected.sketch?.count);
    }
    const mergedBefore = mergeSketches(written.map((r) => r.sketch!));
    const mergedAfter = mergeSketches(read.map((r) => r.sketch!));
    for (const quantile of [0.5, 0.9, 0.95, 0.99]) {
      assert.equal(mergedAfter.getValueAtQuantile(quantile), mergedBefore.getValueAtQuantile(quantile));
    }
  });

  it('keeps rollups without a sketch sketchless', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    await store.write([rollup('predictions', { model: 'fraud' }, HOUR, 12)]);

    const [read] = await store.readRollups('predictions', {}, HOUR, HOUR + MINUTE);
    await store.close();

    assert.equal(read?.sum, 12);
    assert.equal(read?.sketch, undefined);
  });

  it('appends: two writes of the same series and minute are two rows', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const first = rollup('predictions', { model: 'fraud' }, HOUR, 3);
    const second = rollup('predictions', { model: 'fraud' }, HOUR, 5);

    await store.write([first]);
    await store.write([second]);
    const read = await store.readRollups('predictions', { model: 'fraud' }, HOUR, HOUR + MINUTE);
    await store.close();

    assert.deepEqual(rowKeys(read), rowKeys([first, second]));
  });

  it('stores a replayed rollup once when it carries the id it was first written with', async () => {
    // Prepare: a batch whose first rollup landed before the write failed, then the whole batch replayed.
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const landed = rollup('predictions', { model: 'fraud' }, HOUR, 3);
    const missing = rollup('predictions', { model: 'fraud' }, HOUR + MINUTE, 4);
    const laterRequest = rollup('predictions', { model: 'fraud' }, HOUR, 5);
    await store.write([landed], { rollupIds: ['batch-a.0'] });

    // Act
    const replay = await store.write([landed, missing], { rollupIds: ['batch-a.0', 'batch-a.1'] });
    const secondReplay = await store.write([landed, missing], { rollupIds: ['batch-a.0', 'batch-a.1'] });
    const newBatch = await store.write([laterRequest], { rollupIds: ['batch-b.0'] });
    const read = await store.readRollups('predictions', {}, HOUR, HOUR + 2 * MINUTE);
    await store.close();

    // Assess
    assert.deepEqual([replay.written, secondReplay.written, newBatch.written], [2, 2, 1]);
    assert.deepEqual(rowKeys(read), rowKeys([landed, missing, laterRequest]));
  });

  it('refuses a write whose rollup ids do not match its rollups one to one', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);

    const write = store.write([rollup('predictions', {}, HOUR)], { rollupIds: ['a.0', 'a.1'] });

    await assert.rejects(write, /got 2 rollup ids for 1 rollups; expected one id per rollup/);
    assert.deepEqual(await store.readRollups('predictions', {}, HOUR, HOUR + MINUTE), []);
    await store.close();
  });

  it('matches filters exactly on every filtered dimension, and only the asked metric', async () => {
    // Prepare
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const fraudV1 = rollup('errors', { model: 'fraud', modelVersion: '1' }, HOUR);
    const fraudV2 = rollup('errors', { model: 'fraud', modelVersion: '2' }, HOUR);
    const fraudTimeout = rollup('errors', { model: 'fraud', modelVersion: '2', errorType: 'timeout' }, HOUR);
    const churn = rollup('errors', { model: 'churn' }, HOUR);
    const fraudPrefix = rollup('errors', { model: 'fraud-detector' }, HOUR);
    const otherMetric = rollup('predictions', { model: 'fraud', modelVersion: '1' }, HOUR);
    await store.write([fraudV1, fraudV2, fraudTimeout, churn, fraudPrefix, otherMetric]);
    const read = (filters: Dimensions) => store.readRollups('errors', filters, HOUR, HOUR + MINUTE);

    // Act
    const all = await read({});
    const fraud = await read({ model: 'fraud' });
    const fraudVersion2 = await read({ model: 'fraud', modelVersion: '2' });
    const timeouts = await read({ errorType: 'timeout' });
    const unknownDimension = await read({ region: 'eu' });
    await store.close();

    // Assess
    assert.deepEqual(rowKeys(all), rowKeys([fraudV1, fraudV2, fraudTimeout, churn, fraudPrefix]));
    assert.deepEqual(rowKeys(fraud), rowKeys([fraudV1, fraudV2, fraudTimeout]));
    assert.deepEqual(rowKeys(fraudVersion2), rowKeys([fraudV2, fraudTimeout]));
    assert.deepEqual(rowKeys(timeouts), rowKeys([fraudTimeout]));
    assert.deepEqual(unknownDimension, []);
  });

  it('reads minutes in [from, to): from inclusive, to exclusive', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const minutes = [-1, 0, 1, 58, 59, 60].map((offset) => HOUR + offset * MINUTE);
    await store.write(minutes.map((minute) => rollup('predictions', {}, minute, minute)));
    const readMinutes = async (from: number, to: number) =>
      (await store.readRollups('predictions', {}, from, to)).map((r) => r.minute).sort((a, b) => a - b);

    const wholeHour = await readMinutes(HOUR, HOUR + 60 * MINUTE);
    const fromInsideAMinute = await readMinutes(HOUR + 1, HOUR + 60 * MINUTE);
    const toInsideAMinute = await readMinutes(HOUR, HOUR + 59 * MINUTE + 1);
    const fractionalBounds = await readMinutes(HOUR - 0.5, HOUR + 0.5);
    const emptyRange = await readMinutes(HOUR, HOUR);
    await store.close();

    assert.deepEqual(
      wholeHour,
      [0, 1, 58, 59].map((offset) => HOUR + offset * MINUTE),
    );
    // A minute that starts before `from` is outside the range; one that starts before `to` is inside.
    assert.deepEqual(
      fromInsideAMinute,
      [1, 58, 59].map((offset) => HOUR + offset * MINUTE),
    );
    assert.deepEqual(
      toInsideAMinute,
      [0, 1, 58, 59].map((offset) => HOUR + offset * MINUTE),
    );
    assert.deepEqual(fractionalBounds, [HOUR]);
    assert.deepEqual(emptyRange, []);
  });

  it('treats quotes and SQL-looking text in metrics and dimension names and values as data', async () => {
    // Prepare
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const oddDimensions: Dimensions = {
      "it's": 'say "hi"',
      'a"b': "x'); DROP TABLE metric_rollups; --",
      $1: '$2',
      'dims]["x': '\\n\u0000\n',
      模型: 'ünïcødé 🚀',
      '': '',
    };
    const oddMetric = `latency'"; SELECT 1; --`;
    const written = rollup(oddMetric, oddDimensions, HOUR, 42);
    const plain = rollup(oddMetric, { model: 'plain' }, HOUR, 1);

    // Act
    await store.write([written, plain]);
    const byEveryDimension = await store.readRollups(oddMetric, oddDimensions, HOUR, HOUR + MINUTE);
    const byOneDimension = await store.readRollups(oddMetric, { $1: '$2' }, HOUR, HOUR + MINUTE);
    const byWrongValue = await store.readRollups(oddMetric, { "it's": "say 'hi'" }, HOUR, HOUR + MINUTE);
    const everything = await store.readRollups(oddMetric, {}, HOUR, HOUR + MINUTE);
    await store.close();

    // Assess
    assert.deepEqual(byEveryDimension, [written]);
    assert.deepEqual(byOneDimension, [written]);
    assert.deepEqual(byWrongValue, []);
    assert.deepEqual(rowKeys(everything), rowKeys([written, plain]));
  });

  it('rejects rollups it cannot store faithfully and keeps the rest of the write', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const good = rollup('cost_usd', { model: 'fraud' }, HOUR, 0.25);
    const notANumber = { ...good, sum: Number.NaN };
    const fractionalMinute = { ...good, minute: HOUR + 0.5 };

    const outcome = await store.write([notANumber, good, fractionalMinute]);
    const read = await store.readRollups('cost_usd', {}, HOUR - MINUTE, HOUR + MINUTE);
    await store.close();

    assert.equal(outcome.written, 1);
    assert.deepEqual(
      outcome.rejected.map(({ rollup, reason }) => [rollup, reason]),
      [
        [notANumber, 'sum must be a finite number, got NaN'],
        [fractionalMinute, `minute must be an integer epoch ms, got ${HOUR + 0.5}`],
      ],
    );
    assert.deepEqual(read, [good]);
  });

  it('serialises concurrent writes, so none is lost to an already open transaction', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const batches = Array.from({ length: 20 }, (_, batch) =>
      Array.from({ length: 5 }, (_, series) => rollup('predictions', { model: `m${series}` }, HOUR, batch)),
    );

    const outcomes = await Promise.all(batches.map((batch) => store.write(batch)));
    const read = await store.readRollups('predictions', {}, HOUR, HOUR + MINUTE);
    await store.close();

    assert.deepEqual(
      outcomes.map((o) => o.written),
      batches.map((b) => b.length),
    );
    assert.deepEqual(rowKeys(read), rowKeys(batches.flat()));
  });

  it('keeps rollups in its file across close and reopen, and releases the file on close', async () => {
    // Prepare
    const path = join(dataDir, 'nested', 'metrics.duckdb');
    const written = latencyRollups();
    const first = await DuckDbMetricStore.open(path);
    await first.write(written);

    // Act
    await first.close();
    // DuckDB locks the file per process, so only another process can tell whether close released it.
    const otherProcess = spawnSync(
      process.execPath,
      [
        '-e',
        `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(path)})
          .then((db) => db.connect())
          .then((c) => c.runAndReadAll('SELECT count(*)::INTEGER FROM metric_rollups'))
          .then((r) => console.log(r.getRows()[0][0]))`,
      ],
      { cwd: repositoryRoot, encoding: 'utf8' },
    );
    const reopened = await DuckDbMetricStore.open(path);
    const read = await reopened.readRollups('latency_ms', {}, HOUR, HOUR + 3 * MINUTE);
    await reopened.close();

    // Assess
    assert.equal(otherProcess.stderr, '');
    assert.equal(otherProcess.stdout.trim(), String(written.length));
    assert.deepEqual(rowKeys(read), rowKeys(written));
    assert.equal(
      mergeSketches(read.map((r) => r.sketch!)).getValueAtQuantile(0.95),
      mergeSketches(written.map((r) => r.sketch!)).getValueAtQuantile(0.95),
    );
  });

  it('answers its health check while open and refuses work once closed', async () => {
    const store = await DuckDbMetricStore.open(IN_MEMORY);

    await store.healthCheck();
    await store.close();
    await store.close();

    await assert.rejects(store.healthCheck(), /the DuckDB metric store at :memory: is closed/);
    await assert.rejects(store.write([rollup('predictions', {}, HOUR)]), /is closed/);
  });

  it('gives RollupMetricReader an hourly p95 within 2 % of the exact p95 of the raw values', async () => {
    // Prepare: an hour of log-normal latencies for one model plus a slower one that the filter must keep
    // out, written as requests would: each request spans a minute starting every 30 s, so every minute is
    // split over rows from several requests that the reader has to merge.
    const random = seededRandom(2025);
    const store = await DuckDbMetricStore.open(IN_MEMORY);
    const rawFraudLatencies: number[] = [];
    for (let requestStart = HOUR; requestStart + MINUTE <= HOUR + 60 * MINUTE; requestStart += MINUTE / 2) {
      const accumulator = new RollupAccumulator();
      for (const [model, mu] of [
        ['fraud', 4.5],
        ['churn', 6],
      ] as const) {
        for (const latency of logNormalSamples(random, 250, mu, 0.5)) {
          if (model === 'fraud') rawFraudLatencies.push(latency);
          const timestamp = requestStart + Math.floor(random() * MINUTE);
          accumulator.observe({ metric: 'latency_ms', dimensions: { model } }, timestamp, latency, {
            distribution: true,
          });
        }
      }
      await store.write(accumulator.rollups());
    }
    const reader = new RollupMetricReader(store);

    // Act
    const [series, ...others] = await reader.query({
      metric: 'latency_ms',
      filters: { model: 'fraud' },
      groupBy: [],
      stat: 'p95',
      from: HOUR,
      to: HOUR + 60 * MINUTE,
    });
    await store.close();

    // Assess
    assert.deepEqual(others, []);
    assert.equal(series?.points.length, 1);
    const [, p95] = series.points[0]!;
    const exactP95 = nearestRankQuantile(rawFraudLatencies, 0.95);
    const relativeError = Math.abs(p95 - exactP95) / exactP95;
    assert.ok(relativeError <= 0.02, `p95 ${p95} vs exact ${exactP95}: relative error ${relativeError}`);
  });
});
