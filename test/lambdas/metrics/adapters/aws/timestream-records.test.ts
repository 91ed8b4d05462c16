import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { _Record } from '@aws-sdk/client-timestream-write';
import {
  buildRollupRecord,
  ROLLUP_COLUMNS,
} from '../../../../../lambdas/metrics/adapters/aws/timestream-records.js';
import type { MetricRollup } from '../../../../../lambdas/metrics/core/rollup.js';
import { decodeSketchBase64, sketchBins } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import { logNormalSamples, seededRandom } from '../../../../support/random.js';
import { sketchOf } from '../../../../support/sketches.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);

const counter = (overrides: Partial<MetricRollup> = {}): MetricRollup => ({
  metric: 'predictions',
  dimensions: { model: 'fraud', modelVersion: 'v2' },
  minute: MINUTE,
  count: 12,
  sum: 12,
  min: 1,
  max: 1,
  ...overrides,
});

function recordOf(rollup: MetricRollup, id = 'batch.0'): _Record {
  const result = buildRollupRecord(rollup, id);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.record;
}

function reasonOf(rollup: MetricRollup, id = 'batch.0'): string {
  const result = buildRollupRecord(rollup, id);
  assert.ok(!result.ok, 'expected the rollup to be refused');
  return result.reason;
}

/** Bytes of a record as the Timestream quotas count them: names and values of dimensions and measures, and time. */
function recordBytes(record: _Record): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (
    (record.Dimensions ?? []).reduce((sum, d) => sum + bytes(d.Name) + bytes(d.Value), 0) +
    bytes(record.MeasureName) +
    (record.MeasureValues ?? []).reduce((sum, m) => sum + bytes(m.Name) + bytes(m.Value), 0) +
    bytes(record.Time)
  );
}

