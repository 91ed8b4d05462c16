import { z } from 'zod';
import type { Severity } from '../../alerts/core/alert.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { type Prediction, predictionSchema } from '../../ingest/core/predictions.js';
import { ROLLUP_PERIOD_MS } from '../../metrics/core/rollup.js';
import { ValidationError } from '../../shared/validation-error.js';
import { sloCompliance } from './error-budget.js';
import { isCorrectPrediction, labelSliIncrements, predictionSliIncrements } from './sli-counts.js';
import { BucketSliCounts, readWindowCounts, type SliBucket } from './sli-windows.js';
import type { Slo } from './slo.js';
import { evaluateSlo, formatWindow, type SloAlertState, type SloState } from './slo-evaluation.js';

/*
 * `vigil backtest slo --slo <file> --input <file> [--step 60s]`: runs the SLO evaluation over a file of
 * history and says what would have fired, for tuning objectives and alert windows before deploying.
 *
 * Input is NDJSON, one JSON object per line, in any order:
 * - a prediction event as `POST /api/v1/predictions` takes it, with its `timestamp` (required here);
 * - a pre-counted bucket `{ "time": ISO or epoch ms, "good": n, "total": m, "slo"?: name }`, added to the
 *   minute of `time` for the named SLO, or for every SLO without `slo` (for cost SLOs `total` is spend);
 * - a label `{ "id", "actual", "model"?, "timestamp"? }`, joined by id to a prediction in the input and
 *   counted for accuracy SLOs at its timestamp (else the prediction's).
 * A line that cannot be read is reported with its number and what to fix; the other lines still count.
 *
 * Each SLO is evaluated every `step` (a whole number of minutes; 60 s by default) on the grid of the step
 * from epoch, from the first evaluation after its first minute of data to the first one that has seen its
 * last minute, as the SLO job would have, with no history before the input. Output is NDJSON: one line per
 * alert transition, by time, then one `{ "summary": ... }` line.
 */

/** The evaluation step when none is given. */
export const DEFAULT_BACKTEST_STEP_MS = 60_000;

/** What a backtest can be tuned with. */
export interface BacktestOptions {
  /** How often to evaluate, ms; a whole number of minutes. */
  readonly stepMs?: number;
}

/** A line that could not be used. */
export interface BacktestLineError {
  /** 1 for the first line. */
  readonly line: number;
  readonly message: string;
}

/** One alert transition, as an output line. */
export interface BacktestTransition {
  /** The evaluation that saw it, ISO-8601. */
  readonly time: string;
  readonly slo: string;
  readonly severity: Severity;
  readonly longWindow: string;
  readonly shortWindow: string;
  /** The long window's burn rate then; null without data. */
  readonly burnRate: number | null;
  /** The short window's. */
  readonly shortBurnRate: number | null;
  readonly state: SloAlertState;
}

/** How one window pair's alert behaved over the backtest. */
export interface BacktestAlertSummary {
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly severity: Severity;
  /** How many times it fired. */
  readonly fired: number;
  /** How long it was firing in all, ms (until the last evaluation for one still firing). */
  readonly firingMs: number;
  readonly firingAtEnd: boolean;
}

/** How one SLO did over the backtest. */
export interface BacktestSloSummary {
  readonly slo: string;
  readonly sli: Slo['sli']['kind'];
  readonly objective?: number;
  /** The first and last evaluation, ISO-8601; absent when the SLO had no data. */
  readonly from?: string;
  readonly to?: string;
  readonly evaluations: number;
  /** Counts over the whole input (for cost SLOs, total is the spend in USD). */
  readonly good: number;
  readonly total: number;
  /** good / total over the whole input, for ratio SLIs with data. */
  readonly compliance?: number;
  /** The budget consumed and remaining over the SLO window ending at the last evaluation. */
  readonly budgetConsumed: number;
  readonly budgetRemaining: number;
  /** Firing transitions of all pairs. */
  readonly fired: number;
  /** Fired by severity. */
  readonly firedBySeverity: Readonly<Partial<Record<Severity, number>>>;
  readonly alerts: readonly BacktestAlertSummary[];
}

/** The `{ "summary": ... }` line. */
export interface BacktestSummary {
  readonly lines: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly step: string;
  readonly slos: readonly BacktestSloSummary[];
}

/** What a backtest found. */
export interface BacktestResult {
  /** Every alert transition, by time then SLO. */
  readonly transitions: readonly BacktestTransition[];
  readonly summary: BacktestSummary;
  readonly errors: readonly BacktestLineError[];
}

const time = z
  .union([z.string(), z.number()], { error: 'expected an ISO-8601 time or epoch milliseconds' })
  .transform((value, context) => {
    const epochMs = typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(epochMs)) {
      context.addIssue({
        code: 'custom',
        message: `expected an ISO-8601 time or epoch milliseconds, got "${value}"`,
      });
      return z.NEVER;
    }
    return epochMs;
  });

