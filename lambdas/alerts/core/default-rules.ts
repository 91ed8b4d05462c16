import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { PREDICTION_METRICS } from '../../ingest/core/predictions.js';
import { ValidationError } from '../../shared/validation-error.js';
import { type AlertRule, type AlertRuleInput, MODEL_NAME, parseAlertRules } from './rule.js';
import { humanize, humanizePercentage } from './templates.js';

/*
 * The rules every monitored model gets unless its config says otherwise (issue 4's seeds):
 *
 * | id                   | alert              | condition                                          | for  | severity |
 * |----------------------|--------------------|----------------------------------------------------|------|----------|
 * | error-rate-warning   | ModelErrorRateHigh | errors sum / predictions sum over 5m > 5 %         | 2m   | warning  |
 * | error-rate-critical  | ModelErrorRateHigh | the same > 10 %                                    | 2m   | critical |
 * | latency-p95-warning  | ModelLatencyHigh   | p95 latency_ms over 5m > latencyP95WarningMs       | 5m   | warning  |
 * | latency-p95-critical | ModelLatencyHigh   | the same > latencyP95CriticalMs                    | 5m   | critical |
 * | throughput-low       | ModelThroughputLow | predictions per second over 10m < the floor below  | 5m   | high     |
 * | accuracy-low         | ModelAccuracyLow   | avg accuracy over 1h < accuracyTarget              | 15m  | warning  |
 * | confidence-low       | ModelConfidenceLow | avg confidence over 15m < confidenceTarget         | 15m  | warning  |
 *
 * A warning and a critical rule share their alert name, so the default inhibition (a critical alert mutes
 * the warning with the same name and model) keeps one page per problem.
 *
 * Throughput, accuracy and confidence have no sensible universal threshold, so those rules exist only for
 * models whose profile gives one (or whose override sets `threshold`). The throughput floor is the larger
 * of `throughputDropFraction` × `expectedPredictionsPerMinute` (a drop against the model's usual traffic,
 * half of it by default) and `minPredictionsPerMinute` (an absolute floor), in predictions per second as
 * the `rate` statistic gives them. A model that sends nothing at all counts 0 predictions and so fires it.
 * `accuracy` is assumed to hold one observation per labelled prediction, 1 when it was right and 0 when
 * not, so its average is the accuracy.
 *
 * Overrides are per model and rule id: `{ disabled: true }` drops the rule; any of threshold, comparison,
 * window, for, keepFiringFor, severity, noData replaces the default; labels and annotations are merged
 * into the default ones.
 */

/** The ids of the default rules, which overrides refer to. */
export const DEFAULT_RULE_IDS = [
  'error-rate-warning',
  'error-rate-critical',
  'latency-p95-warning',
  'latency-p95-critical',
  'throughput-low',
  'accuracy-low',
  'confidence-low',
] as const;
/** The id of a default rule. */
export type DefaultRuleId = (typeof DEFAULT_RULE_IDS)[number];

const fraction = z
  .number()
  .min(0, 'expected a fraction from 0 to 1')
  .max(1, 'expected a fraction from 0 to 1');
const positive = z.number().positive('expected a positive number');

