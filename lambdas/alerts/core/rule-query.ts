import { type Dimensions, dimensionsKey, minuteOf } from '../../metrics/core/rollup.js';
import type { MetricQuery, Series, Stat } from '../../metrics/ports/metric-store.js';
import { type AlertRule, ruleDurations, ruleSelects, selectedModels } from './rule.js';

/*
 * What a rule asks the metric store, and how the answers become one value per model.
 *
 * The window ends at the start of the minute that holds the evaluation time, so only whole minutes
 * count: at 12:05:20 a 5m window is [12:00, 12:05). The minute still being written would make sums and
 * rates look low.
 *
 * Statistics that count (`count`, `sum`, `rate`) are 0 for a selected model with nothing in the window:
 * no errors is a known zero, not missing data, so an error ratio with no errors is 0 and a throughput
 * rule sees a model that stopped serving. Other statistics (averages, quantiles, extremes) have no value
 * then. A ratio has no value when its denominator is missing or zero (0 / 0 is no error rate); unlike
 * PromQL, a missing numerator that counts is 0, so `errors / predictions` is 0 rather than absent when
 * there were no errors.
 */

/** A rule's value for one label set; undefined when there is no data. */
export interface RuleSeries {
  /** `model`, and `modelVersion` when the rule selects versions. */
  readonly labels: Dimensions;
  readonly value: number | undefined;
}

/** What `ruleSeries` needs besides the answers. */
export interface RuleSeriesOptions {
  /**
   * Models known to exist (from configuration), for rules on every model: those with nothing in the window
   * get a value too (0 for counting statistics), instead of being absent.
   */
  readonly knownModels?: readonly string[];
}

const COUNTING_STATS: readonly Stat[] = ['count', 'sum', 'rate'];

/** Whether a statistic counts or adds, so that nothing in the window means 0. */
export function isCountingStat(stat: Stat): boolean {
  return COUNTING_STATS.includes(stat);
}

function groupByOf(rule: AlertRule): string[] {
  return rule.modelVersion === undefined ? ['model'] : ['model', 'modelVersion'];
}

function filtersOf(rule: AlertRule): Dimensions {
  const filters: Record<string, string> = {};
  const models = selectedModels(rule.model);
  // The store filters by equality only: a list of models is read whole and narrowed in `ruleSeries`.
  if (models?.length === 1) filters.model = models[0]!;
  if (rule.modelVersion !== undefined && rule.modelVersion !== '*') filters.modelVersion = rule.modelVersion;
  return filters;
}

/** The metrics and statistics a rule reads: one, or a ratio's numerator then denominator. */
function measuresOf(rule: AlertRule): Array<{ metric: string; stat: Stat }> {
  return rule.aggregation === 'ratio'
    ? [rule.ratio.numerator, rule.ratio.denominator]
    : [{ metric: rule.metric, stat: rule.aggregation }];
}

/**
 * The metric-store queries behind a rule evaluated at `at` (epoch ms): one per metric the rule reads (a
 * ratio's numerator first), each over the window ending at the minute of `at`, without a step (one point
 * for the whole window), grouped by `model` (and `modelVersion` when the rule selects versions).
 */
export function ruleQueries(rule: AlertRule, at: number): MetricQuery[] {
  const to = minuteOf(at);
  const from = to - ruleDurations(rule).windowMs;
  const filters = filtersOf(rule);
  const groupBy = groupByOf(rule);
  return measuresOf(rule).map(({ metric, stat }) => ({ metric, filters, groupBy, stat, from, to }));
}

/** The one value of a series answered without a step; undefined when the store had none. */
function seriesValue(series: Series | undefined): number | undefined {
  const value = series?.points[0]?.[1];
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function byLabels(answer: readonly Series[]): Map<string, Series> {
  return new Map(answer.map((series) => [dimensionsKey(series.labels), series]));
}

/**
 * Divides the numerator's value by the denominator's per label set. No value when the denominator is
 * missing or zero; a missing numerator is 0 when it counts (`numeratorStat` count, sum or rate), else no
 * value. Label sets only the numerator has are kept with no value.
 */
export function ratioSeries(
  numerator: readonly Series[],
  denominator: readonly Series[],
  numeratorStat: Stat,
): RuleSeries[] {
  const numerators = byLabels(numerator);
  const denominators = byLabels(denominator);
  const keys = new Set([...denominators.keys(), ...numerators.keys()]);
  return [...keys].sort().map((key) => {
    const below = seriesValue(denominators.get(key));
    const aboveSeries = numerators.get(key);
    const above = aboveSeries ? seriesValue(aboveSeries) : isCountingStat(numeratorStat) ? 0 : undefined;
    const labels = (denominators.get(key) ?? aboveSeries)!.labels;
    const value = below === undefined || below === 0 || above === undefined ? undefined : above / below;
    return { labels, value };
  });
}

/**
 * Turns the answers to `ruleQueries` (same order) into one value per label set the rule watches: the
 * statistic, or the ratio of the two. Selected models with nothing in the window are added (see the
 * module comment): the models a rule names, or for rules on every model the `knownModels`; not when the
 * rule evaluates every version apart, whose versions cannot be known.
 */
export function ruleSeries(
  rule: AlertRule,
  answers: readonly (readonly Series[])[],
  options: RuleSeriesOptions = {},
): RuleSeries[] {
  const measures = measuresOf(rule);
  if (answers.length !== measures.length) {
    throw new Error(
      `rule "${rule.name}" reads ${measures.length} metric(s) but got ${answers.length} answer(s)`,
    );
  }
  const answered =
    rule.aggregation === 'ratio'
      ? ratioSeries(answers[0]!, answers[1]!, rule.ratio.numerator.stat)
      : answers[0]!.map((series) => ({ labels: series.labels, value: seriesValue(series) }));
  const series = answered.filter((entry) => ruleSelects(rule, entry.labels));
  if (rule.modelVersion === '*') return series;
  const expected = selectedModels(rule.model) ?? options.knownModels ?? [];
  const present = new Set(series.map((entry) => entry.labels.model));
  const emptyValue = rule.aggregation === 'ratio' || !isCountingStat(rule.aggregation) ? undefined : 0;
  for (const model of expected) {
    if (present.has(model)) continue;
    const labels: Dimensions =
      rule.modelVersion === undefined ? { model } : { model, modelVersion: rule.modelVersion };
    series.push({ labels, value: emptyValue });
  }
  return series.sort((a, b) => (dimensionsKey(a.labels) < dimensionsKey(b.labels) ? -1 : 1));
}
