import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AlertRuleInput, parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import { ratioSeries, ruleQueries, ruleSeries } from '../../../../lambdas/alerts/core/rule-query.js';
import { aggregateRollups } from '../../../../lambdas/metrics/core/aggregate.js';
import { RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';
import type { Series } from '../../../../lambdas/metrics/ports/metric-store.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const AT = T0 + 5 * MINUTE + 20_000; // 12:05:20: the 5m window is [12:00, 12:05)

const errorRate = {
  name: 'error-rate',
  aggregation: 'ratio',
  ratio: {
    numerator: { metric: 'errors', stat: 'sum' },
    denominator: { metric: 'predictions', stat: 'sum' },
  },
  window: '5m',
  comparison: '>',
  threshold: 0.05,
  severity: 'warning',
} as const satisfies AlertRuleInput;

const latency = {
  name: 'latency',
  aggregation: 'p95',
  metric: 'latency_ms',
  window: '5m',
  comparison: '>',
  threshold: 500,
  severity: 'warning',
} as const satisfies AlertRuleInput;

describe('ruleQueries', () => {
  it('asks for the whole minutes of the window before the evaluation time, per model', () => {
    const [query] = ruleQueries(parseAlertRule({ ...latency, model: 'fraud' }), AT);

    assert.deepEqual(query, {
      metric: 'latency_ms',
      filters: { model: 'fraud' },
      groupBy: ['model'],
      stat: 'p95',
      from: T0,
      to: T0 + 5 * MINUTE,
    });
  });

  it('asks for a ratio as its numerator, then its denominator', () => {
    const queries = ruleQueries(parseAlertRule(errorRate), AT);

    assert.deepEqual(
      queries.map((query) => [query.metric, query.stat]),
      [
        ['errors', 'sum'],
        ['predictions', 'sum'],
      ],
    );
    assert.deepEqual(queries[0]!.filters, {});
  });

  const selections: ReadonlyArray<readonly [string, Partial<AlertRuleInput>, object, string[]]> = [
    ['every model', { model: '*' }, {}, ['model']],
    ['a list of models (filtered after the answer)', { model: ['fraud', 'churn'] }, {}, ['model']],
    [
      'one version',
      { model: 'fraud', modelVersion: 'v2' },
      { model: 'fraud', modelVersion: 'v2' },
      ['model', 'modelVersion'],
    ],
    ['every version apart', { modelVersion: '*' }, {}, ['model', 'modelVersion']],
  ];
  for (const [title, selection, filters, groupBy] of selections) {
    it(`filters and groups for ${title}`, () => {
      const [query] = ruleQueries(parseAlertRule({ ...latency, ...selection }), AT);

      assert.deepEqual(query!.filters, filters);
      assert.deepEqual(query!.groupBy, groupBy);
    });
  }
});

/** Rollups of prediction events, as ingest writes them, answered by the same aggregation the stores use. */
function answer(
  rule: AlertRuleInput,
  events: ReadonlyArray<{ model: string; at: number; error?: boolean }>,
): Series[][] {
  const accumulator = new RollupAccumulator();
  for (const event of events) {
    const dimensions = { model: event.model };
    accumulator.observe({ metric: 'predictions', dimensions }, event.at, 1);
    if (event.error) {
      accumulator.observe(
        { metric: 'errors', dimensions: { ...dimensions, errorType: 'timeout' } },
        event.at,
        1,
      );
    }
  }
  const rollups = accumulator.rollups();
  return ruleQueries(parseAlertRule(rule), AT).map((query) => aggregateRollups(rollups, query));
}

function events(model: string, count: number, errors: number, at = T0 + MINUTE) {
  return Array.from({ length: count }, (_, index) => ({ model, at, error: index < errors }));
}

describe('ruleSeries', () => {
  it('computes the error ratio per model from stored rollups', () => {
    const rule = { ...errorRate, model: ['fraud', 'churn', 'search'] };
    const answers = answer(rule, [
      ...events('fraud', 100, 7),
      ...events('churn', 50, 0),
      // In the minute still being written: outside the window.
      ...events('fraud', 10, 10, T0 + 5 * MINUTE),
      // Not selected.
      ...events('other', 10, 10),
    ]);

    const series = ruleSeries(parseAlertRule(rule), answers);

    assert.deepEqual(series, [
      { labels: { model: 'churn' }, value: 0 },
      { labels: { model: 'fraud' }, value: 7 / 100 },
      { labels: { model: 'search' }, value: undefined },
    ]);
  });

  it('gives 0 to a selected model without data for a counting statistic, nothing for others', () => {
    const throughput: AlertRuleInput = {
      ...latency,
      aggregation: 'rate',
      metric: 'predictions',
      model: ['fraud', 'churn'],
    };
    const answers = answer(throughput, events('fraud', 600, 0));

    const rates = ruleSeries(parseAlertRule(throughput), answers);
    const quantiles = ruleSeries(parseAlertRule({ ...latency, model: ['fraud', 'churn'] }), [[]]);

    assert.deepEqual(rates, [
      { labels: { model: 'churn' }, value: 0 },
      { labels: { model: 'fraud' }, value: 600 / 300 },
    ]);
    assert.deepEqual(quantiles, [
      { labels: { model: 'churn' }, value: undefined },
      { labels: { model: 'fraud' }, value: undefined },
    ]);
  });

  it('adds known models to a rule on every model, but not when it splits versions', () => {
    const count = { ...latency, aggregation: 'count', metric: 'predictions' } as const;

    const perModel = ruleSeries(parseAlertRule(count), [[]], { knownModels: ['fraud'] });
    const perVersion = ruleSeries(parseAlertRule({ ...count, modelVersion: '*' }), [[]], {
      knownModels: ['fraud'],
    });

    assert.deepEqual(perModel, [{ labels: { model: 'fraud' }, value: 0 }]);
    assert.deepEqual(perVersion, []);
  });

  it('keeps the version label of a rule on one version', () => {
    const rule = parseAlertRule({
      ...latency,
      aggregation: 'count',
      metric: 'predictions',
      model: 'fraud',
      modelVersion: 'v2',
    });

    const series = ruleSeries(rule, [[]]);

    assert.deepEqual(series, [{ labels: { model: 'fraud', modelVersion: 'v2' }, value: 0 }]);
  });

  it('refuses answers that do not match the queries', () => {
    assert.throws(() => ruleSeries(parseAlertRule(errorRate), [[]]), /reads 2 metric\(s\) but got 1/);
  });
});

describe('ratioSeries', () => {
  const series = (model: string, value?: number): Series => ({
    labels: { model },
    points: value === undefined ? [] : [[T0, value]],
  });

  it('divides per label set, with no value over zero or without a denominator', () => {
    const ratios = ratioSeries(
      [series('a', 3), series('b', 1), series('c', 2)],
      [series('a', 12), series('b', 0), series('d', 5)],
      'sum',
    );

    assert.deepEqual(ratios, [
      { labels: { model: 'a' }, value: 0.25 },
      { labels: { model: 'b' }, value: undefined },
      { labels: { model: 'c' }, value: undefined },
      { labels: { model: 'd' }, value: 0 },
    ]);
  });

  it('has no value when a numerator that does not count is missing', () => {
    const ratios = ratioSeries([], [series('a', 10)], 'avg');

    assert.deepEqual(ratios, [{ labels: { model: 'a' }, value: undefined }]);
  });
});
