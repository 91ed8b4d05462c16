import { z } from 'zod';
import {
  ALERT_NAME_LABEL,
  MODEL_LABEL,
  SEVERITIES,
  SEVERITY_LABEL,
  type Severity,
} from '../../alerts/core/alert.js';
import { MODEL_NAME } from '../../alerts/core/rule.js';
import { templateProblem } from '../../alerts/core/templates.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ROLLUP_PERIOD_MS } from '../../metrics/core/rollup.js';
import { parseDuration } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import { burnRateForBudget } from './burn-rate.js';

/*
 * A service level objective over a model's prediction events, as configuration: plain JSON-compatible
 * objects, validated here once (like alert rules in alerts/core/rule.ts), so an SLO can travel in the
 * Lambdas' bundled config unchanged. Durations stay strings (`30d`, `1h`) and are read with the helpers
 * below.
 *
 * An SLO watches one model (`model: "fraud"`), optionally one of its versions, or every model together
 * (`model: "*"`: one SLI over all traffic, not one per model). Its SLI is one of:
 *
 * - `availability`: predictions with status `ok` / all predictions;
 * - `latency`: predictions with `latencyMs <= thresholdMs` / all predictions (errors included: a fast error
 *   is fast; availability is what counts it as bad);
 * - `accuracy`: labelled predictions whose label matches the prediction / labelled predictions (labels
 *   arrive later through `POST /api/v1/labels`);
 * - `cost`: spend against a budget, `budgetUsd` per SLO window. Its error budget is the money itself: the
 *   budget consumed is the window's spend / `budgetUsd`, and the burn rate over an alert window is the
 *   spend in it / the part of the budget that window is allowed (`budgetUsd × window / sloWindow`), so a
 *   burn rate of 1 spends exactly the budget by the end of the window and the Workbook's burn-rate alerts
 *   apply unchanged ("spent 2 % of the month's budget in an hour"). A cost SLO therefore has no
 *   `objective`. Why not "good minutes" (minutes whose spend stays under budget / minutes in the window):
 *   that needs every minute's total spend, which no ingest request knows and no sum query answers, and it
 *   punishes bursty but cheap traffic; spend sums are computed at ingest and summed over any window.
 *
 * Alerting follows the Workbook's multiwindow, multi-burn-rate alerts: each pair of a long and a short
 * window fires when both burn faster than its rate and resolves when the short one stops. The defaults are
 * the Workbook's for a 30-day window (Table 5-8: 2 % of the budget in 1 h / 5 min, burn rate 14.4, page;
 * 5 % in 6 h / 30 min, 6, page; 10 % in 3 d / 6 h, 1, ticket). A window pair is written with the budget
 * share it guards (`budgetConsumed`), and its rate is derived for the SLO's own window, so a 7-day SLO
 * pages when 2 % of its 7-day budget goes in an hour (burn rate 3.36); `burnRate` sets a rate directly.
 * Pages become `critical` alerts and tickets `warning` ones unless `alerting.severities` says otherwise.
 *
 * SLA credits: `sla.credits` lists breach thresholds on the SLI's compliance over the SLO window (the
 * seeds' enterprise tier: below 99.5 % credits 10 %, below 99 % credits 25 %); the deepest breach wins.
 */

/** The rolling windows an SLO may be measured over. */
export const SLO_WINDOWS = ['7d', '28d', '30d'] as const;
/** A rolling SLO window. */
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** What an SLI measures. */
export const SLI_KINDS = ['availability', 'latency', 'accuracy', 'cost'] as const;
/** What an SLI measures. */
export type SliKind = (typeof SLI_KINDS)[number];

/** What a burn-rate alert asks of people: wake someone now, or look during working hours. */
export const ALERT_ACTIONS = ['page', 'ticket'] as const;
/** What a burn-rate alert asks of people. */
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** The Workbook's recommended window pairs for a 30-day SLO (Table 5-8), as budget shares. */
export const DEFAULT_BURN_RATE_WINDOWS = [
  { longWindow: '1h', shortWindow: '5m', budgetConsumed: 0.02, action: 'page' },
  { longWindow: '6h', shortWindow: '30m', budgetConsumed: 0.05, action: 'page' },
  { longWindow: '3d', shortWindow: '6h', budgetConsumed: 0.1, action: 'ticket' },
] as const satisfies readonly BurnRateWindowInput[];

/** The severity each action's alerts carry by default. */
export const DEFAULT_ACTION_SEVERITIES = { page: 'critical', ticket: 'warning' } as const satisfies Record<
  AlertAction,
  Severity
