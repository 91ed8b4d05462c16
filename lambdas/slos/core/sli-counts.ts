import type { Prediction } from '../../ingest/core/predictions.js';
import type { RollupAccumulator } from '../../metrics/core/rollup.js';
import { type Slo, sloSelects } from './slo.js';

/*
 * How events become SLI counts at ingest, so evaluating an SLO only ever sums per-minute counts. Each
 * prediction (and each label joined to its prediction) adds, for every SLO that selects its model and
 * version, `good` and `total` to that SLO's counts for the event's minute; ingest records them as the
 * metrics `slo_good` and `slo_total` with the one dimension `slo` (the SLO's name), and the SLO job sums
 * them over its windows.
 *
 * - availability: total 1; good 1 when the status is `ok`;
 * - latency: total 1; good 1 when latencyMs <= thresholdMs (whatever the status);
 * - cost: total = costUsd (the spend, in USD), good 0; predictions without costUsd add nothing;
 * - accuracy: nothing per prediction; a label joined to its prediction adds total 1, and good 1 when the
 *   label matches what was predicted. Labels should count at the minute they arrive: burn-rate windows
 *   then react to new evidence, where counting them at the (possibly days old) prediction's minute would
 *   put them outside every short window.
 */

/** The metric that sums an SLO's good events (for cost SLOs it is not written). */
export const SLO_GOOD_METRIC = 'slo_good';
/** The metric that sums an SLO's events (for cost SLOs, its spend in USD). */
export const SLO_TOTAL_METRIC = 'slo_total';
/** The dimension that names the SLO on both metrics. */
export const SLO_DIMENSION = 'slo';

/** What one event adds to one SLO's counts. */
export interface SliIncrement {
  readonly slo: string;
  readonly good: number;
  readonly total: number;
}

/** The fields of a prediction event the SLIs read. */
export type SliPrediction = Pick<Prediction, 'model' | 'modelVersion' | 'status' | 'latencyMs' | 'costUsd'>;

/** A label joined to its prediction: whose it was, and whether the prediction was right. */
export interface LabelOutcome {
  readonly model: string;
  readonly modelVersion?: string;
  readonly correct: boolean;
}

/** What a prediction adds to each SLO's counts; SLOs it does not count for are left out. */
export function predictionSliIncrements(slos: readonly Slo[], prediction: SliPrediction): SliIncrement[] {
  const increments: SliIncrement[] = [];
  for (const slo of slos) {
    if (!sloSelects(slo, prediction)) continue;
    switch (slo.sli.kind) {
      case 'availability':
        increments.push({ slo: slo.name, good: prediction.status === 'ok' ? 1 : 0, total: 1 });
        break;
      case 'latency':
        increments.push({
          slo: slo.name,
          good: prediction.latencyMs <= slo.sli.thresholdMs ? 1 : 0,
          total: 1,
        });
        break;
      case 'cost':
        if (prediction.costUsd !== undefined)
          increments.push({ slo: slo.name, good: 0, total: prediction.costUsd });
        break;
      case 'accuracy':
        break;
    }
  }
  return increments;
}

/** What a label joined to its prediction adds to each accuracy SLO's counts. */
export function labelSliIncrements(slos: readonly Slo[], outcome: LabelOutcome): SliIncrement[] {
  return slos
    .filter((slo) => slo.sli.kind === 'accuracy' && sloSelects(slo, outcome))
    .map((slo) => ({ slo: slo.name, good: outcome.correct ? 1 : 0, total: 1 }));
}

/** JSON with object keys in order, so `{a, b}` and `{b, a}` compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Whether a label (`actual`) matches what was predicted: the same JSON value, object keys in any order.
 * Exact, as classification labels are; a regression's numbers would need a tolerance Vigil does not have.
 */
export function isCorrectPrediction(predicted: unknown, actual: unknown): boolean {
  if (predicted === undefined || actual === undefined) return false;
  return canonical(predicted) === canonical(actual);
}

/**
 * Records increments as the `slo_good` and `slo_total` metrics of the minute of `timestamp` (zero goods
 * are skipped: a sum over a missing minute is 0 all the same).
 */
export function observeSliIncrements(
  accumulator: RollupAccumulator,
  timestamp: number,
  increments: readonly SliIncrement[],
): void {
  for (const increment of increments) {
    const dimensions = { [SLO_DIMENSION]: increment.slo };
    accumulator.observe({ metric: SLO_TOTAL_METRIC, dimensions }, timestamp, increment.total);
    if (increment.good !== 0)
      accumulator.observe({ metric: SLO_GOOD_METRIC, dimensions }, timestamp, increment.good);
  }
}
