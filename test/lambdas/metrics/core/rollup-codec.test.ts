import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricRollup } from '../../../../lambdas/metrics/core/rollup.js';
import {
  collapseLowestBins,
  decodeQueuedRetryMessage,
  decodeRetryMessage,
  decodeRollup,
  decodeSketchBase64,
  encodeEventRetryMessage,
  encodeRetryMessage,
  encodeRollup,
  encodeSketchBase64,
  sketchBins,
  sketchFromBins,
} from '../../../../lambdas/metrics/core/rollup-codec.js';
import { encodeSketch } from '../../../../lambdas/metrics/core/sketch.js';
import type { SpilledEvents } from '../../../../lambdas/metrics/ports/retry-queue.js';
import { logNormalSamples, seededRandom } from '../../../support/random.js';
import { sketchOf } from '../../../support/sketches.js';

const QUANTILES = [0, 0.1, 0.5, 0.9, 0.95, 0.99, 1];
const MINUTE = Date.UTC(2026, 2, 10, 14, 5);

/** Equal but for float rounding: a decoded sketch rebuilds its mapping from gamma, off in the last bits. */
function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${actual} is not ${expected}`);
}

const latencies = logNormalSamples(seededRandom(7), 2000, Math.log(120), 0.6);

describe('encodeSketchBase64 / decodeSketchBase64', () => {
  it('round-trips a sketch: every quantile and the count come back as they were', () => {
    // Prepare
    const sketch = sketchOf(latencies);

    // Act
    const decoded = decodeSketchBase64(encodeSketchBase64(sketch));

    // Assess
    assert.equal(decoded.count, sketch.count);
    for (const q of QUANTILES) assertClose(decoded.getValueAtQuantile(q), sketch.getValueAtQuantile(q));
  });

  it('is far smaller than the base64 of the raw protobuf, which pads the bins to 128 doubles', () => {
    // Prepare
    const sketch = sketchOf([50, 51, 52, 55, 58, 60]);

    // Act
    const text = encodeSketchBase64(sketch);

    // Assess
    const rawBase64 = Buffer.from(encodeSketch(sketch)).toString('base64');
    assert.ok(rawBase64.length > 1000, `raw protobuf base64 is ${rawBase64.length} characters`);
    assert.ok(text.length < 200, `deflated base64 is ${text.length} characters`);
  });

  it('encodes the same sketch to the same text, so a retried record is identical', () => {
    assert.equal(encodeSketchBase64(sketchOf(latencies)), encodeSketchBase64(sketchOf(latencies)));
  });
});

describe('sketchBins', () => {
  it('lists one bin per distinct bucket, lowest first, each value within 1 % of the values it holds', () => {
    // Prepare: 2 × 1, 3 × 10, 5 × 100 are 1 % buckets apart, so they fall in three bins.
    const sketch = sketchOf([1, 1, 10, 10, 10, 100, 100, 100, 100, 100]);

    // Act
    const bins = sketchBins(sketch);

    // Assess
    assert.deepEqual(
      bins.map((bin) => bin.count),
      [2, 3, 5],
    );
    for (const [bin, exact] of bins.map((bin, i) => [bin, [1, 10, 100][i]!] as const)) {
      assert.ok(Math.abs(bin.value - exact) / exact <= 0.01, `bin ${bin.value} for ${exact}`);
    }
  });

  it('puts negative values first and zeros in a bin of value 0', () => {
    // Prepare
    const sketch = sketchOf([-5, -5, 0, 0, 0, 3]);

    // Act
    const bins = sketchBins(sketch);

    // Assess
    assert.deepEqual(
      bins.map((bin) => [Math.sign(bin.value), bin.count]),
      [
        [-1, 2],
        [0, 3],
        [1, 1],
      ],
    );
    assert.ok(Math.abs(bins[0]!.value + 5) / 5 <= 0.01);
  });
});

describe('sketchFromBins', () => {
  it('rebuilds a sketch with the same bins and quantiles', () => {
    // Prepare
    const sketch = sketchOf(latencies);

    // Act
    const rebuilt = sketchFromBins(sketchBins(sketch));

    // Assess
    assert.deepEqual(sketchBins(rebuilt), sketchBins(sketch));
    for (const q of QUANTILES) assert.equal(rebuilt.getValueAtQuantile(q), sketch.getValueAtQuantile(q));
  });
});

describe('collapseLowestBins', () => {
  it('keeps the highest bins and the total count, folding the lowest into the lowest kept bin', () => {
    // Prepare
    const sketch = sketchOf(latencies);
    const bins = sketchBins(sketch);
    const keep = 20;

    // Act
    const collapsed = collapseLowestBins(sketch, keep);

    // Assess
    const collapsedBins = sketchBins(collapsed);
    assert.equal(collapsedBins.length, keep);
    assert.equal(collapsed.count, sketch.count);
    assert.deepEqual(collapsedBins.slice(1), bins.slice(bins.length - keep + 1));
    assert.equal(
      collapsedBins[0]!.count,
      bins.slice(0, bins.length - keep + 1).reduce((sum, bin) => sum + bin.count, 0),
    );
    assert.equal(collapsed.getValueAtQuantile(0.99), sketch.getValueAtQuantile(0.99));
  });
});

describe('encodeRollup / decodeRollup', () => {
  it('round-trips a distribution rollup through JSON', () => {
    // Prepare
    const rollup: MetricRollup = {
      metric: 'latency_ms',
      dimensions: { model: 'fraud', modelVersion: 'v2' },
      minute: MINUTE,
      count: latencies.length,
      sum: latencies.reduce((a, b) => a + b, 0),
      min: Math.min(...latencies),
      max: Math.max(...latencies),
      sketch: sketchOf(latencies),
    };

    // Act
    const decoded = decodeRollup(JSON.parse(JSON.stringify(encodeRollup(rollup))));

    // Assess
    const { sketch, ...rest } = decoded;
    const { sketch: original, ...expected } = rollup;
    assert.deepEqual(rest, expected);
    for (const q of QUANTILES) assertClose(sketch!.getValueAtQuantile(q), original!.getValueAtQuantile(q));
  });

  it('leaves the sketch out of a rollup that has none', () => {
    const rollup: MetricRollup = {
      metric: 'predictions',
      dimensions: {},
      minute: MINUTE,
      count: 3,
      sum: 3,
      min: 1,
      max: 1,
    };
    assert.deepEqual(decodeRollup(encodeRollup(rollup)), rollup);
  });

  it('carries non-finite statistics as null and reads them back as NaN, for the store to refuse', () => {
    // Prepare
    const rollup: MetricRollup = {
      metric: 'cost_usd',
      dimensions: {},
      minute: MINUTE,
      count: 1,
      sum: Number.POSITIVE_INFINITY,
      min: 1,
      max: 1,
    };

    // Act
    const encoded = JSON.parse(JSON.stringify(encodeRollup(rollup)));
    const decoded = decodeRollup(encoded);

    // Assess
    assert.equal(encoded.sum, null);
    assert.ok(Number.isNaN(decoded.sum));
  });

  it('names every problem of an invalid encoded rollup', () => {
    assert.throws(
      () =>
        decodeRollup({ metric: '', dimensions: { model: 7 }, minute: 1.5, count: 1, sum: 1, min: 1, max: 1 }),
      (error: Error) =>
        error.message.startsWith('invalid encoded rollup:') &&
        ['metric', 'dimensions.model', 'minute'].every((path) => error.message.includes(`${path}:`)),
    );
  });
});

describe('encodeRetryMessage / decodeRetryMessage', () => {
  it('round-trips rollups with their ids and the reason, in order', () => {
    // Prepare
    const rollups = [
      {
        id: 'b1.0',
        rollup: {
          metric: 'predictions',
          dimensions: { model: 'a' },
          minute: MINUTE,
          count: 2,
          sum: 2,
          min: 1,
          max: 1,
        },
      },
      {
        id: 'b1.1',
        rollup: {
          metric: 'errors',
          dimensions: { model: 'a' },
          minute: MINUTE,
          count: 1,
          sum: 1,
          min: 1,
          max: 1,
        },
      },
    ];

    // Act
    const message = decodeRetryMessage(encodeRetryMessage(rollups, 'ThrottlingException: slow down'));

    // Assess
    assert.equal(message.reason, 'ThrottlingException: slow down');
    assert.deepEqual(message.rollups, rollups);
  });

  it('refuses a body that is not JSON, or of another format version', () => {
    assert.throws(() => decodeRetryMessage('{oops'), /retry message is not JSON/);
    assert.throws(
      () => decodeRetryMessage(JSON.stringify({ version: 2, reason: '', rollups: [] })),
      /invalid retry message: version:/,
    );
  });
});

describe('retry messages of events', () => {
  const spilled: SpilledEvents[] = [
    {
      kind: 'logs',
      records: [
        {
          id: 'b.0',
          record: {
            timestamp: MINUTE,
            level: 'error',
            message: 'payment declined for order 42',
            service: 'checkout',
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            attributes: { attempt: 2, cached: false, region: 'eu' },
            pattern: { fingerprint: 'f-1', template: 'payment declined for order <num>' },
          },
        },
      ],
    },
    {
      kind: 'spans',
      records: [
        {
          id: 'b.1',
          record: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            name: 'POST /predict',
            kind: 'server',
            startTime: MINUTE + 0.25,
            endTime: MINUTE + 12.75,
            durationMs: 12.5,
            status: 'error',
            statusMessage: 'timeout',
            attributes: {},
            events: [{ timestamp: MINUTE + 1, name: 'retry', attributes: { attempt: 1 } }],
          },
        },
      ],
    },
    {
      kind: 'prediction-events',
      records: [
        {
          id: 'b.2',
          record: {
            timestamp: MINUTE,
            id: 'p-1',
            model: 'fraud',
            status: 'ok',
            latencyMs: 41,
            confidence: 0.93,
            prediction: '{"label":"legit"}',
            attributes: {},
          },
        },
      ],
    },
  ];

  it('round-trips logs, spans and raw prediction events with their ids and the reason', () => {
    for (const events of spilled) {
      const message = decodeQueuedRetryMessage(encodeEventRetryMessage(events, 'ConnectionError: refused'));
      assert.deepEqual(message, { kind: 'events', reason: 'ConnectionError: refused', events }, events.kind);
    }
  });

  it('reads a message without a kind as rollups, as messages were written before events joined the queue', () => {
    // Prepare: the format as it was, field by field.
    const body = JSON.stringify({
      version: 1,
      reason: 'TimeoutError',
      rollups: [
        {
          id: 'b.0',
          metric: 'predictions',
          dimensions: {},
          minute: MINUTE,
          count: 1,
          sum: 1,
          min: 1,
          max: 1,
        },
      ],
    });

    // Act
    const message = decodeQueuedRetryMessage(body);

    // Assess
    assert.equal(message.kind, 'rollups');
    assert.deepEqual(decodeRetryMessage(body).rollups, [
      {
        id: 'b.0',
        rollup: { metric: 'predictions', dimensions: {}, minute: MINUTE, count: 1, sum: 1, min: 1, max: 1 },
      },
    ]);
  });

  it('refuses events where rollups are expected, an unknown kind, and a malformed record by its path', () => {
    assert.throws(
      () => decodeRetryMessage(encodeEventRetryMessage(spilled[0]!, 'x')),
      /invalid retry message: expected rollups, got logs/,
    );
    assert.throws(
      () =>
        decodeQueuedRetryMessage(JSON.stringify({ version: 1, kind: 'metrics', reason: '', records: [] })),
      /invalid retry message: kind:/,
    );
    assert.throws(
      () =>
        decodeQueuedRetryMessage(
          JSON.stringify({
            version: 1,
            kind: 'logs',
            reason: '',
            records: [{ id: 'b.0', record: { level: 'loud' } }],
          }),
        ),
      (error: Error) =>
        ['records.0.record.timestamp', 'records.0.record.level'].every((path) =>
          error.message.includes(`${path}:`),
        ),
    );
  });
});
