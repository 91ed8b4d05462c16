import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import { FIRING_ALERT_LAPSE_MS, ruleAlerts } from '../../../../lambdas/alerts/core/rule-alert.js';
import type { RuleState } from '../../../../lambdas/alerts/core/rule-evaluation.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

const rule = parseAlertRule({
  name: 'fraud/error-rate-critical',
  alertName: 'ModelErrorRateHigh',
  aggregation: 'ratio',
  ratio: {
    numerator: { metric: 'errors', stat: 'sum' },
    denominator: { metric: 'predictions', stat: 'sum' },
  },
  model: 'fraud',
  window: '5m',
  comparison: '>',
  threshold: 0.1,
  severity: 'critical',
  labels: { team: 'risk' },
  annotations: {
    summary:
      '{{ $labels.alertname }}: error rate of {{ $labels.model }} is {{ $value | humanizePercentage }}',
    runbookUrl: 'https://runbooks.example.com/{{ $labels.model }}',
    dashboard: 'https://dash.example.com/{{ $labels.team }}',
  },
});

const state: RuleState = {
  rule: rule.name,
  version: 7,
  evaluatedAt: T0 + 10 * MINUTE,
  alerts: [
    {
      labels: { model: 'fraud', modelVersion: 'v1' },
      state: 'pending',
      activeAt: T0 + 9 * MINUTE,
      value: 0.2,
      lastEvaluatedAt: T0 + 10 * MINUTE,
    },
    {
      labels: { model: 'fraud', modelVersion: 'v2' },
      state: 'firing',
      activeAt: T0,
      firedAt: T0 + 2 * MINUTE,
      value: 0.125,
      lastEvaluatedAt: T0 + 10 * MINUTE,
    },
    {
      labels: { model: 'fraud', modelVersion: 'v3' },
      state: 'resolved',
      activeAt: T0,
      firedAt: T0,
      resolvedAt: T0 + 8 * MINUTE,
      lastEvaluatedAt: T0 + 10 * MINUTE,
    },
  ],
};

describe('ruleAlerts', () => {
  it('hands firing and resolved alerts to the pipeline, not pending ones', () => {
    const alerts = ruleAlerts(rule, state);

    assert.deepEqual(
      alerts.map((alert) => [alert.labels.modelVersion, alert.status]),
      [
        ['v2', 'firing'],
        ['v3', 'resolved'],
      ],
    );
  });

  it('builds the alert from the rule and the instance', () => {
    const [firing] = ruleAlerts(rule, state);

    assert.deepEqual(firing, {
      name: 'ModelErrorRateHigh',
      labels: { model: 'fraud', modelVersion: 'v2', team: 'risk', severity: 'critical' },
      annotations: {
        summary: 'ModelErrorRateHigh: error rate of fraud is 12.5%',
        runbook_url: 'https://runbooks.example.com/fraud',
        dashboard: 'https://dash.example.com/risk',
      },
      source: 'rule',
      status: 'firing',
      startsAt: T0,
      endsAt: T0 + 10 * MINUTE + FIRING_ALERT_LAPSE_MS,
    });
  });

  it('ends a resolved alert when it resolved, and says when there was no data', () => {
    const [, resolved] = ruleAlerts(rule, state, { lapseAfterMs: MINUTE });

    assert.equal(resolved!.endsAt, T0 + 8 * MINUTE);
    assert.equal(resolved!.annotations.summary, 'ModelErrorRateHigh: error rate of fraud is no data');
  });

  it('keeps the same fingerprint from one evaluation to the next while the value changes', () => {
    const later: RuleState = {
      ...state,
      evaluatedAt: state.evaluatedAt + MINUTE,
      alerts: state.alerts.map((alert) => ({ ...alert, value: 0.5 })),
    };

    const before = ruleAlerts(rule, state).map(alertFingerprint);
    const after = ruleAlerts(rule, later).map(alertFingerprint);

    assert.deepEqual(after, before);
    assert.notEqual(before[0], before[1]);
  });
});
