import { z } from 'zod';
import { RollupAccumulator } from '../../metrics/core/rollup.js';
import {
  boundedRecord,
  boundedString,
  nameString,
  type TimestampWindow,
  timestampField,
} from './item-validation.js';

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

/** The schema of one generic metric sample (`POST /api/v1/metrics`). */
export function metricSampleSchema(window: TimestampWindow) {
  return z
    .object(
      {
        name: nameString.regex(
          METRIC_NAME,
          'must start with a letter or "_" and hold only letters, digits and _ . : / -',
        ),
        value: z.number({ error: 'must be a finite number' }),
        unit: boundedString.optional(),
        timestamp: timestampField(window),
        dimensions: boundedRecord(nameString).optional(),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object' : undefined) },
    )
    .strict();
}

/** One metric sample, validated. */
export type MetricSample = z.output<ReturnType<typeof metricSampleSchema>>;

/**
 * Rolls generic samples up per series and minute. Every sample also goes into the series' sketch, so
 * percentiles of resource use or KPIs can be queried like latency.
 */
export function rollUpMetricSamples(samples: Iterable<MetricSample>, accumulator = new RollupAccumulator()) {
  for (const sample of samples) {
    accumulator.observe(
      { metric: sample.name, dimensions: sample.dimensions ?? {} },
      sample.timestamp,
      sample.value,
      {
        distribution: true,
      },
    );
  }
  return accumulator;
}
