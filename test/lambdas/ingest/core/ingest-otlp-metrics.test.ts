import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { StreamState } from '../../../../lambdas/ingest/core/cumulative.js';
import {
  exportMetricsServiceResponse,
  ingestOtlpMetrics,
  MAX_STREAM_WRITE_ATTEMPTS,
  type OtlpMetricsDependencies,
  type OtlpMetricsIngestion,
  StreamStateUnavailableError,
} from '../../../../lambdas/ingest/core/ingest-otlp-metrics.js';
import type { StreamStateRepository } from '../../../../lambdas/ingest/ports/stream-state-repository.js';
import { type MetricRollup, minuteOf } from '../../../../lambdas/metrics/core/rollup.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { startOtlpCollector } from '../../../support/otlp-collector.js';
import { InMemoryStreamStateRepository } from '../support/in-memory-stream-state-repository.js';

const NOW = Date.UTC(2026, 2, 10, 14, 0, 30);
const DAY_MS = 24 * 60 * 60 * 1000;
const nanos = (epochMs: number) => (BigInt(epochMs) * 1_000_000n).toString();
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

function exportRequest(metrics: object[], resourceAttributes: object[] = [text('service.name', 'churn')]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: resourceAttributes },
        scopeMetrics: [{ scope: { name: 'test', version: '1' }, metrics }],
      },
    ],
  };
}

function dependencies(overrides: Partial<OtlpMetricsDependencies> = {}): OtlpMetricsDependencies {
  return {
    streamState: new InMemoryStreamStateRepository(),
    now: () => NOW,
    maxTimestampAgeMs: DAY_MS,
    maxDimensionValuesPerMetric: 100,
    ...overrides,
  };
}

function rollupsOf(ingestion: OtlpMetricsIngestion, metric: string): MetricRollup[] {
  return ingestion.rollups.filter((rollup) => rollup.metric === metric);
}

const total = (rollups: MetricRollup[], field: 'sum' | 'count') =>
  rollups.reduce((sum, rollup) => sum + rollup[field], 0);

