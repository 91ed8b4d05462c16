import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ROLLUP_PERIOD_MS } from '../../metrics/core/rollup.js';
import { STATS, type Stat } from '../../metrics/ports/metric-store.js';
import { parseDuration } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import { ALERT_NAME_LABEL, type Labels, SEVERITIES, SEVERITY_LABEL } from './alert.js';
import { templateProblem } from './templates.js';

/*
 * An alert rule: a statistic of one metric (or the ratio of two) per model over a window ending at the
 * evaluation time, compared with a threshold; held for `for`, it fires with a severity, labels and
 * templated annotations. Rules are configuration: plain JSON-compatible objects, validated here once, so a
 * rule can travel in the Lambdas' bundled config unchanged. Durations stay strings (`5m`) and are read with
 * `ruleDurations`.
 *
 * Each rule evaluates per model, as if its query said `by (model)`: the alert's labels carry `model`, and
 * `modelVersion` too when the rule selects versions.
 */

/** How a rule compares its value with its threshold. */
export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
/** How a rule compares its value with its threshold. */
export type Comparison = (typeof COMPARISONS)[number];

/**
 * What a rule does for a model with no value (no data in the window, or a ratio over zero):
 * - `ok`: the condition does not hold, so a pending alert is dropped and a firing one resolves, as in
 *   Prometheus, where the series simply is absent from the query's answer;
 * - `alerting`: the condition holds (for rules whose silence is itself a problem);
 * - `keep-last`: the condition is taken as it was at the last evaluation (a pending alert keeps counting
 *   towards `for`, a firing one keeps firing), for sources that report late or in bursts.
 */
export const NO_DATA_POLICIES = ['ok', 'alerting', 'keep-last'] as const;
/** What a rule does for a model with no value. */
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

/** Every model (`*`), one model, or a list of models. */
export type ModelSelector = '*' | string | readonly string[];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,255}$/;
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,255}$/;
/** A model (or model version) name, as the config's models and ingest accept it. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_LABELS = [ALERT_NAME_LABEL, SEVERITY_LABEL];

const shown = (value: unknown) =>
  value === undefined
    ? 'nothing'
    : typeof value === 'string'
      ? `"${value}"`
      : (JSON.stringify(value) ?? String(value));

const ruleName = z.string({ error: (issue) => `expected a name, got ${shown(issue.input)}` }).regex(NAME, {
  error: (issue) =>
    `expected 1 to 256 letters, digits, _ . : / or -, starting with a letter, digit or _, got ${shown(issue.input)}`,
});

const metricName = z
  .string({ error: (issue) => `expected a metric name, got ${shown(issue.input)}` })
  .regex(METRIC_NAME, {
    error: (issue) =>
      `expected a metric name of letters, digits, _ . : / or -, starting with a letter or _, got ${shown(issue.input)}`,
  });

const modelName = z
  .string({ error: (issue) => `expected a model name, got ${shown(issue.input)}` })
  .regex(MODEL_NAME, {
    error: (issue) =>
      `expected a model name of 1 to 128 letters, digits, dots, dashes or underscores, got ${shown(issue.input)}`,
  });

const modelSelector = z.union(
  [
    z.literal('*'),
    modelName,
    z.array(modelName).min(1, { error: 'expected at least one model; use "*" for every model' }),
  ],
  {
    error: (issue) =>
      `expected "*" (every model), a model name or a non-empty list of model names, got ${shown(issue.input)}`,
  },
);

/** A duration string such as `5m`, optionally a whole number of minutes and at least a minimum. */
function durationString(options: { wholeMinutes?: boolean; minMs?: number } = {}) {
  return z
    .string({ error: (issue) => `expected a duration such as 30s, 5m or 1h, got ${shown(issue.input)}` })
    .superRefine((text, context) => {
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch {
        context.addIssue({
          code: 'custom',
          message: `expected a duration such as 30s, 5m or 1h, got "${text}"`,
        });
        return;
      }
      if (options.minMs !== undefined && ms < options.minMs) {
        context.addIssue({
          code: 'custom',
          message: `expected at least ${options.minMs / 1000}s, got "${text}"`,
        });
      } else if (options.wholeMinutes && ms % ROLLUP_PERIOD_MS !== 0) {
        context.addIssue({
          code: 'custom',
          message: `expected a whole number of minutes (metrics are stored per minute), got "${text}"`,
        });
      }
    });
}

