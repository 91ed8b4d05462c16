import { z } from 'zod';
import { MAX_LISTED_ERRORS } from '../../ingest/core/ingest-items.js';
import { type ItemError, nameString, validateItems } from '../../ingest/core/item-validation.js';
import { predictionDimensions } from '../../ingest/core/predictions.js';
import { RollupAccumulator } from '../../metrics/core/rollup.js';
import type { MetricWriter } from '../../metrics/ports/metric-store.js';
import type { PredictionJoinStore, RememberedPrediction } from '../ports/prediction-join-store.js';
import { isCorrectPrediction, labelSliIncrements, observeSliIncrements } from './sli-counts.js';
import type { Slo } from './slo.js';

/*
 * Delayed ground truth (`POST /api/v1/labels`): each label names a prediction by model and id and says what
 * the right answer was. A prediction kept for the join window is claimed by its first label: the outcome
 * (right or wrong) becomes the `accuracy` metric (1 or 0, averaged by queries and rules) and the good and
 * total counts of the model's accuracy SLOs, at the minute the label arrives, so accuracy rules and
 * burn-rate windows react to new evidence. A label whose prediction is unknown, expired or already
 * labelled is reported back with the reason, not dropped.
 */

/** The metric a joined label becomes: 1 when the prediction was right, 0 when wrong. */
export const ACCURACY_METRIC = 'accuracy';

/** One label as sent. */
export const labelSchema = z
  .object(
    {
      id: nameString,
      model: nameString,
      actual: z.unknown().refine((value) => value !== undefined, 'is required'),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object' : undefined) },
  )
  .strict();

/** What joining labels needs. */
export interface LabelsContext {
  readonly slos: readonly Slo[];
  readonly joinStore: PredictionJoinStore;
  readonly metricWriter: MetricWriter;
  /** The current time, epoch ms. */
  readonly now: () => number;
}

/** The answer of `POST /api/v1/labels`. */
export interface LabelsOutcome {
  /** Labels joined to their predictions. */
  readonly accepted: number;
  /** Labels refused: invalid, or whose prediction is unknown, expired or already labelled. */
  readonly rejected: number;
  /** Of the accepted, how many predictions were right. */
  readonly correct: number;
  readonly errors: readonly ItemError[];
  readonly errorsTruncated?: boolean;
}

/** Joins labels to their predictions and records what they say; invalid labels never cost the valid ones. */
export async function ingestLabels(body: unknown, context: LabelsContext): Promise<LabelsOutcome> {
  const { accepted, errors: invalid } = validateItems(body, 'labels', labelSchema);
  const errors: ItemError[] = [...invalid];
  const now = context.now();
  const claims = await context.joinStore.claim(
    accepted.map(({ item }) => ({ model: item.model, id: item.id })),
    now,
  );
  const accumulator = new RollupAccumulator();
  let joined = 0;
  let correct = 0;
  claims.forEach((claim, position) => {
    const { index, item } = accepted[position]!;
    if (claim.outcome === 'unknown') {
      errors.push({
        index,
        field: 'id',
        message: `no prediction "${item.id}" of model "${item.model}" is known: it was never sent with that id, or it is older than the join window`,
      });
      return;
    }
    if (claim.outcome === 'already-labelled') {
      errors.push({
        index,
        field: 'id',
        message: `prediction "${item.id}" of model "${item.model}" was labelled at ${new Date(claim.labelledAt).toISOString()}; it is counted once`,
      });
      return;
    }
    const prediction: RememberedPrediction = claim.prediction;
    const right = isCorrectPrediction(prediction.prediction, item.actual);
    joined++;
    if (right) correct++;
    accumulator.observe(
      { metric: ACCURACY_METRIC, dimensions: predictionDimensions(prediction) },
      now,
      right ? 1 : 0,
    );
    observeSliIncrements(
      accumulator,
      now,
      labelSliIncrements(context.slos, {
        model: prediction.model,
        modelVersion: prediction.modelVersion,
        correct: right,
      }),
    );
  });
  if (joined > 0) await context.metricWriter.write(accumulator.rollups());
  errors.sort((a, b) => a.index - b.index);
  return {
    accepted: joined,
    rejected: new Set(errors.map((error) => error.index)).size,
    correct,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
    ...(errors.length > MAX_LISTED_ERRORS ? { errorsTruncated: true } : {}),
  };
}

/** Whether a model's predictions must be kept for labels: it has an accuracy SLO or an accuracy target. */
export function labelledModels(
  slos: readonly Slo[],
  accuracyTargets: readonly string[],
): (model: string) => boolean {
  const everyModel = slos.some((slo) => slo.sli.kind === 'accuracy' && slo.model === '*');
  const models = new Set([
    ...accuracyTargets,
    ...slos.filter((slo) => slo.sli.kind === 'accuracy').map((slo) => slo.model),
  ]);
  return (model) => everyModel || models.has(model);
}

/** What keeping predictions for their labels needs. */
export interface RememberOptions {
  readonly joinStore: PredictionJoinStore;
  readonly joinWindowMs: number;
  readonly awaitsLabels: (model: string) => boolean;
  /** The time of the request, epoch ms. */
  readonly now: number;
}

/** Keeps the predictions that carry an id and a prediction, of models whose accuracy is measured. */
export async function rememberForLabels(
  predictions: ReadonlyArray<{
    readonly id?: string;
    readonly model: string;
    readonly modelVersion?: string;
    readonly prediction?: unknown;
    readonly timestamp: number;
  }>,
  options: RememberOptions,
): Promise<void> {
  const kept: RememberedPrediction[] = predictions.flatMap((prediction) =>
    prediction.id !== undefined &&
    prediction.prediction !== undefined &&
    options.awaitsLabels(prediction.model)
      ? [
          {
            id: prediction.id,
            model: prediction.model,
            ...(prediction.modelVersion === undefined ? {} : { modelVersion: prediction.modelVersion }),
            prediction: prediction.prediction,
            timestamp: prediction.timestamp,
          },
        ]
      : [],
  );
  if (kept.length > 0) await options.joinStore.remember(kept, options.now + options.joinWindowMs);
}