describe('buildRollupRecord', () => {
  it('lays a rollup out as one MULTI record: dimensions + rollup_id, minute in ms, typed statistics', () => {
    // Act
    const record = recordOf(counter({ sum: 12.5, min: 0.25, max: 3 }), 'Zk3.1a');

    // Assess
    assert.deepEqual(record, {
      Dimensions: [
        { Name: 'model', Value: 'fraud', DimensionValueType: 'VARCHAR' },
        { Name: 'modelVersion', Value: 'v2', DimensionValueType: 'VARCHAR' },
        { Name: 'rollup_id', Value: 'Zk3.1a', DimensionValueType: 'VARCHAR' },
      ],
      MeasureName: 'predictions',
      MeasureValueType: 'MULTI',
      MeasureValues: [
        { Name: 'rollup_count', Value: '12', Type: 'BIGINT' },
        { Name: 'rollup_sum', Value: '12.5', Type: 'DOUBLE' },
        { Name: 'rollup_min', Value: '0.25', Type: 'DOUBLE' },
        { Name: 'rollup_max', Value: '3', Type: 'DOUBLE' },
      ],
      Time: String(MINUTE),
      TimeUnit: 'MILLISECONDS',
    });
  });

  it('adds the sketch of a distribution as a VARCHAR measure that decodes to the same quantiles', () => {
    // Prepare
    const latencies = logNormalSamples(seededRandom(3), 500, Math.log(150), 0.5);
    const sketch = sketchOf(latencies);

    // Act
    const record = recordOf(counter({ metric: 'latency_ms', count: 500, sketch }));

    // Assess
    const measure = record.MeasureValues!.find((value) => value.Name === ROLLUP_COLUMNS.sketch)!;
    assert.equal(measure.Type, 'VARCHAR');
    const decoded = decodeSketchBase64(measure.Value!);
    assert.equal(decoded.count, 500);
    assert.deepEqual(
      sketchBins(decoded).map((bin) => bin.count),
      sketchBins(sketch).map((bin) => bin.count),
    );
  });

  it('leaves out dimensions with an empty value', () => {
    const record = recordOf(counter({ dimensions: { model: 'fraud', modelVersion: '' } }));
    assert.deepEqual(
      record.Dimensions!.map((dimension) => dimension.Name),
      ['model', 'rollup_id'],
    );
  });

  it('accepts a 60-byte dimension name and refuses a 61-byte one, counting bytes, not characters', () => {
    // '€' is 3 bytes in UTF-8: 20 of them are 60 bytes, 21 are 63.
    recordOf(counter({ dimensions: { ['€'.repeat(20)]: 'x' } }));
    assert.match(
      reasonOf(counter({ dimensions: { ['€'.repeat(21)]: 'x' } })),
      /is 63 bytes; Timestream allows at most 60/,
    );
  });

  for (const name of [
    'time',
    'measure_name',
    'measure_value',
    'ts_region',
    'measure_value_x',
    'measure_name2',
    'rollup_id',
    'rollup_count',
  ]) {
    it(`refuses the reserved dimension name "${name}"`, () => {
      assert.match(
        reasonOf(counter({ dimensions: { [name]: 'x' } })),
        new RegExp(`dimension name "${name}" is reserved`),
      );
    });
  }

  for (const [what, overrides, reason] of [
    ['a colon in a dimension name', { dimensions: { 'k8s:pod': 'x' } }, /contains ":"/],
    ['an empty metric name', { metric: '' }, /metric name is empty/],
    [
      'a metric name over 256 bytes',
      { metric: 'm'.repeat(257) },
      /metric name is 257 bytes; Timestream allows at most 256/,
    ],
    ['a fractional count', { count: 2.5 }, /count is 2.5; expected a non-negative integer/],
    ['a NaN sum', { sum: Number.NaN }, /sum is NaN; expected a finite number/],
    ['an infinite max', { max: Number.POSITIVE_INFINITY }, /max is Infinity/],
    [
      'dimensions over 2 KiB',
      { dimensions: { a: 'x'.repeat(1000), b: 'y'.repeat(1000), c: 'z'.repeat(100) } },
      /dimensions are \d+ bytes; Timestream allows at most 2048/,
    ],
  ] as const) {
    it(`refuses ${what}, saying why`, () => {
      assert.match(reasonOf(counter(overrides as Partial<MetricRollup>)), reason);
    });
  }

  it('keeps a record with a very wide sketch within 2 KiB by collapsing its lowest bins, count and p99 intact', () => {
    // Prepare: values over twelve orders of magnitude fill ~1400 bins, more than one record holds.
    const random = seededRandom(11);
    const values = Array.from({ length: 100_000 }, () => 10 ** (-3 + 12 * random()));
    const sketch = sketchOf(values);
    const dimensions = { model: 'fraud', modelVersion: 'v2', region: 'eu-west-1' };

    // Act
    const record = recordOf(counter({ metric: 'latency_ms', count: values.length, dimensions, sketch }));

    // Assess
    assert.ok(recordBytes(record) <= 2048, `record is ${recordBytes(record)} bytes`);
    const stored = decodeSketchBase64(
      record.MeasureValues!.find((m) => m.Name === ROLLUP_COLUMNS.sketch)!.Value!,
    );
    assert.equal(stored.count, values.length);
    assert.ok(sketchBins(stored).length < sketchBins(sketch).length);
    for (const q of [0.9, 0.99]) {
      const expected = sketch.getValueAtQuantile(q);
      assert.ok(Math.abs(stored.getValueAtQuantile(q) - expected) <= 1e-9 * expected, `p${q * 100}`);
    }
  });

  it('refuses a distribution whose dimensions leave no room for the sketch', () => {
    // Prepare
    const dimensions = { a: 'x'.repeat(1000), b: 'y'.repeat(990) };

    // Act
    const reason = reasonOf(counter({ metric: 'latency_ms', dimensions, sketch: sketchOf([1, 2, 3]) }));

    // Assess
    assert.match(reason, /leaves no room for the sketch within Timestream's 2048-byte record limit/);
  });
});
