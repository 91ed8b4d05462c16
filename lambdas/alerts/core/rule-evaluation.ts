import { type Dimensions, dimensionsKey } from '../../metrics/core/rollup.js';
import { type AlertRule, compare, ruleDurations, ruleSelects } from './rule.js';
import type { RuleSeries } from './rule-query.js';

/*
 * One evaluation of an alert rule, with Prometheus' semantics (rules/alerting.go), per label set:
 *
 *   inactive --holds--> pending --holds for `for`--> firing --stops holding--> resolved --15 min--> dropped
 *   pending --stops holding--> inactive (dropped, never notified)
 *   resolved --holds again--> pending (a new alert with a new activeAt)
 *
 * `for` is measured from `activeAt`, the evaluation at which the condition first held, to the current
 * evaluation time, so a condition that flips at every evaluation restarts its clock each time and never
 * fires while `for` is longer than the interval. With `for: 0s` an alert fires at its first evaluation.
 * A firing alert whose condition stops holding keeps firing until `keepFiringFor` has passed since the
 * first evaluation that found it not holding (and the clock restarts when it holds again). A resolved
 * alert is kept for 15 minutes (Prometheus' resolvedRetention), so its resolution can be sent again if a
 * notification was lost, then dropped.
 *
 * No data is its own case: a label set the rule watches with no value, or one the previous state knows that
 * the answer no longer has, follows the rule's `noData` policy (see NO_DATA_POLICIES). A label set the rule
 * no longer selects (a model removed from its list) never holds, whatever the policy, so it winds down.
 *
 * The state is one plain object per rule (one DynamoDB item): JSON-safe numbers and strings, undefined
 * fields left out, and a version that grows by one at every evaluation, for a conditional write that
 * refuses a concurrent or replayed evaluation.
 */

/** Where an alert of a rule is; `inactive` alerts are not kept. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** One label set's alert, as kept between evaluations. Times are epoch ms. */
export interface AlertInstance {
  readonly labels: Dimensions;
  readonly state: AlertState;
  /** The evaluation at which the condition began to hold. */
  readonly activeAt: number;
  /** When it went from pending to firing. */
  readonly firedAt?: number;
  /** When it stopped firing. */
  readonly resolvedAt?: number;
  /** The first evaluation of a firing alert whose condition no longer held (keepFiringFor counts from it). */
  readonly keepFiringSince?: number;
  /** The rule's value at the last evaluation; absent when there was no data. */
  readonly value?: number;
  readonly lastEvaluatedAt: number;
}

/** Everything one rule remembers between evaluations. */
export interface RuleState {
  /** The rule's name. */
  readonly rule: string;
  /** 1 after the first evaluation, one more after each; write it only if the stored one is `version - 1`. */
  readonly version: number;
  readonly evaluatedAt: number;
  /** Pending, firing and recently resolved alerts, ordered by their labels. */
  readonly alerts: readonly AlertInstance[];
}

/** A change of one label set's alert. */
export interface AlertTransition {
  readonly labels: Dimensions;
  readonly from: AlertState | 'inactive';
  readonly to: AlertState | 'inactive';
  readonly at: number;
  readonly value?: number;
}

/** The outcome of one evaluation. */
export interface RuleEvaluation {
  /** The state to store. */
  readonly state: RuleState;
  /** What changed, ordered by labels. */
  readonly transitions: readonly AlertTransition[];
  /**
   * True when `at` was not after the previous evaluation (a scheduler delivering the same minute twice):
   * nothing changed and there is nothing to store.
   */
  readonly skipped: boolean;
}

/** Tuning of the evaluation, for tests and backtests. */
export interface EvaluationOptions {
  /** How long a resolved alert is kept before it is dropped; Prometheus' 15 minutes by default. */
  readonly resolvedRetentionMs?: number;
}

/** Prometheus keeps resolved alerts this long (rules/alerting.go, resolvedRetention). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** Whether the condition held at the alert's last evaluation (what `keep-last` assumes without data). */
function heldLastTime(alert: AlertInstance | undefined): boolean {
  if (!alert) return false;
  return alert.state === 'pending' || (alert.state === 'firing' && alert.keepFiringSince === undefined);
}

