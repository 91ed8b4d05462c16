import { z } from 'zod';
import { type Dimensions, RollupAccumulator } from '../../metrics/core/rollup.js';
import {
  boundedRecord,
  boundedString,
  nameString,
  type TimestampWindow,
  timestampField,
} from './item-validation.js';

const PREDICTION_JSON_MAX_CHARS = 4096;

/** The schema of one prediction event (DESIGN.md), with its timestamp checked against the store's window. */
export function predictionSchema(window: TimestampWindow) {
  const count = z.number().int('must be a whole number').nonnegative('must not be negative');
  return z
    .object(
      {
        id: nameString.optional(),
        model: nameString,
        modelVersion: nameString.optional(),
        timestamp: timestampField(window),
        latencyMs: z
          .number({ error: 'must be a number of milliseconds' })
          .nonnegative('must not be negative'),
        status: z.enum(['ok', 'error'], { error: 'must be "ok" or "error"' }),
        errorType: nameString.optional(),
        confidence: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
        prediction: z
          .unknown()
          .refine((value) => value === undefined || typeof value !== 'string' || value.length <= 256, {
            message: 'must be at most 256 characters',
          })
          .refine(
            (value) => value === undefined || JSON.stringify(value).length <= PREDICTION_JSON_MAX_CHARS,
            {
              message: `must serialise to at most ${PREDICTION_JSON_MAX_CHARS} characters of JSON`,
            },
          )
          .optional(),
        inputTokens: count.optional(),
        outputTokens: count.optional(),
        costUsd: z.number().nonnegative('must not be negative').optional(),
        attributes: boundedRecord(z.union([boundedString, z.number(), z.boolean()])).optional(),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object' : undefined) },
    )
    .strict();
}

/** One prediction event, validated, with its timestamp in epoch ms. */
export type Prediction = z.output<ReturnType<typeof predictionSchema>>;

/** Metric names a prediction event becomes (DESIGN.md). */
export const PREDICTION_METRICS = {
  predictions: 'predictions',
  errors: 'errors',
  latency: 'latency_ms',
  confidence: 'confidence',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cost: 'cost_usd',
} as const;

/** The `model` and `modelVersion` dimensions of a prediction. */
export function predictionDimensions(prediction: Pick<Prediction, 'model' | 'modelVersion'>): Dimensions {
  return prediction.modelVersion === undefined
    ? { model: prediction.model }
    : { model: prediction.model, modelVersion: prediction.modelVersion };
}

/** Rolls prediction events up per model, version and minute: counts, errors by type, sketches and sums. */
export function rollUpPredictions(predictions: Iterable<Prediction>, accumulator = new RollupAccumulator()) {
  for (const prediction of predictions) {
    const dimensions = predictionDimensions(prediction);
    const at = prediction.timestamp;
    const series = (metric: string, extra?: Dimensions) => ({
      metric,
      dimensions: extra ? { ...dimensions, ...extra } : dimensions,
    });
    accumulator.observe(series(PREDICTION_METRICS.predictions), at, 1);
    if (prediction.status === 'error') {
      // Once, by type: a query without an errorType filter sums the types to the total.
      accumulator.observe(
        series(PREDICTION_METRICS.errors, { errorType: prediction.errorType ?? 'unknown' }),
        at,
        1,
      );
    }
    accumulator.observe(series(PREDICTION_METRICS.latency), at, prediction.latencyMs, { distribution: true });
    if (prediction.confidence !== undefined) {
      accumulator.observe(series(PREDICTION_METRICS.confidence), at, prediction.confidence, {
        distribution: true,
      });
    }
    if (prediction.inputTokens !== undefined) {
      accumulator.observe(series(PREDICTION_METRICS.inputTokens), at, prediction.inputTokens);
    }
    if (prediction.outputTokens !== undefined) {
      accumulator.observe(series(PREDICTION_METRICS.outputTokens), at, prediction.outputTokens);
    }
    if (prediction.costUsd !== undefined)
      accumulator.observe(series(PREDICTION_METRICS.cost), at, prediction.costUsd);
  }
  return accumulator;
}