describe('ingestOtlpMetrics: mapping each data type', () => {
  it('maps gauge points to a distribution per series and minute, with model from service.name', async () => {
    const values = [3, 9, 6];
    const body = exportRequest([
      {
        name: 'queue_depth',
        gauge: {
          dataPoints: values.map((value, i) => ({
            attributes: [text('region', 'eu')],
            timeUnixNano: nanos(NOW - i * 1000),
            asDouble: value,
          })),
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(ingestion.acceptedDataPoints, 3);
    assert.equal(ingestion.rejectedDataPoints, 0);
    assert.deepEqual(exportMetricsServiceResponse(ingestion), {});
    const [rollup, ...others] = ingestion.rollups;
    assert.equal(others.length, 0);
    assert.deepEqual(rollup!.dimensions, { region: 'eu', model: 'churn' });
    assert.equal(rollup!.minute, minuteOf(NOW));
    assert.equal(rollup!.count, values.length);
    assert.equal(rollup!.sum, 3 + 9 + 6);
    assert.equal(rollup!.min, 3);
    assert.equal(rollup!.max, 9);
    assert.equal(rollup!.sketch?.count, values.length);
  });

  it('adds delta sum values (asInt as a string) without a sketch', async () => {
    const body = exportRequest([
      {
        name: 'tokens',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: [
            { startTimeUnixNano: nanos(NOW - 20_000), timeUnixNano: nanos(NOW - 10_000), asInt: '120' },
            { startTimeUnixNano: nanos(NOW - 10_000), timeUnixNano: nanos(NOW), asInt: '80' },
          ],
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    const rollups = rollupsOf(ingestion, 'tokens');
    assert.equal(total(rollups, 'sum'), 200);
    assert.ok(rollups.every((rollup) => rollup.sketch === undefined));
  });

  it('counts a cumulative sum once however often it is exported, and what it added in between', async () => {
    const streamState = new InMemoryStreamStateRepository();
    const start = nanos(NOW - 60_000);
    const cumulative = (value: number, at: number) =>
      exportRequest([
        {
          name: 'predictions',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [{ startTimeUnixNano: start, timeUnixNano: nanos(at), asInt: value }],
          },
        },
      ]);

    const first = await ingestOtlpMetrics(cumulative(10, NOW - 20_000), dependencies({ streamState }));
    const repeated = await ingestOtlpMetrics(cumulative(10, NOW - 20_000), dependencies({ streamState }));
    const second = await ingestOtlpMetrics(cumulative(25, NOW), dependencies({ streamState }));

    // The counter went 0 -> 10 -> 25 since its start: 10, then nothing for the repeat, then 15.
    assert.equal(total(rollupsOf(first, 'predictions'), 'sum'), 10);
    assert.equal(repeated.rollups.length, 0);
    assert.equal(repeated.acceptedDataPoints, 1, 'a repeated point is valid, it just adds nothing');
    assert.equal(total(rollupsOf(second, 'predictions'), 'sum'), 15);
    assert.equal([...streamState.states.values()][0]?.version, 2);
  });

  it('sorts the points of one stream by time before taking differences', async () => {
    const start = nanos(NOW - 60_000);
    const body = exportRequest([
      {
        name: 'predictions',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [
            { startTimeUnixNano: start, timeUnixNano: nanos(NOW), asInt: 15 },
            { startTimeUnixNano: start, timeUnixNano: nanos(NOW - 10_000), asInt: 10 },
          ],
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(total(ingestion.rollups, 'sum'), 15);
  });

  it('maps a delta histogram to exact count, sum, min and max with a sketch over its buckets', async () => {
    const body = exportRequest([
      {
        name: 'latency_ms',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: [
            {
              timeUnixNano: nanos(NOW),
              count: '5',
              sum: 370,
              min: 4,
              max: 200,
              explicitBounds: [10, 100],
              bucketCounts: ['2', '2', '1'],
            },
          ],
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    const [rollup] = ingestion.rollups;
    assert.deepEqual(
      [rollup!.count, rollup!.sum, rollup!.min, rollup!.max, rollup!.sketch?.count],
      [5, 370, 4, 200, 5],
    );
  });

  it('turns cumulative histograms into deltas of count, sum and buckets', async () => {
    const streamState = new InMemoryStreamStateRepository();
    const start = nanos(NOW - 120_000);
    const histogram = (at: number, bucketCounts: number[], sum: number) =>
      exportRequest([
        {
          name: 'latency_ms',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                startTimeUnixNano: start,
                timeUnixNano: nanos(at),
                count: bucketCounts.reduce((a, b) => a + b, 0),
                sum,
                explicitBounds: [10, 100],
                bucketCounts,
              },
            ],
          },
        },
      ]);

    await ingestOtlpMetrics(histogram(NOW - 60_000, [1, 3, 0], 150), dependencies({ streamState }));
    const later = await ingestOtlpMetrics(histogram(NOW, [2, 5, 3], 1000), dependencies({ streamState }));

    // Between the two exports: 1 value in (-inf, 10], 2 in (10, 100], 3 above 100, adding up to 850.
    const [rollup] = later.rollups;
    assert.equal(rollup!.count, 1 + 2 + 3);
    assert.equal(rollup!.sum, 1000 - 150);
    assert.equal(rollup!.sketch?.count, 6);
    assert.equal(rollup!.min, 10, 'min estimated from the lowest bucket holding values: its bound');
    assert.equal(rollup!.max, 100, 'max estimated from the highest bucket holding values: its bound');
  });

  it('maps an exponential histogram with its zero bucket and negative values', async () => {
    const body = exportRequest([
      {
        name: 'drift',
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: [
            {
              timeUnixNano: nanos(NOW),
              count: 6,
              sum: 4.5,
              min: -1.5,
              max: 3,
              scale: 0,
              zeroCount: 1,
              positive: { offset: 0, bucketCounts: [2, 2] },
              negative: { offset: 0, bucketCounts: [1] },
            },
          ],
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    const [rollup] = ingestion.rollups;
    assert.deepEqual([rollup!.count, rollup!.sum, rollup!.min, rollup!.max], [6, 4.5, -1.5, 3]);
    const sketch = rollup!.sketch!;
    assert.equal(sketch.count, 6);
    assert.equal(sketch.zeroCount, 1);
    assert.equal(sketch.negativeStore.count, 1);
  });
});

describe('ingestOtlpMetrics: rejections and the partial-success answer', () => {
  it('rejects summary points but keeps the other metrics of the request', async () => {
    const body = exportRequest([
      {
        name: 'rpc_latency',
        summary: { dataPoints: [{ timeUnixNano: nanos(NOW) }, { timeUnixNano: nanos(NOW) }] },
      },
      { name: 'queue_depth', gauge: { dataPoints: [{ timeUnixNano: nanos(NOW), asInt: 4 }] } },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(ingestion.acceptedDataPoints, 1);
    assert.equal(ingestion.rejectedDataPoints, 2);
    assert.equal(rollupsOf(ingestion, 'queue_depth').length, 1);
    assert.match(
      ingestion.errorMessage ?? '',
      /metric "rpc_latency": 2 data points rejected: summary metrics are not supported/,
    );
    assert.deepEqual(exportMetricsServiceResponse(ingestion), {
      partialSuccess: { rejectedDataPoints: '2', errorMessage: ingestion.errorMessage },
    });
  });

  it('rejects points older than the retention edge or more than 5 minutes ahead, at the exact edges', async () => {
    const cases = [
      { at: NOW - DAY_MS, accepted: true },
      { at: NOW - DAY_MS - 1, accepted: false },
      { at: NOW + 5 * 60_000, accepted: true },
      { at: NOW + 5 * 60_000 + 1, accepted: false },
    ];
    const body = exportRequest([
      {
        name: 'queue_depth',
        gauge: { dataPoints: cases.map(({ at }) => ({ timeUnixNano: nanos(at), asInt: 1 })) },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(ingestion.acceptedDataPoints, 2);
    assert.equal(ingestion.rejectedDataPoints, 2);
    assert.deepEqual(
      ingestion.rollups.map((rollup) => rollup.minute).sort(),
      cases
        .filter((c) => c.accepted)
        .map((c) => minuteOf(c.at))
        .sort(),
    );
    assert.match(
      ingestion.errorMessage ?? '',
      /2 data points rejected: timeUnixNano must lie from the store's retention edge/,
    );
  });

  it('rejects points without any model, saying where a model can come from', async () => {
    const body = exportRequest(
      [{ name: 'queue_depth', gauge: { dataPoints: [{ timeUnixNano: nanos(NOW), asInt: 1 }] } }],
      [],
    );

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(ingestion.rejectedDataPoints, 1);
    assert.match(
      ingestion.errorMessage ?? '',
      /no model: set the data point's "model" attribute, or the resource's "vigil.model" or "service.name"/,
    );
  });

  it('prefers the point model over the resource vigil.model', async () => {
    const body = exportRequest(
      [
        {
          name: 'queue_depth',
          gauge: {
            dataPoints: [
              { timeUnixNano: nanos(NOW), asInt: 1, attributes: [text('model', 'ranker')] },
              { timeUnixNano: nanos(NOW), asInt: 2 },
            ],
          },
        },
      ],
      [text('vigil.model', 'churn'), text('service.name', 'svc')],
    );

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.deepEqual(ingestion.rollups.map((rollup) => rollup.dimensions.model).sort(), ['churn', 'ranker']);
  });

  it('rejects sums and histograms whose aggregation temporality is unspecified', async () => {
    const body = exportRequest([
      { name: 'tokens', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: nanos(NOW), asInt: 1 }] } },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies());

    assert.equal(ingestion.rejectedDataPoints, 1);
    assert.match(
      ingestion.errorMessage ?? '',
      /aggregationTemporality must be 1 \(delta\) or 2 \(cumulative\): got none/,
    );
  });

  it('caps the distinct values of a dimension per metric, records the rest as __other__ and says so', async () => {
    const users = ['u1', 'u2', 'u3', 'u4'];
    const body = exportRequest([
      {
        name: 'requests',
        sum: {
          aggregationTemporality: 1,
          dataPoints: users.map((user) => ({
            timeUnixNano: nanos(NOW),
            asInt: 1,
            attributes: [text('user', user)],
          })),
        },
      },
    ]);

    const ingestion = await ingestOtlpMetrics(body, dependencies({ maxDimensionValuesPerMetric: 2 }));

    const byUser = Object.fromEntries(
      ingestion.rollups.map((rollup) => [rollup.dimensions.user, rollup.sum]),
    );
    assert.deepEqual(byUser, { u1: 1, u2: 1, __other__: 2 });
    assert.equal(ingestion.rejectedDataPoints, 0);
    const response = exportMetricsServiceResponse(ingestion);
    assert.equal(response.partialSuccess?.rejectedDataPoints, '0');
    assert.match(
      response.partialSuccess?.errorMessage ?? '',
      /dimension "user" had more than 2 distinct values/,
    );
  });

  it('throws a ValidationError (a 400) for an envelope it cannot read', async () => {
    await assert.rejects(
      ingestOtlpMetrics({ resourceMetrics: 'all of them' }, dependencies()),
      ValidationError,
    );
  });
});

/** A repository whose writes always lose the race, as if another request stored the stream each time. */
class AlwaysConcurrentlyUpdated extends InMemoryStreamStateRepository {
  puts = 0;
  override async put(): Promise<boolean> {
    this.puts += 1;
    return false;
  }
}

/** A repository whose writes fail, as during a store outage. */
class FailingWrites extends InMemoryStreamStateRepository {
  override async put(): Promise<boolean> {
    throw new Error('ProvisionedThroughputExceededException: rate exceeded');
  }
}

describe('ingestOtlpMetrics: when stream state cannot be stored', () => {
  const body = exportRequest([
    {
      name: 'predictions',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [{ startTimeUnixNano: nanos(NOW - 60_000), timeUnixNano: nanos(NOW), asInt: 10 }],
      },
    },
    { name: 'queue_depth', gauge: { dataPoints: [{ timeUnixNano: nanos(NOW), asInt: 4 }] } },
  ]);

  it(`rejects a stream's points after ${MAX_STREAM_WRITE_ATTEMPTS} lost races, recording nothing for them`, async () => {
    const streamState = new AlwaysConcurrentlyUpdated();

    const ingestion = await ingestOtlpMetrics(body, dependencies({ streamState }));

    assert.equal(streamState.puts, MAX_STREAM_WRITE_ATTEMPTS);
    assert.equal(rollupsOf(ingestion, 'predictions').length, 0);
    assert.equal(rollupsOf(ingestion, 'queue_depth').length, 1);
    assert.equal(ingestion.rejectedDataPoints, 1);
    assert.match(
      ingestion.errorMessage ?? '',
      /updated concurrently 5 times; its next export will carry these totals/,
    );
  });

  it("rejects a stream's points when its state write fails, with the store's reason", async () => {
    const ingestion = await ingestOtlpMetrics(body, dependencies({ streamState: new FailingWrites() }));

    assert.equal(ingestion.rejectedDataPoints, 1);
    assert.equal(ingestion.acceptedDataPoints, 1);
    assert.match(ingestion.errorMessage ?? '', /could not be stored.*rate exceeded/);
  });

  it('throws StreamStateUnavailableError (a 503) when stream state cannot be read, before anything is stored', async () => {
    const streamState: StreamStateRepository = {
      retentionMs: DAY_MS,
      getMany: async () => {
        throw new Error('store unreachable');
      },
      put: async () => assert.fail('nothing may be written without a read'),
    };

    await assert.rejects(ingestOtlpMetrics(body, dependencies({ streamState })), (error: unknown) => {
      assert.ok(error instanceof StreamStateUnavailableError);
      assert.match(error.message, /cumulative stream state could not be read: store unreachable/);
      return true;
    });
  });
});

describe('ingestOtlpMetrics with the OpenTelemetry JS exporter', () => {
  it('counts a cumulative counter and histogram once across repeated exports, and records the gauge', async () => {
    // Prepare: an SDK with default (cumulative) temporality exporting OTLP/HTTP JSON to a local collector.
    const collector = await startOtlpCollector();
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: collector.url('/v1/metrics') }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'vigil.model': 'churn' }),
      readers: [reader],
    });
    const meter = provider.getMeter('vigil-test', '1.0.0');
    const counter = meter.createCounter('predictions');
    const histogram = meter.createHistogram('latency_ms');
    const gauge = meter.createGauge('queue_depth');
    const latencies = [1, 7, 30, 200];
    try {
      counter.add(3, { route: '/predict' });
      counter.add(4, { route: '/predict' });
      for (const latency of latencies) histogram.record(latency, { route: '/predict' });
      gauge.record(42);
      // The SDK stamps times in whole milliseconds; a first point with start equal to time would be an
      // unknown-start baseline (data model spec), so let the clock move past the start before exporting.
      await setTimeout(5);
      await reader.forceFlush();
      await reader.forceFlush(); // no new measurements: the same cumulative totals, at a later time
    } finally {
      await provider.shutdown();
      await collector.close();
    }
    const streamState = new InMemoryStreamStateRepository();
    const deps = dependencies({ streamState, now: Date.now });

    // Act: ingest every export (two flushes, and the one shutdown makes), then the first again, as a
    // retried request arriving late.
    const exports = collector.received;
    const ingestions = [];
    for (const { body } of [...exports, exports[0]!]) ingestions.push(await ingestOtlpMetrics(body, deps));

    // Assess
    assert.ok(exports.length >= 2, `${exports.length} exports`);
    assert.match(exports[0]!.headers['content-type'] ?? '', /^application\/json/);
    assert.ok(
      ingestions.every((ingestion) => ingestion.rejectedDataPoints === 0),
      JSON.stringify(ingestions.map((i) => i.errorMessage)),
    );
    const rollups = ingestions.flatMap((ingestion) => ingestion.rollups);
    const predictions = rollups.filter((rollup) => rollup.metric === 'predictions');
    assert.equal(total(predictions, 'sum'), 3 + 4);
    assert.deepEqual(predictions[0]!.dimensions, { route: '/predict', model: 'churn' });
    const latency = rollups.filter((rollup) => rollup.metric === 'latency_ms');
    assert.equal(total(latency, 'count'), latencies.length);
    assert.equal(
      total(latency, 'sum'),
      latencies.reduce((a, b) => a + b, 0),
    );
    assert.equal(Math.min(...latency.map((r) => r.min)), Math.min(...latencies));
    assert.equal(Math.max(...latency.map((r) => r.max)), Math.max(...latencies));
    const queueDepth = rollups.filter((rollup) => rollup.metric === 'queue_depth');
    assert.ok(queueDepth.length > 0 && queueDepth.every((rollup) => rollup.max === 42 && rollup.min === 42));
    assert.equal(streamState.states.size, 2, 'one stream for the counter, one for the histogram');
    assert.ok(
      [...streamState.states.values()].every((state: StreamState) => state.version === exports.length),
    );
  });
});
