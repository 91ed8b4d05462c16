import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  importPrometheusRuleFile,
  importPrometheusRules,
  parsePrometheusDuration,
  translatePrometheusExpression,
} from '../../../../lambdas/alerts/core/prometheus-rules.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

// The rule files below are the examples of Prometheus' "Alerting rules" documentation
// (docs/configuration/alerting_rules.md), with their expressions rewritten into the subset and onto
// Vigil's metrics, as `YAML.parse` would return them.

describe('importPrometheusRules', () => {
  it('imports the documentation example with group labels, keep_firing_for and a page severity', () => {
    const document = {
      groups: [
        {
          name: 'example',
          labels: { team: 'myteam' },
          rules: [
            {
              alert: 'HighRequestLatency',
              expr: 'avg_over_time(latency_ms{model="fraud"}[5m]) > 500',
              for: '10m',
              keep_firing_for: '5m',
              labels: { severity: 'page' },
              annotations: { summary: 'High request latency' },
            },
          ],
        },
      ],
    };

    const rules = importPrometheusRules(document);

    assert.deepEqual(rules, [
      {
        name: 'HighRequestLatency',
        aggregation: 'avg',
        metric: 'latency_ms',
        model: 'fraud',
        window: '5m',
        comparison: '>',
        threshold: 500,
        for: '10m',
        keepFiringFor: '5m',
        severity: 'critical',
        noData: 'ok',
        labels: { team: 'myteam' },
        annotations: { summary: 'High request latency' },
      },
    ]);
  });

  it('imports the templating example with its annotations and runbook', () => {
    const document = {
      groups: [
        {
          name: 'example',
          rules: [
            {
              alert: 'APIHighRequestLatency',
              expr: 'histogram_quantile(0.5, sum by (le, model) (rate(latency_ms_bucket[10m]))) > 1000',
              for: '10m',
              annotations: {
                summary: 'High request latency on {{ $labels.model }}',
                description:
                  '{{ $labels.model }} has a median request latency above 1s (current value: {{ $value | humanize }}ms)',
                runbook_url: 'https://runbooks.example.com/latency',
              },
            },
          ],
        },
      ],
    };

    const [rule] = importPrometheusRules(document);

    assert.deepEqual(
      { ...rule, aggregation: 'p50', metric: 'latency_ms', model: '*', window: '10m', severity: 'warning' },
      rule,
    );
    assert.deepEqual(rule?.annotations, {
      summary: 'High request latency on {{ $labels.model }}',
      description:
        '{{ $labels.model }} has a median request latency above 1s (current value: {{ $value | humanize }}ms)',
      runbookUrl: 'https://runbooks.example.com/latency',
    });
  });

  it('imports an error ratio with a warning and a critical rule that share the alert name', () => {
    const expr = (threshold: number) =>
      `sum(rate(errors{model=~"fraud|churn"}[5m])) / sum(rate(predictions{model=~"fraud|churn"}[5m])) > ${threshold}`;
    const document = {
      groups: [
        {
          name: 'models',
          rules: [
            { alert: 'HighErrorRate', expr: expr(0.05), for: '2m', labels: { severity: 'warning' } },
            { alert: 'HighErrorRate', expr: expr(0.1), for: '2m', labels: { severity: 'critical' } },
          ],
        },
      ],
    };

    const rules = importPrometheusRules(document);

    assert.deepEqual(
      rules.map((rule) => [rule.name, rule.alertName, rule.severity, rule.threshold]),
      [
        ['HighErrorRate-warning', 'HighErrorRate', 'warning', 0.05],
        ['HighErrorRate-critical', 'HighErrorRate', 'critical', 0.1],
      ],
    );
    assert.equal(rules[0]!.aggregation, 'ratio');
    assert.deepEqual(rules[0]!.aggregation === 'ratio' && rules[0]!.ratio, {
      numerator: { metric: 'errors', stat: 'rate' },
      denominator: { metric: 'predictions', stat: 'rate' },
    });
    assert.deepEqual(rules[0]!.model, ['fraud', 'churn']);
  });

  function importProblem(rules: unknown[], groupName = 'example'): string {
    try {
      importPrometheusRules({ groups: [{ name: groupName, rules }] });
    } catch (error) {
      assert.ok(error instanceof ValidationError);
      return error.message;
    }
    assert.fail('expected the import to fail');
  }

  const refused: ReadonlyArray<readonly [string, unknown, string]> = [
    [
      'the InstanceDown example (a bare selector)',
      { alert: 'InstanceDown', expr: 'up == 0', for: '5m' },
      'group "example", alert "InstanceDown": expr: metric "up" needs a range and a function',
    ],
    [
      'a recording rule',
      { record: 'job:http_inprogress_requests:sum', expr: 'sum by (job) (http_inprogress_requests)' },
      'group "example": recording rule "job:http_inprogress_requests:sum" is not supported',
    ],
    [
      'an unknown severity',
      { alert: 'A', expr: 'rate(errors[5m]) > 1', labels: { severity: 'urgent' } },
      'alert "A": labels.severity "urgent" is not supported',
    ],
    [
      'a template beyond the subset',
      { alert: 'A', expr: 'rate(errors[5m]) > 1', annotations: { summary: '{{ $value | printf "%.2f" }}' } },
      'alert "A": annotations.summary: unsupported template action',
    ],
    [
      'a window that is not whole minutes',
      { alert: 'A', expr: 'rate(errors[90s]) > 1' },
      'alert "A": window: expected a whole number of minutes',
    ],
    [
      'a bad for',
      { alert: 'A', expr: 'rate(errors[5m]) > 1', for: '5 min' },
      'alert "A": for: "5 min" is not a Prometheus duration',
    ],
    [
      'a label matcher on another label',
      { alert: 'A', expr: 'rate(errors{job="api"}[5m]) > 1' },
      'label matcher job="api" is not supported',
    ],
    [
      'an unknown rule field',
      { alert: 'A', expr: 'rate(errors[5m]) > 1', severity: 'page' },
      'unrecognized key: "severity"',
    ],
  ];
  for (const [title, rule, expected] of refused) {
    it(`refuses ${title}, naming the group and alert`, () => {
      const message = importProblem([rule]);

      assert.ok(message.includes(expected), message);
    });
  }

  it('lists every rule it cannot import at once', () => {
    const message = importProblem([
      { alert: 'A', expr: 'up == 0' },
      { alert: 'B', expr: 'rate(errors[5m]) > 1' },
      { alert: 'C', expr: 'abs(rate(errors[5m])) > 1' },
    ]);

    assert.match(message, /alert "A": .*; group "example", alert "C": expr: function "abs" is not supported/);
    assert.doesNotMatch(message, /alert "B"/);
  });

  it('refuses two rules with the same alert name and severity', () => {
    const message = importProblem([
      { alert: 'A', expr: 'rate(errors[5m]) > 1' },
      { alert: 'A', expr: 'rate(errors[5m]) > 2' },
    ]);

    assert.match(message, /alert "A": a rule with the same alert name and severity is in group "example"/);
  });

  it('refuses a document that is not a rule file', () => {
    assert.throws(
      () => importPrometheusRules({ rules: [] }),
      /invalid Prometheus rule file: groups: expected a list of rule groups/,
    );
  });
});