>;

/** The name (`alertname`) of SLO burn-rate alerts unless an SLO names its own. */
export const DEFAULT_SLO_ALERT_NAME = 'SLOBurnRateHigh';

/** The window the exhaustion forecast reads the current burn rate from, unless an SLO says otherwise. */
export const DEFAULT_PROJECTION_WINDOW = '1h';

/** The seeds' enterprise SLA: below 99.5 % compliance credits 10 %, below 99 % credits 25 %. */
export const ENTERPRISE_SLA_CREDITS = [
  { below: 0.995, creditPercent: 10 },
  { below: 0.99, creditPercent: 25 },
] as const satisfies readonly SlaCredit[];

/** Labels an SLO alert sets itself, which `alerting.labels` may not override. */
export const SLO_ALERT_LABELS = {
  slo: 'slo',
  sli: 'sli',
  model: MODEL_LABEL,
  modelVersion: 'modelVersion',
  severity: SEVERITY_LABEL,
  longWindow: 'longWindow',
  shortWindow: 'shortWindow',
} as const;

/** An SLO's name: also its metric dimension and state key, so short and plain. */
export const SLO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_LABELS: readonly string[] = [ALERT_NAME_LABEL, ...Object.values(SLO_ALERT_LABELS)];

const shown = (value: unknown) =>
  value === undefined
    ? 'nothing'
    : typeof value === 'string'
      ? `"${value}"`
      : (JSON.stringify(value) ?? String(value));

const sloName = z
  .string({ error: (issue) => `expected an SLO name, got ${shown(issue.input)}` })
  .regex(SLO_NAME, {
    error: (issue) =>
      `expected 1 to 128 letters, digits, _ . : or -, starting with a letter or digit, got ${shown(issue.input)}`,
  });

const modelName = z
  .string({ error: (issue) => `expected a model name, got ${shown(issue.input)}` })
  .regex(MODEL_NAME, {
    error: (issue) =>
      `expected a model name of 1 to 128 letters, digits, dots, dashes or underscores, got ${shown(issue.input)}`,
  });

/** A duration string such as `5m`: a whole number of minutes (SLI counts are kept per minute), at least 1m. */
const windowDuration = z
  .string({ error: (issue) => `expected a duration such as 5m, 1h or 3d, got ${shown(issue.input)}` })
  .superRefine((text, context) => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      context.addIssue({
        code: 'custom',
        message: `expected a duration such as 5m, 1h or 3d, got "${text}"`,
      });
      return;
    }
    if (ms < ROLLUP_PERIOD_MS || ms % ROLLUP_PERIOD_MS !== 0) {
      context.addIssue({
        code: 'custom',
        message: `expected a whole number of minutes, at least 1m (SLI counts are kept per minute), got "${text}"`,
      });
    }
  });

const fraction = (what: string, options: { inclusiveMax?: boolean } = {}) =>
  z
    .number({ error: (issue) => `expected ${what}, got ${shown(issue.input)}` })
    .refine((value) => value > 0 && (options.inclusiveMax ? value <= 1 : value < 1), {
      error: (issue) => `expected ${what}, got ${shown(issue.input)}`,
    });

