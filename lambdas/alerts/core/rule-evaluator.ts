import type { MetricReader } from '../../metrics/ports/metric-store.js';
import type { RuleStateRepository } from '../ports/rule-state-repository.js';
import type { Alert } from './alert.js';
import type { AlertRule } from './rule.js';
import { ruleAlerts } from './rule-alert.js';
import { type AlertTransition, type EvaluationOptions, evaluateRule } from './rule-evaluation.js';
import { ruleQueries, ruleSeries } from './rule-query.js';

/*
 * The alert-rules job's evaluation step: each rule reads its metrics over its window, is evaluated against
 * its stored state, and stores the next state with a condition on its version, so a scheduler delivering
 * twice or a manual run at the same time cannot evaluate a rule twice. A rule whose metrics cannot be read
 * is reported and left as it was (its firing alerts lapse if it keeps failing); the others go on.
 */

/** Rules evaluated at once: each waits mostly on the metric store. */
const RULE_CONCURRENCY = 8;

/** What evaluating the rules needs. */
export interface RuleEvaluatorDependencies {
  readonly rules: readonly AlertRule[];
  readonly metricReader: MetricReader;
  readonly ruleStates: RuleStateRepository;
  /** Models known from the config, so rules on every model see a model that went silent. */
  readonly knownModels?: readonly string[];
  readonly evaluation?: EvaluationOptions;
}

/** One rule's evaluation, as the job reports it. */
export interface RuleEvaluationReport {
  readonly rule: string;
  readonly outcome: 'evaluated' | 'skipped' | 'failed';
  /** Why a rule was skipped (already evaluated at or after this time) or failed. */
  readonly reason?: string;
  readonly transitions: readonly AlertTransition[];
  /** Alerts by state after the evaluation. */
  readonly pending: number;
  readonly firing: number;
}

/** What evaluating every rule at one time came to. */
export interface RulesEvaluation {
  readonly at: number;
  readonly rules: readonly RuleEvaluationReport[];
  /** The alerts to hand to the pipeline: every firing and recently resolved alert of the evaluated rules. */
  readonly alerts: readonly Alert[];
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Evaluates one rule at `at` and stores its state; the alerts it produced, and its report. */
async function evaluateOne(
  rule: AlertRule,
  at: number,
  dependencies: RuleEvaluatorDependencies,
): Promise<{ report: RuleEvaluationReport; alerts: Alert[] }> {
  const { metricReader, ruleStates, knownModels, evaluation: options } = dependencies;
  const failed = (reason: string) => ({
    report: { rule: rule.name, outcome: 'failed' as const, reason, transitions: [], pending: 0, firing: 0 },
    alerts: [],
  });
  let answers: Awaited<ReturnType<MetricReader['query']>>[];
  try {
    answers = await Promise.all(ruleQueries(rule, at).map((query) => metricReader.query(query)));
  } catch (error) {
    return failed(`the metric store did not answer: ${(error as Error).message}`);
  }
  const series = ruleSeries(rule, answers, { knownModels });
  const previous = await ruleStates.get(rule.name);
  const result = evaluateRule(rule, series, previous, at, options);
  const count = (state: string) => result.state.alerts.filter((alert) => alert.state === state).length;
  const skipped = (reason: string) => ({
    report: {
      rule: rule.name,
      outcome: 'skipped' as const,
      reason,
      transitions: [],
      pending: count('pending'),
      firing: count('firing'),
    },
    alerts: [],
  });
  if (result.skipped) {
    return skipped(`already evaluated at ${new Date(previous!.evaluatedAt).toISOString()}`);
  }
  if (!(await ruleStates.put(result.state))) return skipped('another evaluation stored its state first');
  return {
    report: {
      rule: rule.name,
      outcome: 'evaluated',
      transitions: result.transitions,
      pending: count('pending'),
      firing: count('firing'),
    },
    alerts: ruleAlerts(rule, result.state),
  };
}

/** Evaluates every rule as of `at` (epoch ms), storing their states; what to hand to the alert pipeline. */
export async function evaluateRules(
  dependencies: RuleEvaluatorDependencies,
  at: number,
): Promise<RulesEvaluation> {
  const outcomes = await mapLimited(dependencies.rules, RULE_CONCURRENCY, (rule) =>
    evaluateOne(rule, at, dependencies),
  );
  return {
    at,
    rules: outcomes.map((outcome) => outcome.report),
    alerts: outcomes.flatMap((outcome) => outcome.alerts),
  };
}