const count = (what: string) =>
  z
    .number({ error: `expected ${what}, a number of at least 0` })
    .nonnegative({ error: `expected ${what}, a number of at least 0` })
    .finite();

const bucketSchema = z
  .strictObject({ time, good: count('good'), total: count('total'), slo: z.string().optional() })
  .refine((bucket) => bucket.good <= bucket.total, { error: 'expected good at most total', path: ['good'] });

const labelSchema = z.strictObject({
  id: z.string({ error: 'expected the id of a prediction in the input' }).min(1),
  actual: z.unknown(),
  model: z.string().optional(),
  timestamp: time.optional(),
});

// Backtests replay history of any age: no retention edge and no limit ahead.
const backtestPrediction = predictionSchema({
  now: Number.MAX_SAFE_INTEGER / 2,
  maxAgeMs: Number.POSITIVE_INFINITY,
});

type ReadLine =
  | { readonly kind: 'bucket'; readonly bucket: z.output<typeof bucketSchema> }
  | { readonly kind: 'label'; readonly label: z.output<typeof labelSchema> }
  | { readonly kind: 'prediction'; readonly prediction: Prediction };

function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  return describeIssues(issues, '(line)').join('; ');
}

/** Reads one line, or says what is wrong with it. */
function readLine(text: string): ReadLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message}); expected one JSON object per line`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object: a prediction event, a bucket { time, good, total } or a label { id, actual }';
  }
  const fields = value as Record<string, unknown>;
  if ('good' in fields || 'total' in fields) {
    const parsed = bucketSchema.safeParse(fields);
    return parsed.success
      ? { kind: 'bucket', bucket: parsed.data }
      : `bucket: ${issuesText(parsed.error.issues)}`;
  }
  if ('actual' in fields) {
    const parsed = labelSchema.safeParse(fields);
    return parsed.success
      ? { kind: 'label', label: parsed.data }
      : `label: ${issuesText(parsed.error.issues)}`;
  }
  if (fields.timestamp === undefined) {
    return 'prediction: timestamp: required in a backtest, as ISO-8601 or epoch milliseconds';
  }
  const parsed = backtestPrediction.safeParse(fields);
  return parsed.success
    ? { kind: 'prediction', prediction: parsed.data }
    : `prediction: ${issuesText(parsed.error.issues)}`;
}

/** Each SLO's per-minute buckets from the lines that could be read, and the lines that could not. */
function collectBuckets(slos: readonly Slo[], lines: Iterable<string>) {
  const buckets = new Map<string, SliBucket[]>(slos.map((slo) => [slo.name, []]));
  const errors: BacktestLineError[] = [];
  const predictions = new Map<string, Prediction>();
  const labels: Array<{ line: number; label: z.output<typeof labelSchema> }> = [];
  let lineCount = 0;
  let accepted = 0;
  const add = (slo: string, minute: number, good: number, total: number) =>
    buckets.get(slo)!.push({ minute, good, total });
  for (const text of lines) {
    lineCount++;
    if (text.trim() === '') continue;
    const read = readLine(text);
    if (typeof read === 'string') {
      errors.push({ line: lineCount, message: read });
      continue;
    }
    if (read.kind === 'bucket') {
      const { bucket } = read;
      if (bucket.slo !== undefined && !buckets.has(bucket.slo)) {
        errors.push({
          line: lineCount,
          message: `bucket: slo: "${bucket.slo}" is not among the SLOs (${[...buckets.keys()].join(', ')})`,
        });
        continue;
      }
      for (const slo of bucket.slo === undefined ? buckets.keys() : [bucket.slo]) {
        add(slo, bucket.time, bucket.good, bucket.total);
      }
    } else if (read.kind === 'label') {
      labels.push({ line: lineCount, label: read.label });
      continue;
    } else {
      const { prediction } = read;
      if (prediction.id !== undefined && !predictions.has(prediction.id))
        predictions.set(prediction.id, prediction);
      for (const increment of predictionSliIncrements(slos, prediction)) {
        add(increment.slo, prediction.timestamp, increment.good, increment.total);
      }
    }
    accepted++;
  }
  // Labels join once every prediction is known, so a label may come before its prediction in the file.
  for (const { line, label } of labels) {
    const prediction = predictions.get(label.id);
    if (!prediction || (label.model !== undefined && label.model !== prediction.model)) {
      const which = label.model === undefined ? '' : ` of model "${label.model}"`;
      errors.push({ line, message: `label: id: no prediction${which} with id "${label.id}" in the input` });
      continue;
    }
    const correct = isCorrectPrediction(prediction.prediction, label.actual);
    const outcome = { model: prediction.model, modelVersion: prediction.modelVersion, correct };
    for (const increment of labelSliIncrements(slos, outcome)) {
      add(increment.slo, label.timestamp ?? prediction.timestamp, increment.good, increment.total);
    }
    accepted++;
  }
  errors.sort((a, b) => a.line - b.line);
  return { buckets, errors, lineCount, accepted };
}

interface OpenAlert {
  readonly severity: Severity;
  fired: number;
  firingMs: number;
  firingSince?: number;
}

function backtestSlo(slo: Slo, buckets: readonly SliBucket[], stepMs: number) {
  const source = new BucketSliCounts(buckets);
  const transitions: BacktestTransition[] = [];
  const byPair = new Map<string, OpenAlert & { longWindow: string; shortWindow: string }>();
  const whole = source.counts(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const range = source.range;
  let state: SloState | undefined;
  let budget = { consumed: 0, remaining: 1 };
  let evaluations = 0;
  let first: number | undefined;
  if (range) {
    first = (Math.floor(range.first / stepMs) + 1) * stepMs;
    const last = Math.ceil((range.last + ROLLUP_PERIOD_MS) / stepMs) * stepMs;
    for (let at = first; at <= last; at += stepMs) {
      const evaluation = evaluateSlo(slo, readWindowCounts(slo, source, at), state, at);
      state = evaluation.state;
      budget = evaluation.status.budget;
      evaluations++;
      for (const transition of evaluation.transitions) {
        const key = `${transition.longWindow}/${transition.shortWindow}`;
        const pair = byPair.get(key) ?? {
          longWindow: transition.longWindow,
          shortWindow: transition.shortWindow,
          severity: transition.severity,
          fired: 0,
          firingMs: 0,
        };
        byPair.set(key, pair);
        if (transition.state === 'firing') {
          pair.fired++;
          pair.firingSince = at;
        } else if (pair.firingSince !== undefined) {
          pair.firingMs += at - pair.firingSince;
          pair.firingSince = undefined;
        }
        transitions.push({
          time: new Date(at).toISOString(),
          slo: slo.name,
          severity: transition.severity,
          longWindow: transition.longWindow,
          shortWindow: transition.shortWindow,
          burnRate: transition.burnRate ?? null,
          shortBurnRate: transition.shortBurnRate ?? null,
          state: transition.state,
        });
      }
    }
  }
  const end = state?.evaluatedAt;
  const alerts = [...byPair.values()].map(
    (pair): BacktestAlertSummary => ({
      longWindow: pair.longWindow,
      shortWindow: pair.shortWindow,
      severity: pair.severity,
      fired: pair.fired,
      firingMs: pair.firingMs + (pair.firingSince === undefined ? 0 : end! - pair.firingSince),
      firingAtEnd: pair.firingSince !== undefined,
    }),
  );
  const firedBySeverity: Partial<Record<Severity, number>> = {};
  for (const alert of alerts)
    firedBySeverity[alert.severity] = (firedBySeverity[alert.severity] ?? 0) + alert.fired;
  const compliance = sloCompliance(slo, whole);
  const summary: BacktestSloSummary = {
    slo: slo.name,
    sli: slo.sli.kind,
    ...(slo.objective === undefined ? {} : { objective: slo.objective }),
    ...(first === undefined || end === undefined
      ? {}
      : { from: new Date(first).toISOString(), to: new Date(end).toISOString() }),
    evaluations,
    good: whole.good,
    total: whole.total,
    ...(compliance === undefined ? {} : { compliance }),
    budgetConsumed: budget.consumed,
    budgetRemaining: budget.remaining,
    fired: alerts.reduce((sum, alert) => sum + alert.fired, 0),
    firedBySeverity,
    alerts,
  };
  return { transitions, summary };
}

/**
 * Backtests SLOs over NDJSON lines (see the module comment): every alert transition, a summary per SLO,
 * and the lines that could not be used. Throws a ValidationError for a step that is not whole minutes.
 */
export function runSloBacktest(
  slos: readonly Slo[],
  lines: Iterable<string>,
  options: BacktestOptions = {},
): BacktestResult {
  const stepMs = options.stepMs ?? DEFAULT_BACKTEST_STEP_MS;
  if (!(stepMs >= ROLLUP_PERIOD_MS) || stepMs % ROLLUP_PERIOD_MS !== 0) {
    throw new ValidationError(
      `step must be a whole number of minutes such as 60s or 5m (SLI counts are kept per minute), got ${stepMs} ms`,
    );
  }
  const { buckets, errors, lineCount, accepted } = collectBuckets(slos, lines);
  const results = slos.map((slo) => backtestSlo(slo, buckets.get(slo.name)!, stepMs));
  const transitions = results
    .flatMap((result) => result.transitions)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return {
    transitions,
    summary: {
      lines: lineCount,
      accepted,
      rejected: errors.length,
      step: formatWindow(stepMs),
      slos: results.map((result) => result.summary),
    },
    errors,
  };
}

/** The output NDJSON lines: one per transition, then the summary. */
export function backtestOutputLines(result: BacktestResult): string[] {
  return [
    ...result.transitions.map((transition) => JSON.stringify(transition)),
    JSON.stringify({ summary: result.summary }),
  ];
}

/** Splits NDJSON text into lines (a trailing newline adds no line). */
export function ndjsonLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
