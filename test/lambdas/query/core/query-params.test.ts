import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMetricQuery } from '../../../../lambdas/query/core/query-params.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const NOW = Date.UTC(2026, 2, 10, 14, 30, 20);
const MINUTE = 60_000;

describe('parseMetricQuery', () => {
  it('reads relative times, the step and filters, aligning the range to whole minutes', () => {
    const query = parseMetricQuery(
      {
        metric: 'latency_ms',
        model: 'churn',
        stat: 'p95',
        from: '-6h',
        to: 'now',
        step: '5m',
        modelVersion: 'v2',
      },
      NOW,
    );

    assert.deepEqual(query, {
      metric: 'latency_ms',
      filters: { modelVersion: 'v2', model: 'churn' },
      groupBy: ['model'],
      stat: 'p95',
      from: Math.floor((NOW - 6 * 3_600_000) / MINUTE) * MINUTE,
      to: Math.ceil(NOW / MINUTE) * MINUTE,
      stepMs: 5 * MINUTE,
    });
  });

  it('reads ISO-8601 and epoch-millisecond times and leaves the step out when none is given', () => {
    const from = Date.UTC(2026, 2, 10, 13, 0);
    const query = parseMetricQuery(
      {
        metric: 'predictions',
        stat: 'sum',
        from: new Date(from).toISOString(),
        to: String(from + 3_600_000),
        by: 'model,modelVersion',
      },
      NOW,
    );

    assert.equal(query.from, from);
    assert.equal(query.to, from + 3_600_000);
    assert.equal(query.stepMs, undefined);
    assert.deepEqual(query.groupBy, ['model', 'modelVersion']);
  });

  for (const [what, params, message] of [
    ['no metric', { stat: 'avg' }, /"metric" is required/],
    ['an unknown stat', { metric: 'm', stat: 'p42' }, /stat must be one of avg, sum/],
    ['a bad time', { metric: 'm', from: 'last tuesday' }, /from must be ISO-8601/],
    ['from after to', { metric: 'm', from: '-1h', to: '-2h' }, /must be before/],
    ['a step below a minute', { metric: 'm', step: '30s' }, /whole number of minutes/],
    ['a step that is not a duration', { metric: 'm', step: 'often' }, /step must look like 60s/],
    ['too many points', { metric: 'm', from: '-30d', step: '1m' }, /more than 11000 points/],
    ['a filter that is not a dimension name', { metric: 'm', 'a b': 'x' }, /"a b" is not a dimension name/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => parseMetricQuery(params as Record<string, string>, NOW),
        (error: Error) => {
          assert.ok(error instanceof ValidationError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
