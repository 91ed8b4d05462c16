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
  // One dimensions object per model and version (and error type), shared by every observation of it.
  const dimensionsByKey = new Map<string, Dimensions>();
  const shared = (key: string, make: () => Dimensions) => {
    let dimensions = dimensionsByKey.get(key);
    if (!dimensions) {
      dimensions = make();
      dimensionsByKey.set(key, dimensions);
    }
    return dimensions;
  };
  for (const prediction of predictions) {
    const versionKey = `${prediction.model}\u0000${prediction.modelVersion ?? ''}`;
    const dimensions = shared(versionKey, () => predictionDimensions(prediction));
    const at = prediction.timestamp;
    const observe = (metric: string, value: number, distribution = false) =>
      accumulator.observe({ metric, dimensions }, at, value, { distribution });
    observe(PREDICTION_METRICS.predictions, 1);
    if (prediction.status === 'error') {
      // Once, by type: a query without an errorType filter sums the types to the total.
      const errorType = prediction.errorType ?? 'unknown';
      const withType = shared(`${versionKey}\u0000${errorType}`, () => ({ ...dimensions, errorType }));
      accumulator.observe({ metric: PREDICTION_METRICS.errors, dimensions: withType }, at, 1);
    }
    observe(PREDICTION_METRICS.latency, prediction.latencyMs, true);
    if (prediction.confidence !== undefined)
      observe(PREDICTION_METRICS.confidence, prediction.confidence, true);
    if (prediction.inputTokens !== undefined) observe(PREDICTION_METRICS.inputTokens, prediction.inputTokens);
    if (prediction.outputTokens !== undefined)
      observe(PREDICTION_METRICS.outputTokens, prediction.outputTokens);
    if (prediction.costUsd !== undefined) observe(PREDICTION_METRICS.cost, prediction.costUsd);
  }
  return accumulator;
}
