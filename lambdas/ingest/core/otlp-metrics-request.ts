import { z } from 'zod';
import { ValidationError } from '../../shared/validation-error.js';
import {
  attributeList,
  describeIssues,
  double,
  expected,
  int32,
  int64,
  type KeyValue,
  uint64,
} from './otlp-json.js';
import type { ExponentialHistogramValue, HistogramValue } from './otlp-point-values.js';

/*
 * An OTLP `ExportMetricsServiceRequest` in the OTLP/JSON encoding. The envelope (resources, scopes,
 * metrics) is checked as a whole: if it cannot be read, the request is a 400. Data points are checked one
 * by one afterwards, so one bad point is rejected (and reported in `partialSuccess`) without costing its
 * neighbours.
 */

/** OTLP `AggregationTemporality` values (the JSON encoding carries enums as integers). */
export const AGGREGATION_TEMPORALITY = { delta: 1, cumulative: 2 } as const;

/** `DataPointFlags.FLAG_NO_RECORDED_VALUE`: the point marks a stream as stale and carries no value. */
export const FLAG_NO_RECORDED_VALUE = 1;

/** Exponential histogram scales the OTLP data model defines. */
export const EXPONENTIAL_SCALE_RANGE = { min: -10, max: 20 } as const;

const dataPoints = z.array(z.unknown(), expected('a list of data points')).optional();
const temporality = z
  .number(expected('an integer: 1 (delta) or 2 (cumulative)'))
  .int(expected('an integer: 1 (delta) or 2 (cumulative)'))
  .optional();

const metricSchema = z.object(
  {
    name: z.string(expected('the metric name as a string')).optional(),
    unit: z.string(expected('the unit as a string')).optional(),
    gauge: z.object({ dataPoints }, expected('a gauge object')).optional(),
    sum: z
      .object(
        {
          dataPoints,
          aggregationTemporality: temporality,
          isMonotonic: z.boolean(expected('true or false')).optional(),
        },
        expected('a sum object'),
      )
      .optional(),
    histogram: z
      .object({ dataPoints, aggregationTemporality: temporality }, expected('a histogram object'))
      .optional(),
    exponentialHistogram: z
      .object({ dataPoints, aggregationTemporality: temporality }, expected('an exponentialHistogram object'))
      .optional(),
    summary: z.object({ dataPoints }, expected('a summary object')).optional(),
  },
  expected('a metric object'),
);

const exportMetricsServiceRequestSchema = z.object(
  {
    resourceMetrics: z
      .array(
        z.object(
          {
            resource: z
              .object({ attributes: attributeList.optional() }, expected('a resource object'))
              .optional(),
            scopeMetrics: z
              .array(
                z.object(
                  {
                    scope: z
                      .object(
                        {
                          name: z.string(expected('the scope name as a string')).optional(),
                          version: z.string(expected('the scope version as a string')).optional(),
                        },
                        expected('a scope object'),
                      )
                      .optional(),
                    metrics: z.array(metricSchema, expected('a list of metrics')).optional(),
                  },
                  expected('a scopeMetrics object'),
                ),
                expected('a list of scopeMetrics'),
              )
              .optional(),
          },
          expected('a resourceMetrics object'),
        ),
        expected('a list of resourceMetrics'),
      )
      .optional(),
  },
  expected('an ExportMetricsServiceRequest JSON object'),
);

/** An `ExportMetricsServiceRequest` whose envelope was read; its data points are still unread JSON. */
export type ExportMetricsServiceRequest = z.output<typeof exportMetricsServiceRequestSchema>;

/** One OTLP metric from the envelope. */
export type OtlpMetric = NonNullable<
  NonNullable<
    NonNullable<ExportMetricsServiceRequest['resourceMetrics']>[number]['scopeMetrics']
  >[number]['metrics']
>[number];

/**
 * Reads the envelope of an OTLP/JSON metrics export, throwing a `ValidationError` (a 400) that lists every
 * problem by its path when it cannot be read.
 */