const template = z
  .string({ error: (issue) => `expected template text, got ${shown(issue.input)}` })
  .max(4096, { error: 'expected at most 4096 characters' })
  .superRefine((text, context) => {
    const problem = templateProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

const labelsSchema = z
  .record(
    z.string(),
    z.string({ error: (issue) => `expected a string label value, got ${shown(issue.input)}` }).max(256),
  )
  .superRefine((labels, context) => {
    for (const name of Object.keys(labels)) {
      if (RESERVED_LABELS.includes(name)) {
        const instead = name === SEVERITY_LABEL ? 'severity' : 'name or alertName';
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is set by the rule itself; use the rule's ${instead} instead`,
        });
      } else if (!LABEL_NAME.test(name)) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `expected a label name of letters, digits and _, starting with a letter or _, got "${name}"`,
        });
      }
    }
  });

const annotationsSchema = z
  .object({
    /** One line for a notification's title. */
    summary: template.optional(),
    /** What is wrong and what it affects. */
    description: template.optional(),
    /** Where the on-call engineer finds what to do; may use templates (`.../{{ $labels.model }}`). */
    runbookUrl: template
      .refine((url) => /^https?:\/\/\S+$/.test(url.replace(/\{\{.*?\}\}/g, 'x')), {
        error: (issue) => `expected an http or https URL, got ${shown(issue.input)}`,
      })
      .optional(),
  })
  .catchall(template);

const stat = z.enum(STATS, {
  error: (issue) => `expected one of ${STATS.join(', ')}, got ${shown(issue.input)}`,
});

const metricStat = z.strictObject({ metric: metricName, stat });

const ruleFields = {
  /** Unique among the rules: the key of the rule's state and of overrides. */
  name: ruleName,
  /** The alert's name (`alertname`) when it differs from `name`: a warning and a critical rule share one. */
  alertName: ruleName.optional(),
  /** Which models the rule watches. */
  model: modelSelector.default('*'),
  /** One model version (`v2`), or `*` to evaluate every version apart; without it, versions are merged. */
  modelVersion: z
    .union([z.literal('*'), z.string().regex(MODEL_NAME)], {
      error: (issue) => `expected "*" or a model version name, got ${shown(issue.input)}`,
    })
    .optional(),
  /** The window the statistic is computed over, ending at the evaluation time; whole minutes. */
  window: durationString({ wholeMinutes: true, minMs: ROLLUP_PERIOD_MS }),
  comparison: z.enum(COMPARISONS, {
    error: (issue) => `expected one of ${COMPARISONS.join(' ')}, got ${shown(issue.input)}`,
  }),
  /** Ratios are fractions: 0.05 is 5 %. */
  threshold: z.number({ error: (issue) => `expected a finite number, got ${shown(issue.input)}` }),
  /** How long the condition must hold before the alert fires; `0s` fires at once. */
  for: durationString().default('0s'),
  /** How long an alert keeps firing after its condition stops holding, against flapping. */
  keepFiringFor: durationString().optional(),
  severity: z.enum(SEVERITIES, {
    error: (issue) => `expected one of ${SEVERITIES.join(', ')}, got ${shown(issue.input)}`,
  }),
  noData: z
    .enum(NO_DATA_POLICIES, {
      error: (issue) => `expected one of ${NO_DATA_POLICIES.join(', ')}, got ${shown(issue.input)}`,
    })
    .default('ok'),
  /** Added to the alert's labels (after the model's, so they win); not `alertname` or `severity`. */
  labels: labelsSchema.default({}),
  annotations: annotationsSchema.default({}),
};

const AGGREGATIONS = [...STATS, 'ratio'] as const;