const severity = z.enum(SEVERITIES, {
  error: (issue) => `expected one of ${SEVERITIES.join(', ')}, got ${shown(issue.input)}`,
});

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
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is set by the SLO alert itself; expected another label name`,
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
    /** One line for a notification's title; Vigil writes one when it is absent. */
    summary: template.optional(),
    /** What is wrong and what it affects; Vigil writes one when it is absent. */
    description: template.optional(),
    /** Where the on-call engineer finds what to do. */
    runbookUrl: template
      .refine((url) => /^https?:\/\/\S+$/.test(url.replace(/\{\{.*?\}\}/g, 'x')), {
        error: (issue) => `expected an http or https URL, got ${shown(issue.input)}`,
      })
      .optional(),
  })
  .catchall(template);

const sliSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('availability') }),
    z.strictObject({
      kind: z.literal('latency'),
      /** A prediction is good when its latencyMs is at most this. */
      thresholdMs: z
        .number({ error: (issue) => `expected a number of milliseconds, got ${shown(issue.input)}` })
        .positive({ error: (issue) => `expected more than 0 ms, got ${shown(issue.input)}` })
        .finite(),
    }),
    z.strictObject({ kind: z.literal('accuracy') }),
    z.strictObject({
      kind: z.literal('cost'),
      /** The spend allowed per SLO window, USD: the cost SLO's error budget. */
      budgetUsd: z
        .number({ error: (issue) => `expected an amount in USD, got ${shown(issue.input)}` })
        .positive({ error: (issue) => `expected more than 0 USD, got ${shown(issue.input)}` })
        .finite(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `expected kind ${SLI_KINDS.join(', ')}, got ${shown((issue.input as { kind?: unknown })?.kind)}`
        : `expected an SLI object such as { "kind": "availability" }, got ${shown(issue.input)}`,
  },
);

/** One long/short window pair of a burn-rate alert policy, as written. */
export interface BurnRateWindowInput {
  readonly longWindow: string;
  readonly shortWindow: string;
  /** The share of the SLO window's budget the pair guards; its burn rate is derived from it. */
  readonly budgetConsumed?: number;
  /** The burn rate itself, instead of `budgetConsumed`. */
  readonly burnRate?: number;
  readonly action: AlertAction;
}

const burnRateWindowSchema = z
  .strictObject({
    longWindow: windowDuration,
    shortWindow: windowDuration,
    budgetConsumed: fraction('a share of the budget above 0 and at most 1, such as 0.02', {
      inclusiveMax: true,
    }).optional(),
    burnRate: z
      .number({ error: (issue) => `expected a burn rate such as 14.4, got ${shown(issue.input)}` })
      .positive({ error: (issue) => `expected a burn rate above 0, got ${shown(issue.input)}` })
      .finite()
      .optional(),
    action: z.enum(ALERT_ACTIONS, {
      error: (issue) => `expected one of ${ALERT_ACTIONS.join(', ')}, got ${shown(issue.input)}`,
    }),
  })
  .superRefine((pair, context) => {
    if ((pair.budgetConsumed === undefined) === (pair.burnRate === undefined)) {
      context.addIssue({
        code: 'custom',
        message: 'expected exactly one of budgetConsumed (such as 0.02) or burnRate (such as 14.4)',
      });
    }
    const long = safeDuration(pair.longWindow);
    const short = safeDuration(pair.shortWindow);
    if (long !== undefined && short !== undefined && short >= long) {
      context.addIssue({
        code: 'custom',
        path: ['shortWindow'],
        message: `expected a short window shorter than the long window ${pair.longWindow}, got "${pair.shortWindow}"`,
      });
    }
  });

const alertingSchema = z.strictObject(
  {
    /** False turns the SLO's burn-rate alerts off; it is still measured and reported. */
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    /** The alerts' name (`alertname`). */
    name: z
      .string({ error: (issue) => `expected an alert name, got ${shown(issue.input)}` })
      .regex(ALERT_NAME, {
        error: (issue) =>
          `expected an alert name of letters, digits, _ . : or -, starting with a letter or _, got ${shown(issue.input)}`,
      })
      .default(DEFAULT_SLO_ALERT_NAME),
    /** The window pairs; the Workbook's three by default. */
    windows: z
      .array(burnRateWindowSchema, { error: 'expected a list of window pairs' })
      .min(1, { error: 'expected at least one window pair; set enabled: false to turn alerting off' })
      .default(() => DEFAULT_BURN_RATE_WINDOWS.map((pair) => ({ ...pair }))),
    /** The severity each action's alerts carry. */
    severities: z
      .strictObject({
        page: severity.default(DEFAULT_ACTION_SEVERITIES.page),
        ticket: severity.default(DEFAULT_ACTION_SEVERITIES.ticket),
      })
      .prefault({}),
    /** Added to every alert's labels (team, service, ...). */
    labels: labelsSchema.default({}),
    /** Templates over the alert's labels and `$value` (the long window's burn rate). */
    annotations: annotationsSchema.default({}),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `expected an alerting object such as { "windows": [...] }, got ${shown(issue.input)}`
        : undefined,
  },
);

const slaCreditSchema = z.strictObject({
  /** Compliance strictly below this breaches the SLA. */
  below: fraction('a compliance strictly between 0 and 1, such as 0.995'),
  /** The share of the bill credited, in percent. */
  creditPercent: z
    .number({ error: (issue) => `expected a percentage, got ${shown(issue.input)}` })
    .gt(0, { error: 'expected more than 0 %' })
    .lte(100, { error: 'expected at most 100 %' }),
});

/** One SLA breach threshold. */
export interface SlaCredit {
  readonly below: number;
  readonly creditPercent: number;
}

/** An SLO as written in configuration; `sloSchema` validates it and fills in defaults. */
export const sloSchema = z
  .strictObject(
    {
      /** Unique among the SLOs: the key of its state, counts and alerts. */
      name: sloName,
      description: z
        .string({ error: (issue) => `expected text, got ${shown(issue.input)}` })
        .max(1050, { error: 'expected at most 1050 characters' })
        .optional(),
      /** One model, or `*` for all models together. */
      model: z.union([z.literal('*'), modelName], {
        error: (issue) => `expected "*" (all models together) or a model name, got ${shown(issue.input)}`,
      }),
      /** One version of the model; without it, every version counts. */
      modelVersion: modelName.optional(),
      sli: sliSchema,
      /** The share of good events promised, strictly between 0 and 1 (0.999); not used by cost SLOs. */
      objective: fraction('a fraction strictly between 0 and 1, such as 0.999').optional(),
      /** The rolling window compliance and the error budget are measured over. */
      window: z
        .enum(SLO_WINDOWS, {
          error: (issue) =>
            `expected a rolling window of ${SLO_WINDOWS.join(', ')}, got ${shown(issue.input)}`,
        })
        .default('30d'),
      /** The recent window whose burn rate the exhaustion forecast extrapolates. */
      projectionWindow: windowDuration.default(DEFAULT_PROJECTION_WINDOW),
      alerting: alertingSchema.prefault({}),
      /** SLA breach thresholds on the compliance over the SLO window; the enterprise tier's by default. */
      sla: z
        .strictObject(
          {
            credits: z
              .array(slaCreditSchema, { error: 'expected a list of { below, creditPercent }' })
              .min(1, { error: 'expected at least one breach threshold' })
              .default(() => ENTERPRISE_SLA_CREDITS.map((credit) => ({ ...credit }))),
          },
          {
            error: (issue) =>
              issue.code === 'invalid_type'
                ? `expected an SLA object such as { "credits": [...] }, got ${shown(issue.input)}`
                : undefined,
          },
        )
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type' ? `expected an SLO object, got ${shown(issue.input)}` : undefined,
    },
  )
  .superRefine((slo, context) => {
    const cost = slo.sli.kind === 'cost';
    if (cost && slo.objective !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['objective'],
        message: 'a cost SLO has no objective: its error budget is sli.budgetUsd; remove objective',
      });
    } else if (!cost && slo.objective === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['objective'],
        message: `expected an objective strictly between 0 and 1 (such as 0.999) for a ${slo.sli.kind} SLO`,
      });
    }
    if (cost && slo.sla !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['sla'],
        message: 'a cost SLO has no compliance ratio to credit an SLA on; remove sla',
      });
    }
    if (slo.model === '*' && slo.modelVersion !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['modelVersion'],
        message: 'a model version needs one model; expected a model name instead of "*"',
      });
    }
    const windowMs = parseDuration(slo.window);
    const projection = safeDuration(slo.projectionWindow);
    if (projection !== undefined && projection > windowMs) {
      context.addIssue({
        code: 'custom',
        path: ['projectionWindow'],
        message: `expected at most the SLO window ${slo.window}, got "${slo.projectionWindow}"`,
      });
    }
    const seen = new Set<string>();
    slo.alerting.windows.forEach((pair, index) => {
      const long = safeDuration(pair.longWindow);
      if (long !== undefined && long > windowMs) {
        context.addIssue({
          code: 'custom',
          path: ['alerting', 'windows', index, 'longWindow'],
          message: `expected at most the SLO window ${slo.window}, got "${pair.longWindow}"`,
        });
      }
      const key = `${safeDuration(pair.longWindow)}/${safeDuration(pair.shortWindow)}`;
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['alerting', 'windows', index],
          message: `the pair ${pair.longWindow} / ${pair.shortWindow} is listed twice; expected each pair once`,
        });
      }
      seen.add(key);
    });
    const thresholds = (slo.sla?.credits ?? []).map((credit) => credit.below);
    if (new Set(thresholds).size !== thresholds.length) {
      context.addIssue({
        code: 'custom',
        path: ['sla', 'credits'],
        message: 'two breach thresholds share the same "below"; expected each once',
      });
    }
  });

/** An SLO as written, before defaults. */
export type SloInput = z.input<typeof sloSchema>;
/** A validated SLO with its defaults. */
export type Slo = z.output<typeof sloSchema>;
/** A validated SLI. */
export type Sli = Slo['sli'];

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** One problem of one SLO in a list. */
export interface SloProblem {
  /** The SLO's position in the list, from 0. */
  readonly index: number;
  /** The SLO's name, when it has a readable one. */
  readonly name?: string;
  /** Where in the SLO, such as `alerting.windows[0].longWindow`; `(slo)` for the whole. */
  readonly path: string;
  readonly message: string;
}

/** Validates a list of SLOs with unique names, keeping the valid ones and listing every problem. */
export function validateSlos(inputs: readonly unknown[]): { slos: Slo[]; problems: SloProblem[] } {
  const slos: Slo[] = [];
  const problems: SloProblem[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const rawName = (input as { name?: unknown } | null)?.name;
    const name = typeof rawName === 'string' ? rawName : undefined;
    const at = name === undefined ? { index } : { index, name };
    const parsed = sloSchema.safeParse(input);
    if (!parsed.success) {
      for (const described of describeIssues(parsed.error.issues, '(slo)')) {
        const separator = described.indexOf(': ');
        problems.push({
          ...at,
          path: described.slice(0, separator),
          message: described.slice(separator + 2),
        });
      }
      return;
    }
    if (seen.has(parsed.data.name)) {
      problems.push({
        ...at,
        path: 'name',
        message: `"${parsed.data.name}" is used twice; expected each name once`,
      });
      return;
    }
    seen.add(parsed.data.name);
    slos.push(parsed.data);
  });
  return { slos, problems };
}

/** Validates a list of SLOs; throws one ValidationError listing every problem of every SLO. */
export function parseSlos(inputs: readonly unknown[]): Slo[] {
  const { slos, problems } = validateSlos(inputs);
  if (problems.length === 0) return slos;
  const text = problems.map((problem) => {
    const where = problem.name === undefined ? `slo [${problem.index}]` : `slo "${problem.name}"`;
    return `${where}: ${problem.path}: ${problem.message}`;
  });
  throw new ValidationError(`invalid ${inputs.length > 1 ? 'SLOs: ' : ''}${text.join('; ')}`);
}

/** Validates one SLO; throws a ValidationError naming every invalid field by its path. */
export function parseSlo(input: unknown): Slo {
  return parseSlos([input])[0]!;
}

/** The SLO window in ms. */
export function sloWindowMs(slo: Pick<Slo, 'window'>): number {
  return parseDuration(slo.window);
}

/** The share of events an SLI may fail, `1 - objective`; undefined for cost SLOs, whose budget is money. */
export function errorBudgetFraction(slo: Pick<Slo, 'objective'>): number | undefined {
  return slo.objective === undefined ? undefined : 1 - slo.objective;
}

/** A window pair with its durations read and its burn rate and severity decided. */
export interface BurnRateAlertWindow {
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  /** Both windows must burn faster than this to fire. */
  readonly burnRate: number;
  /** The share of the SLO window's budget spent in the long window at that rate. */
  readonly budgetConsumed: number;
  readonly action: AlertAction;
  readonly severity: Severity;
}

/** The identity of a window pair within an SLO, such as `1h/5m`. */
export function windowPairKey(pair: Pick<BurnRateAlertWindow, 'longWindow' | 'shortWindow'>): string {
  return `${pair.longWindow}/${pair.shortWindow}`;
}

/** The SLO's burn-rate alert windows, burn rates scaled to its window; empty when alerting is off. */
export function burnRateAlertWindows(slo: Slo): BurnRateAlertWindow[] {
  if (!slo.alerting.enabled) return [];
  const windowMs = sloWindowMs(slo);
  return slo.alerting.windows.map((pair) => {
    const longWindowMs = parseDuration(pair.longWindow);
    const burnRate = pair.burnRate ?? burnRateForBudget(pair.budgetConsumed!, windowMs, longWindowMs);
    return {
      longWindow: pair.longWindow,
      shortWindow: pair.shortWindow,
      longWindowMs,
      shortWindowMs: parseDuration(pair.shortWindow),
      burnRate,
      budgetConsumed: pair.budgetConsumed ?? (burnRate * longWindowMs) / windowMs,
      action: pair.action,
      severity: slo.alerting.severities[pair.action],
    };
  });
}

/** Whether a prediction (or a label) of this model and version counts towards the SLO. */
export function sloSelects(
  slo: Pick<Slo, 'model' | 'modelVersion'>,
  event: { readonly model: string; readonly modelVersion?: string | undefined },
): boolean {
  if (slo.model !== '*' && slo.model !== event.model) return false;
  return slo.modelVersion === undefined || slo.modelVersion === event.modelVersion;
}
