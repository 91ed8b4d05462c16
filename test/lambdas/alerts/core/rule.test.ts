import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AlertRuleInput,
  compare,
  parseAlertRule,
  parseAlertRules,
  ruleAlertName,
  ruleDurations,
  ruleSelects,
} from '../../../../lambdas/alerts/core/rule.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const latencyRule = {
  name: 'fraud-latency',
  aggregation: 'p95',
  metric: 'latency_ms',
  model: 'fraud',
  window: '5m',
  comparison: '>',
  threshold: 500,
  for: '5m',
  severity: 'warning',
} as const satisfies AlertRuleInput;

const errorRateRule = {
  name: 'error-rate',
  alertName: 'ModelErrorRateHigh',
  aggregation: 'ratio',
  ratio: {
    numerator: { metric: 'errors', stat: 'sum' },
    denominator: { metric: 'predictions', stat: 'sum' },
  },
  window: '5m',
  comparison: '>',
  threshold: 0.05,
  severity: 'critical',
  keepFiringFor: '10m',
  labels: { team: 'ml' },
  annotations: {
    summary: 'Error rate of {{ $labels.model }} is {{ $value | humanizePercentage }}',
    runbookUrl: 'https://runbooks.example.com/{{ $labels.model }}',
  },
} as const satisfies AlertRuleInput;

function problemOf(input: unknown): string {
  try {
    parseAlertRule(input);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.message;
  }
  assert.fail('expected a validation error');
}

describe('parseAlertRule', () => {
  it('accepts a statistic rule and fills in the defaults', () => {
    const rule = parseAlertRule(latencyRule);

    assert.deepEqual(rule, { ...latencyRule, noData: 'ok', labels: {}, annotations: {} });
  });

  it('accepts a ratio rule on every model', () => {
    const rule = parseAlertRule(errorRateRule);

    assert.equal(rule.aggregation, 'ratio');
    assert.equal(rule.model, '*');
    assert.equal(rule.for, '0s');
    assert.deepEqual(rule.labels, { team: 'ml' });
  });

  it('accepts a list of models and every version', () => {
    const rule = parseAlertRule({ ...latencyRule, model: ['fraud', 'churn'], modelVersion: '*' });

    assert.deepEqual(rule.model, ['fraud', 'churn']);
    assert.equal(rule.modelVersion, '*');
  });

  const invalid: ReadonlyArray<readonly [string, unknown, string]> = [
    ['an unknown aggregation', { ...latencyRule, aggregation: 'median' }, 'aggregation: expected one of avg'],
    ['a missing aggregation', { ...latencyRule, aggregation: undefined }, 'got nothing'],
    ['a window of seconds', { ...latencyRule, window: '90s' }, 'window: expected a whole number of minutes'],
    ['a window under a minute', { ...latencyRule, window: '0m' }, 'window: expected at least 60s, got "0m"'],
    ['a prose duration', { ...latencyRule, for: '5 minutes' }, 'for: expected a duration such as 30s'],
    ['a threshold that is text', { ...latencyRule, threshold: '500' }, 'threshold: expected a finite number'],
    [
      'an unknown comparison',
      { ...latencyRule, comparison: '=>' },
      'comparison: expected one of > >= < <= == !=, got "=>"',
    ],
    [
      'an unknown severity',
      { ...latencyRule, severity: 'page' },
      'severity: expected one of critical, high, warning, info, got "page"',
    ],
    [
      'a bad model in a list',
      { ...latencyRule, model: ['fraud', 'bad name'] },
      'model[1]: expected a model name',
    ],
    ['an empty model list', { ...latencyRule, model: [] }, 'model: expected at least one model'],
    ['a model of the wrong type', { ...latencyRule, model: 3 }, 'model: expected "*" (every model)'],
    [
      'severity among the labels',
      { ...latencyRule, labels: { severity: 'high' } },
      'labels.severity: "severity" is set by the rule itself',
    ],
    [
      'alertname among the labels',
      { ...latencyRule, labels: { alertname: 'X' } },
      'labels.alertname: "alertname" is set',
    ],
    [
      'a label name with a dash',
      { ...latencyRule, labels: { 'the-team': 'x' } },
      'labels.the-team: expected a label name',
    ],
    [
      'an unsupported template',
      { ...latencyRule, annotations: { summary: '{{ $value | printf "%d" }}' } },
      'annotations.summary: unsupported template',
    ],
    [
      'a runbook that is not http',
      { ...latencyRule, annotations: { runbookUrl: 'ftp://x' } },
      'annotations.runbookUrl: expected an http or https URL',
    ],
    ['a misspelt field', { ...latencyRule, treshold: 3 }, 'unrecognized key: "treshold"'],
    [
      'a ratio without its stat',
      {
        ...errorRateRule,
        ratio: { numerator: { metric: 'errors', stat: 'sum' }, denominator: { metric: 'predictions' } },
      },
      'ratio.denominator.stat: expected one of avg',
    ],
    [
      'a ratio that also names a metric',
      { ...errorRateRule, metric: 'errors' },
      'unrecognized key: "metric"',
    ],
    [
      'an unknown no-data policy',
      { ...latencyRule, noData: 'ignore' },
      'noData: expected one of ok, alerting, keep-last, got "ignore"',
    ],
    ['something that is not an object', 'p95 > 500', 'expected an alert rule object'],
  ];
  for (const [title, input, expected] of invalid) {
    it(`refuses ${title}, naming the rule and the path`, () => {
      const message = problemOf(input);

      assert.ok(message.includes(expected), message);
      assert.match(message, /^invalid alert rule/);
      if (typeof input === 'object') assert.match(message, /alert rule "(fraud-latency|error-rate)"/);
    });
  }

  it('lists every problem of a rule at once', () => {
    const message = problemOf({ ...latencyRule, window: '90s', threshold: 'x', severity: 'page' });

    assert.match(message, /window: .*; threshold: .*; severity: /);
  });
});

