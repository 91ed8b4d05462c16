import type { _Record, Dimension, MeasureValue } from '@aws-sdk/client-timestream-write';
import type { MetricRollup } from '../../core/rollup.js';
import { collapseLowestBins, encodeSketchBase64, sketchBins } from '../../core/rollup-codec.js';
import type { QuantileSketch } from '../../core/sketch.js';

/** Timestream for LiveAnalytics service limits that a rollup record must respect (developer guide, "Quotas"). */
export const TIMESTREAM_LIMITS = {
  /** Records per WriteRecords request. */
  recordsPerWrite: 100,
  /** Bytes of a dimension name. */
  dimensionNameBytes: 60,
  /** Bytes of all dimension names and values of a series. */
  dimensionsBytes: 2048,
  /** Bytes of a measure name. */
  measureNameBytes: 256,
  /** Bytes of the measure values of a multi-measure record (and of any one of them). */
  measureValuesBytes: 2048,
  /** Bytes of a whole record. */
  recordBytes: 2048,
} as const;

/**
 * Columns of a rollup record. The measure values are prefixed so that they cannot clash with a user's
 * dimension: Timestream keeps dimensions and measure values as columns of one table and refuses a record
 * whose dimension has a measure value's name.
 *
 * `rollup_id` is a dimension because Timestream identifies a record by its dimensions, measure name and
 * time. Two Lambdas that roll up the same series and minute at the same time would otherwise write two
 * records with the same identity: the second is refused as a duplicate (or, with a higher Version,
 * replaces the first), and predictions are lost either way. With a unique `rollup_id` both are kept and
 * the reader merges them. The id is stable across retries and the replay of a spilled batch, so a record
 * that did land is written again identically, which Timestream accepts without counting it twice.
 */
export const ROLLUP_COLUMNS = {
  id: 'rollup_id',
  count: 'rollup_count',
  sum: 'rollup_sum',
  min: 'rollup_min',
  max: 'rollup_max',
  sketch: 'rollup_sketch',
} as const;

/** Dimension names that Timestream reserves (system identifiers) or that Vigil's own columns use. */
const RESERVED_DIMENSION_NAMES = new Set(['measure_name', 'measure_value', 'time']);
const RESERVED_DIMENSION_PREFIXES = ['ts_', 'measure_value', 'measure_name', 'rollup_'];

/** A rollup as a Timestream record, or why it cannot be one. */
export type RollupRecordResult =
  | { readonly ok: true; readonly record: _Record }
  | { readonly ok: false; readonly reason: string };