export function parseExportMetricsServiceRequest(body: unknown): ExportMetricsServiceRequest {
  const parsed = exportMetricsServiceRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues);
  const shown = problems.slice(0, 10).join('; ');
  const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
  throw new ValidationError(`invalid OTLP metrics request: ${shown}${more}`);
}

const pointFields = {
  attributes: attributeList.optional(),
  startTimeUnixNano: int64.optional(),
  timeUnixNano: int64.optional(),
  flags: int32.optional(),
};
const numberDataPointSchema = z.object(
  { ...pointFields, asDouble: double.optional(), asInt: int64.optional() },
  expected('a data point object'),
);
const distributionFields = {
  count: uint64.optional(),
  sum: double.optional(),
  min: double.optional(),
  max: double.optional(),
};
const histogramDataPointSchema = z.object(
  {
    ...pointFields,
    ...distributionFields,
    bucketCounts: z.array(uint64, expected('a list of counts')).optional(),
    explicitBounds: z.array(double, expected('a list of numbers')).optional(),
  },
  expected('a data point object'),
);
const exponentialBucketsSchema = z
  .object(
    { offset: int32.optional(), bucketCounts: z.array(uint64, expected('a list of counts')).optional() },
    expected('{ offset, bucketCounts }'),
  )
  .optional();
const exponentialHistogramDataPointSchema = z.object(
  {
    ...pointFields,
    ...distributionFields,
    scale: int32.optional(),
    zeroCount: uint64.optional(),
    positive: exponentialBucketsSchema,
    negative: exponentialBucketsSchema,
  },
  expected('a data point object'),
);

/** A data point that was read: its attributes, times (0n when absent) and value. */
export interface DataPoint<V> {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  /** Undefined when the point carries `FLAG_NO_RECORDED_VALUE`. */
  readonly value: V | undefined;
}

/** Why a data point was rejected: a reason shared by similar points and the detail of this one. */
export interface PointProblem {
  readonly reason: string;
  readonly detail?: string;
}

/** A data point read, or why it could not be. */
export type PointReading<V> = { readonly point: DataPoint<V> } | { readonly problem: PointProblem };

function readPoint<
  S extends z.ZodType<{
    attributes?: KeyValue[];
    startTimeUnixNano?: bigint;
    timeUnixNano?: bigint;
    flags?: number;
  }>,
  V,
>(schema: S, raw: unknown, readValue: (point: z.output<S>) => V | PointProblem): PointReading<V> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      problem: {
        reason: 'the data point is malformed',
        detail: describeIssues(parsed.error.issues, '(data point)').join('; '),
      },
    };
  }
  const fields = parsed.data;
  const timeUnixNano = fields.timeUnixNano ?? 0n;
  if (timeUnixNano <= 0n) return { problem: { reason: 'timeUnixNano is missing' } };
  const base = {
    attributes: fields.attributes ?? [],
    startTimeUnixNano: fields.startTimeUnixNano ?? 0n,
    timeUnixNano,
  };
  if (((fields.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0) return { point: { ...base, value: undefined } };
  const value = readValue(fields);
  if (typeof value === 'object' && value !== null && 'reason' in value) return { problem: value };
  return { point: { ...base, value: value as V } };
}

function checkFinite(fields: Record<string, number | undefined>): PointProblem | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && !Number.isFinite(value)) {
      return { reason: `${name} is not a finite number`, detail: `${name} ${value}` };
    }
  }
  return undefined;
}

function checkMinMax(min: number | undefined, max: number | undefined): PointProblem | undefined {
  if (min !== undefined && max !== undefined && min > max) {
    return { reason: 'min is greater than max', detail: `min ${min}, max ${max}` };
  }
  return undefined;
}

/** Reads a gauge or sum data point: its value from `asDouble` or `asInt`, which must be finite. */
export function readNumberDataPoint(raw: unknown): PointReading<number> {
  return readPoint(numberDataPointSchema, raw, (fields) => {
    const value = fields.asDouble ?? (fields.asInt === undefined ? undefined : Number(fields.asInt));
    if (value === undefined) return { reason: 'the data point has neither asDouble nor asInt' };
    return checkFinite({ value }) ?? value;
  });
}