describe('parseAlertRules', () => {
  it('refuses two rules with the same name', () => {
    assert.throws(
      () => parseAlertRules([latencyRule, latencyRule]),
      /alert rule "fraud-latency": name is used twice/,
    );
  });

  it('names each invalid rule by its name or position', () => {
    assert.throws(
      () => parseAlertRules([latencyRule, { ...latencyRule, name: 'other', window: 'x' }, { threshold: 1 }]),
      (error: Error) =>
        error.message.includes('alert rule "other": window:') && error.message.includes('alert rule [2]: '),
    );
  });
});

describe('rule helpers', () => {
  it('uses the alert name when given, else the rule name', () => {
    assert.equal(ruleAlertName(parseAlertRule(errorRateRule)), 'ModelErrorRateHigh');
    assert.equal(ruleAlertName(parseAlertRule(latencyRule)), 'fraud-latency');
  });

  it('reads durations in milliseconds', () => {
    const durations = ruleDurations(parseAlertRule(errorRateRule));

    assert.deepEqual(durations, { windowMs: 300_000, forMs: 0, keepFiringForMs: 600_000 });
  });

  const comparisons = [
    ['>', [false, false, true]],
    ['>=', [false, true, true]],
    ['<', [true, false, false]],
    ['<=', [true, true, false]],
    ['==', [false, true, false]],
    ['!=', [true, false, true]],
  ] as const;
  for (const [comparison, expected] of comparisons) {
    it(`compares 4, 5 and 6 with ${comparison} 5`, () => {
      assert.deepEqual(
        [4, 5, 6].map((value) => compare(value, comparison, 5)),
        expected,
      );
    });
  }

  it('selects series by model list and version', () => {
    const rule = parseAlertRule({ ...latencyRule, model: ['fraud', 'churn'], modelVersion: 'v2' });

    assert.equal(ruleSelects(rule, { model: 'fraud', modelVersion: 'v2' }), true);
    assert.equal(ruleSelects(rule, { model: 'fraud', modelVersion: 'v1' }), false);
    assert.equal(ruleSelects(rule, { model: 'search', modelVersion: 'v2' }), false);
  });
});