function bytesOf(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function dimensionProblem(name: string): string | undefined {
  if (name.length === 0) return 'a dimension name is empty';
  if (bytesOf(name) > TIMESTREAM_LIMITS.dimensionNameBytes)
    return `dimension name "${name}" is ${bytesOf(name)} bytes; Timestream allows at most ${TIMESTREAM_LIMITS.dimensionNameBytes}`;
  if (name.includes(':')) return `dimension name "${name}" contains ":", which Timestream does not allow`;
  if (
    RESERVED_DIMENSION_NAMES.has(name) ||
    RESERVED_DIMENSION_PREFIXES.some((prefix) => name.startsWith(prefix))
  )
    return `dimension name "${name}" is reserved; names may not be measure_name, measure_value or time, nor start with ts_, measure_value, measure_name or rollup_`;
  return undefined;
}

function statisticsProblem(rollup: MetricRollup): string | undefined {
  if (!Number.isSafeInteger(rollup.count) || rollup.count < 0)
    return `count is ${rollup.count}; expected a non-negative integer`;
  for (const name of ['sum', 'min', 'max'] as const) {
    if (!Number.isFinite(rollup[name])) return `${name} is ${rollup[name]}; expected a finite number`;
  }
  if (!Number.isSafeInteger(rollup.minute) || rollup.minute < 0)
    return `minute is ${rollup.minute}; expected epoch milliseconds`;
  return undefined;
}

function measureValuesBytes(values: readonly MeasureValue[]): number {
  return values.reduce((total, { Name, Value }) => total + bytesOf(Name!) + bytesOf(Value!), 0);
}

/**
 * The sketch as text within `budget` bytes: whole when it fits, else with its lowest bins collapsed into the
 * lowest kept one, keeping as many bins as fit (the upper quantiles that alerts read stay exact to 1 %).
 */
function sketchWithin(sketch: QuantileSketch, budget: number): string | undefined {
  const whole = encodeSketchBase64(sketch);
  if (whole.length <= budget) return whole;
  const binCount = sketchBins(sketch).length;
  let best: string | undefined;
  let low = 1;
  let high = binCount - 1;
  while (low <= high) {
    const keep = Math.floor((low + high) / 2);
    const encoded = encodeSketchBase64(collapseLowestBins(sketch, keep));
    if (encoded.length <= budget) {
      best = encoded;
      low = keep + 1;
    } else {
      high = keep - 1;
    }
  }
  return best;
}

/**
 * Builds the Timestream record of one rollup: a MULTI measure record named after the metric, with the
 * rollup's dimensions plus `rollup_id`, time = the minute in MILLISECONDS, and measure values `rollup_count`
 * (BIGINT), `rollup_sum`, `rollup_min`, `rollup_max` (DOUBLE) and, for distributions, `rollup_sketch`
 * (VARCHAR, `encodeSketchBase64`). Dimensions with an empty value are left out: Timestream stores no empty
 * dimension value, and reads a missing one back as absent anyway. A rollup that breaks a Timestream limit
 * is refused with the reason, before it can fail a whole request.
 */
export function buildRollupRecord(rollup: MetricRollup, rollupId: string): RollupRecordResult {
  const fail = (reason: string): RollupRecordResult => ({ ok: false, reason });
  if (rollup.metric.length === 0) return fail('the metric name is empty');
  if (bytesOf(rollup.metric) > TIMESTREAM_LIMITS.measureNameBytes)
    return fail(
      `metric name is ${bytesOf(rollup.metric)} bytes; Timestream allows at most ${TIMESTREAM_LIMITS.measureNameBytes}`,
    );
  const statistics = statisticsProblem(rollup);
  if (statistics) return fail(statistics);

  const dimensions: Dimension[] = [];
  for (const [name, value] of Object.entries(rollup.dimensions)) {
    if (value.length === 0) continue;
    const problem = dimensionProblem(name);
    if (problem) return fail(problem);
    dimensions.push({ Name: name, Value: value, DimensionValueType: 'VARCHAR' });
  }
  dimensions.push({ Name: ROLLUP_COLUMNS.id, Value: rollupId, DimensionValueType: 'VARCHAR' });
  const dimensionBytes = dimensions.reduce(
    (total, { Name, Value }) => total + bytesOf(Name!) + bytesOf(Value!),
    0,
  );
  if (dimensionBytes > TIMESTREAM_LIMITS.dimensionsBytes)
    return fail(
      `dimensions are ${dimensionBytes} bytes; Timestream allows at most ${TIMESTREAM_LIMITS.dimensionsBytes} per series`,
    );

  const measureValues: MeasureValue[] = [
    { Name: ROLLUP_COLUMNS.count, Value: String(rollup.count), Type: 'BIGINT' },
    { Name: ROLLUP_COLUMNS.sum, Value: String(rollup.sum), Type: 'DOUBLE' },
    { Name: ROLLUP_COLUMNS.min, Value: String(rollup.min), Type: 'DOUBLE' },
    { Name: ROLLUP_COLUMNS.max, Value: String(rollup.max), Type: 'DOUBLE' },
  ];
  const time = String(rollup.minute);
  const recordBytes =
    dimensionBytes + bytesOf(rollup.metric) + measureValuesBytes(measureValues) + bytesOf(time);
  if (rollup.sketch) {
    const sketchName = bytesOf(ROLLUP_COLUMNS.sketch);
    const budget = Math.min(
      TIMESTREAM_LIMITS.recordBytes - recordBytes - sketchName,
      TIMESTREAM_LIMITS.measureValuesBytes - measureValuesBytes(measureValues) - sketchName,
    );
    const sketch = sketchWithin(rollup.sketch, budget);
    if (sketch === undefined)
      return fail(
        `the record is ${recordBytes} bytes before its sketch, which leaves no room for the sketch within Timestream's ${TIMESTREAM_LIMITS.recordBytes}-byte record limit`,
      );
    measureValues.push({ Name: ROLLUP_COLUMNS.sketch, Value: sketch, Type: 'VARCHAR' });
  } else if (recordBytes > TIMESTREAM_LIMITS.recordBytes) {
    return fail(
      `the record is ${recordBytes} bytes; Timestream allows at most ${TIMESTREAM_LIMITS.recordBytes}`,
    );
  }
  return {
    ok: true,
    record: {
      Dimensions: dimensions,
      MeasureName: rollup.metric,
      MeasureValueType: 'MULTI',
      MeasureValues: measureValues,
      Time: time,
      TimeUnit: 'MILLISECONDS',
    },
  };
}