/** What a model's config says about it that the default rules need. */
export const modelAlertProfileSchema = z.strictObject({
  /** The model's name as clients send it. */
  name: z.string().regex(MODEL_NAME, {
    error: 'expected 1 to 128 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  }),
  /** p95 latency above which the model warns. @default 1000 */
  latencyP95WarningMs: positive.default(1000),
  /** p95 latency above which the model pages. @default 2500 */
  latencyP95CriticalMs: positive.default(2500),
  /** The model's usual traffic; with it, a drop below `throughputDropFraction` of it alerts. */
  expectedPredictionsPerMinute: positive.optional(),
  /** The share of the usual traffic below which throughput counts as dropped. @default 0.5 */
  throughputDropFraction: fraction.default(0.5),
  /** Traffic below which the model alerts whatever its usual traffic. */
  minPredictionsPerMinute: positive.optional(),
  /** Accuracy (0 to 1) below which the model alerts. */
  accuracyTarget: fraction.optional(),
  /** Average confidence (0 to 1) below which the model alerts. */
  confidenceTarget: fraction.optional(),
  /** A runbook for the model's alerts; may use templates such as `{{ $labels.alertname }}`. */
  runbookUrl: z.string().optional(),
});

/** A model's alert profile as written; a bare name takes every default. */
export type ModelAlertProfileInput = z.input<typeof modelAlertProfileSchema> | string;
/** A model's alert profile with its defaults. */
export type ModelAlertProfile = z.output<typeof modelAlertProfileSchema>;

const OVERRIDABLE = [
  'threshold',
  'comparison',
  'window',
  'for',
  'keepFiringFor',
  'severity',
  'noData',
  'labels',
  'annotations',
] as const;

/** How a model's config changes one default rule. */
export type DefaultRuleOverride = { readonly disabled?: boolean } & Partial<
  Pick<AlertRuleInput, (typeof OVERRIDABLE)[number]>
>;

/** Overrides of default rules, by model name, then by rule id. */
export type DefaultRuleOverrides = Readonly<
  Record<string, Readonly<Partial<Record<DefaultRuleId, DefaultRuleOverride>>>>
>;

/** A default rule before its model's overrides: its threshold (none for opt-in rules) and its shape. */
interface DefaultRule {
  readonly threshold: number | undefined;
  readonly window: string;
  /** The rule for the final threshold and window, which its description quotes. */
  build(threshold: number, window: string): Omit<AlertRuleInput, 'name' | 'model'>;
}

/** The name of a model's default rule: `<model>/<id>`, unique across models. */
export function defaultRuleName(model: string, id: DefaultRuleId): string {
  return `${model}/${id}`;
}

function errorRate(threshold: number, severity: 'warning' | 'critical'): DefaultRule {
  return {
    threshold,
    window: '5m',
    build: (final, window) => ({
      alertName: 'ModelErrorRateHigh',
      aggregation: 'ratio',
      ratio: {
        numerator: { metric: PREDICTION_METRICS.errors, stat: 'sum' },
        denominator: { metric: PREDICTION_METRICS.predictions, stat: 'sum' },
      },
      window,
      comparison: '>',
      threshold: final,
      for: '2m',
      severity,
      annotations: {
        summary: 'Error rate of {{ $labels.model }} is {{ $value | humanizePercentage }}',
        description: `More than ${humanizePercentage(final)} of the predictions of {{ $labels.model }} failed over the last ${window}.`,
      },
    }),
  };
}

function latency(thresholdMs: number, severity: 'warning' | 'critical'): DefaultRule {
  return {
    threshold: thresholdMs,
    window: '5m',
    build: (final, window) => ({
      alertName: 'ModelLatencyHigh',
      aggregation: 'p95',
      metric: PREDICTION_METRICS.latency,
      window,
      comparison: '>',
      threshold: final,
      for: '5m',
      severity,
      annotations: {
        summary: 'p95 latency of {{ $labels.model }} is {{ $value | humanize }} ms',
        description: `The 95th percentile latency of {{ $labels.model }} over the last ${window} is above ${humanize(final)} ms.`,
      },
    }),
  };
}

function throughputFloorPerSecond(profile: ModelAlertProfile): number | undefined {
  const floors = [
    profile.expectedPredictionsPerMinute === undefined
      ? undefined
      : profile.expectedPredictionsPerMinute * profile.throughputDropFraction,
    profile.minPredictionsPerMinute,
  ].filter((floor) => floor !== undefined);
  return floors.length === 0 ? undefined : Math.max(...floors) / 60;
}

function defaultRules(profile: ModelAlertProfile): Record<DefaultRuleId, DefaultRule> {
  return {
    'error-rate-warning': errorRate(0.05, 'warning'),
    'error-rate-critical': errorRate(0.1, 'critical'),
    'latency-p95-warning': latency(profile.latencyP95WarningMs, 'warning'),
    'latency-p95-critical': latency(profile.latencyP95CriticalMs, 'critical'),
    'throughput-low': {
      threshold: throughputFloorPerSecond(profile),
      window: '10m',
      build: (final, window) => ({
        alertName: 'ModelThroughputLow',
        aggregation: 'rate',
        metric: PREDICTION_METRICS.predictions,
        window,
        comparison: '<',
        threshold: final,
        for: '5m',
        severity: 'high',
        annotations: {
          summary: '{{ $labels.model }} serves {{ $value | humanize }} predictions/s',
          description: `Traffic of {{ $labels.model }} over the last ${window} is below ${humanize(final * 60)} predictions per minute.`,
        },
      }),
    },
    'accuracy-low': {
      threshold: profile.accuracyTarget,
      window: '1h',
      build: (final, window) => ({
        alertName: 'ModelAccuracyLow',
        aggregation: 'avg',
        metric: 'accuracy',
        window,
        comparison: '<',
        threshold: final,
        for: '15m',
        severity: 'warning',
        annotations: {
          summary: 'Accuracy of {{ $labels.model }} is {{ $value | humanizePercentage }}',
          description: `Accuracy of {{ $labels.model }} over the last ${window} is below its target of ${humanizePercentage(final)}.`,
        },
      }),
    },
    'confidence-low': {
      threshold: profile.confidenceTarget,
      window: '15m',
      build: (final, window) => ({
        alertName: 'ModelConfidenceLow',
        aggregation: 'avg',
        metric: PREDICTION_METRICS.confidence,
        window,
        comparison: '<',
        threshold: final,
        for: '15m',
        severity: 'warning',
        annotations: {
          summary: 'Average confidence of {{ $labels.model }} is {{ $value | humanize }}',
          description: `Average confidence of {{ $labels.model }} over the last ${window} is below its target of ${humanize(final)}.`,
        },
      }),
    },
  };
}

function parseProfiles(models: readonly ModelAlertProfileInput[]): ModelAlertProfile[] {
  const problems: string[] = [];
  const profiles = models.map((model, index) => {
    const parsed = modelAlertProfileSchema.safeParse(typeof model === 'string' ? { name: model } : model);
    if (parsed.success) return parsed.data;
    problems.push(...describeIssues(parsed.error.issues).map((problem) => `models[${index}].${problem}`));
    return undefined;
  });
  const names = profiles.flatMap((profile) => (profile ? [profile.name] : []));
  for (const name of new Set(names.filter((name, index) => names.indexOf(name) !== index))) {
    problems.push(`model "${name}" is listed twice; expected each model once`);
  }
  if (problems.length > 0) throw new ValidationError(`invalid model alert profiles: ${problems.join('; ')}`);
  return profiles as ModelAlertProfile[];
}

function overrideProblems(overrides: DefaultRuleOverrides, models: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [model, byRule] of Object.entries(overrides)) {
    if (!models.has(model)) {
      problems.push(
        `overrides: model "${model}" is not monitored; expected one of ${[...models].join(', ')}`,
      );
    }
    for (const [id, override] of Object.entries(byRule ?? {})) {
      if (!(DEFAULT_RULE_IDS as readonly string[]).includes(id)) {
        problems.push(
          `overrides.${model}: unknown default rule "${id}"; expected one of ${DEFAULT_RULE_IDS.join(', ')}`,
        );
        continue;
      }
      for (const key of Object.keys(override ?? {})) {
        if (key !== 'disabled' && !(OVERRIDABLE as readonly string[]).includes(key)) {
          problems.push(
            `overrides.${model}.${id}: "${key}" cannot be overridden; expected disabled or one of ${OVERRIDABLE.join(', ')} (write a rule of your own to change what is measured)`,
          );
        }
      }
    }
  }
  return problems;
}

/** One model's default rule with its override applied, or undefined when disabled or without a threshold. */
function overridden(
  profile: ModelAlertProfile,
  id: DefaultRuleId,
  rule: DefaultRule,
  override: DefaultRuleOverride = {},
): AlertRuleInput | undefined {
  const {
    disabled,
    threshold = rule.threshold,
    window = rule.window,
    labels,
    annotations,
    ...replaced
  } = override;
  if (disabled || threshold === undefined) return undefined;
  const built = rule.build(threshold, window);
  const runbook = profile.runbookUrl === undefined ? {} : { runbookUrl: profile.runbookUrl };
  return {
    ...built,
    ...replaced,
    name: defaultRuleName(profile.name, id),
    model: profile.name,
    labels: { ...built.labels, ...labels },
    annotations: { ...runbook, ...built.annotations, ...annotations },
  } as AlertRuleInput;
}

/**
 * The default rules of each model, with the model's overrides applied: validated rules named
 * `<model>/<id>`. Throws a ValidationError listing every problem (invalid profiles, overrides of unknown
 * models or rules, invalid overridden values).
 */
export function rulesForModels(
  models: readonly ModelAlertProfileInput[],
  overrides: DefaultRuleOverrides = {},
): AlertRule[] {
  const profiles = parseProfiles(models);
  const problems = overrideProblems(overrides, new Set(profiles.map((profile) => profile.name)));
  if (problems.length > 0)
    throw new ValidationError(`invalid default rule overrides: ${problems.join('; ')}`);
  const rules = profiles.flatMap((profile) => {
    const defaults = defaultRules(profile);
    return DEFAULT_RULE_IDS.flatMap(
      (id) => overridden(profile, id, defaults[id], overrides[profile.name]?.[id]) ?? [],
    );
  });
  return parseAlertRules(rules);
}