/** Reads an explicit-bounds histogram data point, checking its buckets agree with its bounds and count. */
export function readHistogramDataPoint(raw: unknown): PointReading<HistogramValue> {
  return readPoint(histogramDataPointSchema, raw, (fields): HistogramValue | PointProblem => {
    const bucketCounts = fields.bucketCounts ?? [];
    // Bounds without bucket counts say nothing: such a histogram is one bucket (-inf, +inf).
    const bounds = bucketCounts.length === 0 ? [] : (fields.explicitBounds ?? []);
    const count = fields.count ?? 0;
    const problem =
      checkFinite({ sum: fields.sum, min: fields.min, max: fields.max }) ??
      checkMinMax(fields.min, fields.max);
    if (problem) return problem;
    if (bucketCounts.length > 0) {
      if (bucketCounts.length !== bounds.length + 1) {
        return {
          reason: 'bucketCounts must have one more entry than explicitBounds',
          detail: `${bucketCounts.length} bucketCounts for ${bounds.length} explicitBounds`,
        };
      }
      for (const [i, bound] of bounds.entries()) {
        if (!Number.isFinite(bound) || (i > 0 && bound <= bounds[i - 1]!)) {
          return {
            reason: 'explicitBounds must be finite and increasing',
            detail: `explicitBounds ${JSON.stringify(bounds)}`,
          };
        }
      }
      const bucketTotal = bucketCounts.reduce((total, n) => total + n, 0);
      if (bucketTotal !== count) {
        return {
          reason: 'count must equal the sum of bucketCounts',
          detail: `count ${count}, bucketCounts add up to ${bucketTotal}`,
        };
      }
    }
    if (bounds.length === 0 && fields.sum === undefined && count > 0) {
      return { reason: 'a histogram without bucket bounds needs a sum, or its values cannot be placed' };
    }
    return {
      kind: 'histogram',
      count,
      ...(fields.sum === undefined ? {} : { sum: fields.sum }),
      ...(fields.min === undefined ? {} : { min: fields.min }),
      ...(fields.max === undefined ? {} : { max: fields.max }),
      explicitBounds: bounds,
      bucketCounts,
    };
  });
}

/** Reads an exponential histogram data point, checking its scale and that its buckets add up to its count. */
export function readExponentialHistogramDataPoint(raw: unknown): PointReading<ExponentialHistogramValue> {
  return readPoint(
    exponentialHistogramDataPointSchema,
    raw,
    (fields): ExponentialHistogramValue | PointProblem => {
      const scale = fields.scale ?? 0;
      const count = fields.count ?? 0;
      const zeroCount = fields.zeroCount ?? 0;
      const positive = {
        offset: fields.positive?.offset ?? 0,
        bucketCounts: fields.positive?.bucketCounts ?? [],
      };
      const negative = {
        offset: fields.negative?.offset ?? 0,
        bucketCounts: fields.negative?.bucketCounts ?? [],
      };
      const problem =
        checkFinite({ sum: fields.sum, min: fields.min, max: fields.max }) ??
        checkMinMax(fields.min, fields.max);
      if (problem) return problem;
      if (scale < EXPONENTIAL_SCALE_RANGE.min || scale > EXPONENTIAL_SCALE_RANGE.max) {
        return {
          reason: `scale must be from ${EXPONENTIAL_SCALE_RANGE.min} to ${EXPONENTIAL_SCALE_RANGE.max}`,
          detail: `scale ${scale}`,
        };
      }
      const bucketTotal =
        zeroCount + [...positive.bucketCounts, ...negative.bucketCounts].reduce((total, n) => total + n, 0);
      if (bucketTotal !== count) {
        return {
          reason: 'count must equal zeroCount plus the positive and negative bucketCounts',
          detail: `count ${count}, buckets add up to ${bucketTotal}`,
        };
      }
      return {
        kind: 'exponentialHistogram',
        count,
        ...(fields.sum === undefined ? {} : { sum: fields.sum }),
        ...(fields.min === undefined ? {} : { min: fields.min }),
        ...(fields.max === undefined ? {} : { max: fields.max }),
        scale,
        zeroCount,
        positive,
        negative,
      };
    },
  );
}