function conditionHolds(
  rule: AlertRule,
  selected: boolean,
  value: number | undefined,
  previous: AlertInstance | undefined,
): boolean {
  if (!selected) return false;
  if (value !== undefined) return compare(value, rule.comparison, rule.threshold);
  switch (rule.noData) {
    case 'ok':
      return false;
    case 'alerting':
      return true;
    case 'keep-last':
      return heldLastTime(previous);
  }
}

/** The object without its undefined fields, so it stores and compares as plain JSON. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/** The alert of one label set after this evaluation; undefined when it is (or becomes) inactive. */
function step(
  previous: AlertInstance | undefined,
  labels: Dimensions,
  holds: boolean,
  value: number | undefined,
  at: number,
  durations: { forMs: number; keepFiringForMs: number; resolvedRetentionMs: number },
): AlertInstance | undefined {
  if (holds) {
    const active = previous?.state === 'pending' || previous?.state === 'firing';
    const current = active
      ? { ...previous, value, keepFiringSince: undefined, lastEvaluatedAt: at }
      : { labels, state: 'pending' as const, activeAt: at, value, lastEvaluatedAt: at };
    if (current.state === 'pending' && at - current.activeAt >= durations.forMs) {
      return defined<AlertInstance>({ ...current, state: 'firing', firedAt: at });
    }
    return defined<AlertInstance>(current);
  }
  if (!previous || previous.state === 'pending') return undefined;
  if (previous.state === 'firing') {
    const since = previous.keepFiringSince ?? at;
    if (durations.keepFiringForMs > 0 && at - since < durations.keepFiringForMs) {
      return defined<AlertInstance>({ ...previous, keepFiringSince: since, value, lastEvaluatedAt: at });
    }
    return defined<AlertInstance>({
      ...previous,
      state: 'resolved',
      resolvedAt: at,
      keepFiringSince: undefined,
      value,
      lastEvaluatedAt: at,
    });
  }
  if (at - previous.resolvedAt! > durations.resolvedRetentionMs) return undefined;
  return defined<AlertInstance>({ ...previous, value, lastEvaluatedAt: at });
}

/**
 * Evaluates a rule at `at` (epoch ms) given its value per label set (`ruleSeries`) and its previous state
 * (undefined before the first evaluation): the next state of every label set's alert, and what changed.
 */
export function evaluateRule(
  rule: AlertRule,
  series: readonly RuleSeries[],
  previous: RuleState | undefined,
  at: number,
  options: EvaluationOptions = {},
): RuleEvaluation {
  if (previous && at <= previous.evaluatedAt) return { state: previous, transitions: [], skipped: true };
  const durations = {
    ...ruleDurations(rule),
    resolvedRetentionMs: options.resolvedRetentionMs ?? RESOLVED_RETENTION_MS,
  };
  const previousByKey = new Map(
    (previous?.alerts ?? []).map((alert) => [dimensionsKey(alert.labels), alert]),
  );
  const seriesByKey = new Map<string, RuleSeries>();
  for (const entry of series) {
    const key = dimensionsKey(entry.labels);
    if (!seriesByKey.has(key)) seriesByKey.set(key, entry);
  }
  const alerts: AlertInstance[] = [];
  const transitions: AlertTransition[] = [];
  for (const key of [...new Set([...previousByKey.keys(), ...seriesByKey.keys()])].sort()) {
    const before = previousByKey.get(key);
    const entry = seriesByKey.get(key);
    const labels = entry?.labels ?? before!.labels;
    const selected = ruleSelects(rule, labels);
    const value =
      selected && entry?.value !== undefined && Number.isFinite(entry.value) ? entry.value : undefined;
    const holds = conditionHolds(rule, selected, value, before);
    const next = step(before, labels, holds, value, at, durations);
    if (next) alerts.push(next);
    const from = before?.state ?? 'inactive';
    const to = next?.state ?? 'inactive';
    if (from !== to) transitions.push(defined<AlertTransition>({ labels, from, to, at, value }));
  }
  return {
    state: { rule: rule.name, version: (previous?.version ?? 0) + 1, evaluatedAt: at, alerts },
    transitions,
    skipped: false,
  };
}