/** An alert rule as written in configuration; `alertRuleSchema` validates it and fills in defaults. */
export const alertRuleSchema = z.discriminatedUnion(
  'aggregation',
  [
    z.strictObject({
      ...ruleFields,
      /** The statistic of `metric` over the window; `rate` is the sum per second. */
      aggregation: stat,
      metric: metricName,
    }),
    z.strictObject({
      ...ruleFields,
      /** The numerator's statistic over the denominator's, such as errors sum / predictions sum. */
      aggregation: z.literal('ratio'),
      ratio: z.strictObject({ numerator: metricStat, denominator: metricStat }),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `expected one of ${AGGREGATIONS.join(', ')}, got ${shown((issue.input as { aggregation?: unknown })?.aggregation)}`
        : `expected an alert rule object, got ${shown(issue.input)}`,
  },
);

/** An alert rule as written, before defaults. */
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
/** A validated alert rule with its defaults. */
export type AlertRule = z.output<typeof alertRuleSchema>;
/** A rule on one metric's statistic. */
export type StatAlertRule = Extract<AlertRule, { aggregation: Stat }>;
/** A rule on the ratio of two metrics' statistics. */
export type RatioAlertRule = Extract<AlertRule, { aggregation: 'ratio' }>;

function ruleLabel(input: unknown, index?: number): string {
  const name = (input as { name?: unknown } | null)?.name;
  if (typeof name === 'string') return `alert rule "${name}"`;
  return index === undefined ? 'alert rule' : `alert rule [${index}]`;
}

/** Validates one rule; throws a ValidationError naming the rule and every invalid field by its path. */
export function parseAlertRule(input: unknown): AlertRule {
  return parseAlertRules([input])[0]!;
}

/** Validates a list of rules with unique names; the error lists every problem of every rule. */
export function parseAlertRules(inputs: readonly unknown[]): AlertRule[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const rules = inputs.map((input, index) => {
    const parsed = alertRuleSchema.safeParse(input);
    if (!parsed.success) {
      const where = ruleLabel(input, inputs.length > 1 ? index : undefined);
      problems.push(`${where}: ${describeIssues(parsed.error.issues, '(rule)').join('; ')}`);
    }
    const name = (input as { name?: unknown } | null)?.name;
    if (typeof name === 'string') {
      if (seen.has(name)) problems.push(`alert rule "${name}": name is used twice; expected each name once`);
      seen.add(name);
    }
    return parsed.data;
  });
  if (problems.length === 0) return rules as AlertRule[];
  throw new ValidationError(`invalid ${inputs.length > 1 ? 'alert rules: ' : ''}${problems.join('; ')}`);
}

/** The name an alert of this rule carries as `alertname`. */
export function ruleAlertName(rule: Pick<AlertRule, 'name' | 'alertName'>): string {
  return rule.alertName ?? rule.name;
}

/** A rule's durations in milliseconds. */
export interface RuleDurations {
  readonly windowMs: number;
  readonly forMs: number;
  readonly keepFiringForMs: number;
}

/** Reads a rule's duration strings. */
export function ruleDurations(rule: Pick<AlertRule, 'window' | 'for' | 'keepFiringFor'>): RuleDurations {
  return {
    windowMs: parseDuration(rule.window, 'window'),
    forMs: parseDuration(rule.for, 'for'),
    keepFiringForMs:
      rule.keepFiringFor === undefined ? 0 : parseDuration(rule.keepFiringFor, 'keepFiringFor'),
  };
}

/** Whether `value` compared with `threshold` holds; NaN never does (as in PromQL, save for `!=`). */
export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** The models a selector names, or undefined for every model. */
export function selectedModels(selector: ModelSelector): readonly string[] | undefined {
  if (selector === '*') return undefined;
  return typeof selector === 'string' ? [selector] : selector;
}

/** Whether a series with these labels (`model`, `modelVersion`) is one the rule watches. */
export function ruleSelects(rule: Pick<AlertRule, 'model' | 'modelVersion'>, labels: Labels): boolean {
  const models = selectedModels(rule.model);
  if (models && !models.includes(labels.model ?? '')) return false;
  if (rule.modelVersion !== undefined && rule.modelVersion !== '*') {
    return labels.modelVersion === rule.modelVersion;
  }
  return true;
}