describe('translatePrometheusExpression', () => {
  const supported: ReadonlyArray<readonly [string, object]> = [
    [
      'max_over_time(cpu{model=~"a|b"}[10m]) >= 0.9',
      {
        aggregation: 'max',
        metric: 'cpu',
        model: ['a', 'b'],
        window: '10m',
        comparison: '>=',
        threshold: 0.9,
      },
    ],
    [
      '0.5 < count_over_time(predictions[1h])',
      { aggregation: 'count', comparison: '>', threshold: 0.5, window: '1h' },
    ],
    [
      'sum by (model) (increase(errors[1h30m])) >= 10',
      { aggregation: 'sum', metric: 'errors', model: '*', window: '90m' },
    ],
    [
      'quantile_over_time(0.99, confidence{model="m", modelVersion="v2"}[15m]) < 0.4',
      { aggregation: 'p99', metric: 'confidence', model: 'm', modelVersion: 'v2', comparison: '<' },
    ],
    [
      'histogram_quantile(0.95, sum(rate(latency_ms_bucket{model="fraud"}[5m])) by (le, modelVersion)) > 250',
      { aggregation: 'p95', metric: 'latency_ms', model: 'fraud', modelVersion: '*' },
    ],
    ['min(min_over_time(confidence{model=~".*"}[5m])) < 0.1', { aggregation: 'min', model: '*' }],
    ['rate(predictions{model="fraud"}[10m]) < -1e-3', { aggregation: 'rate', threshold: -0.001 }],
  ];
  for (const [expr, expected] of supported) {
    it(`translates ${expr}`, () => {
      const translated = translatePrometheusExpression(expr);

      assert.deepEqual({ ...translated, ...expected }, translated);
    });
  }

  const unsupported: ReadonlyArray<readonly [string, RegExp]> = [
    ['abs(rate(x[5m])) > 1', /function "abs" is not supported; expected one of avg_over_time/],
    ['rate(x[5m]) * 100 > 1', /operator "\*" is not supported here/],
    ['(sum(rate(errors[5m])) / sum(rate(predictions[5m]))) * 1 > 0', /operator "\*" is not supported/],
    ['rate(x[5m]) > bool 1', /"> bool" is not supported/],
    ['rate(x[5m:1m]) > 1', /subquery \[5m:1m\] is not supported/],
    ['rate(x[5m] offset 1h) > 1', /"offset" is not supported/],
    ['rate(x[5m] @ 1609746000) > 1', /"@" modifier is not supported/],
    ['avg(avg_over_time(x[5m])) > 1', /aggregation "avg" is not supported/],
    [
      'sum(avg_over_time(x[5m])) > 1',
      /sum\(\.\.\.\) is only supported around rate, sum, count statistics, not avg/,
    ],
    ['sum without (instance) (rate(x[5m])) > 1', /"sum without \(\.\.\.\)" is not supported/],
    ['sum by (job) (rate(x[5m])) > 1', /grouping by "job" is not supported/],
    ['topk(3, rate(x[5m])) > 1', /aggregation "topk" is not supported/],
    ['rate(x[5m]) > 1 and rate(y[5m]) > 2', /set operator "and" is not supported/],
    ['rate(x[5m]) / on(model) rate(y[5m]) > 1', /vector matching \("on"\) is not supported/],
    ['sum(rate(errors[5m])) / sum(rate(predictions[10m])) > 0.05', /same range/],
    ['sum(rate(errors{model="a"}[5m])) / sum(rate(predictions[5m])) > 0.05', /same models/],
    [
      'quantile_over_time(0.75, x[5m]) > 1',
      /quantile 0.75 is not supported; Vigil keeps 0.5, 0.9, 0.95 and 0.99/,
    ],
    ['histogram_quantile(0.95, rate(latency_ms[5m])) > 1', /needs a _bucket metric, got "latency_ms"/],
    ['histogram_quantile(0.95, sum(rate(latency_ms_bucket[5m]))) > 1', /needs sum by \(le\)/],
    ['rate(x{model!="a"}[5m]) > 1', /label matcher model!="a" is not supported/],
    ['rate(x{model=~"fraud.*"}[5m]) > 1', /label matcher model=~"fraud\.\*" is not supported/],
    ['rate(x[5m])', /expected a comparison with a number/],
    ['rate(x[5m]) > rate(y[5m])', /expected a comparison of a metric expression with a number/],
    ['{model="a"} > 1', /a selector needs a metric name/],
    ['rate(x[5m]) > ', /unexpected end of the expression/],
    ['rate(x[5m]) > 1)', /unexpected "\)"/],
  ];
  for (const [expr, message] of unsupported) {
    it(`refuses ${expr}`, () => {
      assert.throws(
        () => translatePrometheusExpression(expr),
        (error: Error) => {
          assert.ok(error instanceof ValidationError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('parsePrometheusDuration', () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1y', 31_536_000_000],
    ['1m30s500ms', 90_500],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${text} as ${ms} ms`, () => {
      assert.equal(parsePrometheusDuration(text), ms);
    });
  }

  for (const text of ['', '5', '5 minutes', '1m1h']) {
    it(`refuses "${text}"`, () => {
      assert.throws(() => parsePrometheusDuration(text), ValidationError);
    });
  }
});

describe('importPrometheusRuleFile', () => {
  it('reads the documentation example from its YAML text as the parsed document would be read', () => {
    // Prepare: Prometheus' "Alerting rules" example, as a file.
    const text = [
      'groups:',
      '- name: example',
      '  labels:',
      '    team: myteam',
      '  rules:',
      '  - alert: HighRequestLatency',
      '    expr: avg_over_time(latency_ms{model="fraud"}[5m]) > 500',
      '    for: 10m',
      '    keep_firing_for: 5m',
      '    labels:',
      '      severity: page',
      '    annotations:',
      '      summary: High request latency',
    ].join('\n');
    const parsed = {
      groups: [
        {
          name: 'example',
          labels: { team: 'myteam' },
          rules: [
            {
              alert: 'HighRequestLatency',
              expr: 'avg_over_time(latency_ms{model="fraud"}[5m]) > 500',
              for: '10m',
              keep_firing_for: '5m',
              labels: { severity: 'page' },
              annotations: { summary: 'High request latency' },
            },
          ],
        },
      ],
    };

    // Act
    const rules = importPrometheusRuleFile(text, 'rules.yml');

    // Assess
    assert.deepEqual(rules, importPrometheusRules(parsed));
  });

  it('names the file, line and column of a YAML syntax error', () => {
    assert.throws(
      () => importPrometheusRuleFile('groups: [\n - name: x', 'rules.yml'),
      (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /^rules\.yml is not valid YAML: .*line 2, column \d+/);
        return true;
      },
    );
  });
});
