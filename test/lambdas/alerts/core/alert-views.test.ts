import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../../../lambdas/alerts/core/alert.js';
import { alertViews, incidentView, silenceView } from '../../../../lambdas/alerts/core/alert-views.js';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { processAlerts } from '../../../../lambdas/alerts/core/pipeline.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../lambdas/alerts/core/pipeline-config.js';
import { EMPTY_PIPELINE_STATE } from '../../../../lambdas/alerts/core/pipeline-state.js';
import { parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import type { RuleState } from '../../../../lambdas/alerts/core/rule-evaluation.js';
import { newSilence } from '../../../../lambdas/alerts/core/silence.js';

const NOW = Date.parse('2026-03-10T14:00:00Z');
const MINUTE = 60_000;
const config = DEFAULT_PIPELINE_CONFIG;

function alert(name: string, model: string, severity: string, overrides: Partial<Alert> = {}): Alert {
  return {
    name,
    labels: { model, severity },
    annotations: { summary: `${name} on ${model}` },
    source: 'alertmanager',
    status: 'firing',
    startsAt: NOW - 10 * MINUTE,
    ...overrides,
  };
}

const latencyRule = parseAlertRule({
  name: 'churn/latency',
  alertName: 'ModelLatencyHigh',
  aggregation: 'p95',
  metric: 'latency_ms',
  model: 'churn',
  window: '5m',
  comparison: '>',
  threshold: 500,
  for: '5m',
  severity: 'warning',
  annotations: { summary: 'p95 latency of {{ $labels.model }} is {{ $value }} ms' },
});

const pendingState: RuleState = {
  rule: latencyRule.name,
  version: 3,
  evaluatedAt: NOW - MINUTE,
  alerts: [
    {
      labels: { model: 'churn' },
      state: 'pending',
      activeAt: NOW - 2 * MINUTE,
      value: 812,
      lastEvaluatedAt: NOW - MINUTE,
    },
  ],
};

/** Records as the pipeline stores them after receiving these alerts. */
function recordsOf(alerts: Alert[], at: number) {
  const run = processAlerts({ alerts, now: at, state: EMPTY_PIPELINE_STATE, config });
  return Object.values(run.state.alerts);
}

describe('alertViews', () => {
  it('lists firing before pending before resolved, most severe first, with pending alerts from rule states', () => {
    // Prepare
    const records = recordsOf(
      [
        alert('DiskFull', 'churn', 'warning'),
        alert('ModelErrorRateHigh', 'fraud', 'critical'),
        alert('QueueStuck', 'fraud', 'high', { status: 'resolved', endsAt: NOW - MINUTE }),
        alert('QueueStuck', 'churn', 'high'),
      ],
      NOW - MINUTE,
    );
    const sources = {
      records,
      ruleStates: [pendingState],
      rules: [latencyRule],
      silences: [],
      config,
      now: NOW,
    };

    // Act
    const views = alertViews(sources, { limit: 100 });

    // Assess
    assert.deepEqual(
      views.map((view) => [view.state, view.name, view.labels.model]),
      [
        ['firing', 'ModelErrorRateHigh', 'fraud'],
        ['firing', 'QueueStuck', 'churn'],
        ['firing', 'DiskFull', 'churn'],
        ['pending', 'ModelLatencyHigh', 'churn'],
        ['resolved', 'QueueStuck', 'fraud'],
      ],
    );
    const pending = views[3]!;
    assert.equal(pending.annotations.summary, 'p95 latency of churn is 812 ms');
    assert.equal(pending.startsAt, new Date(NOW - 2 * MINUTE).toISOString());
    assert.equal(pending.fingerprint, alertFingerprint({ name: 'ModelLatencyHigh', labels: pending.labels }));
  });

  it('says which silence mutes a firing alert and which alert inhibits another', () => {
    // Prepare
    const records = recordsOf(
      [
        alert('ModelErrorRateHigh', 'fraud', 'critical'),
        alert('ModelErrorRateHigh', 'fraud', 'warning'),
        alert('DiskFull', 'churn', 'warning'),
      ],
      NOW - MINUTE,
    );
    const silence = newSilence(
      {
        matchers: [{ name: 'alertname', operator: '=', value: 'DiskFull' }],
        endsAt: NOW + 60 * MINUTE,
        createdBy: 'alice',
        comment: 'resizing the volume',
      },
      { id: 'silence-1', now: NOW - 5 * MINUTE },
    );
    const sources = { records, ruleStates: [], rules: [], silences: [silence], config, now: NOW };

    // Act
    const views = alertViews(sources, { limit: 100 });

    // Assess
    const byKey = new Map(views.map((view) => [`${view.name}/${view.severity}`, view]));
    const critical = byKey.get('ModelErrorRateHigh/critical')!;
    assert.deepEqual(byKey.get('ModelErrorRateHigh/warning')!.inhibitedBy, critical.fingerprint);
    assert.deepEqual(byKey.get('DiskFull/warning')!.silencedBy, ['silence-1']);
    assert.deepEqual(critical.silencedBy, []);
    assert.equal(critical.inhibitedBy, undefined);
  });

  it('filters by state, model and severity, and stops at the limit', () => {
    // Prepare
    const records = recordsOf(
      [alert('A', 'churn', 'warning'), alert('B', 'fraud', 'critical'), alert('C', 'fraud', 'warning')],
      NOW - MINUTE,
    );
    const sources = {
      records,
      ruleStates: [pendingState],
      rules: [latencyRule],
      silences: [],
      config,
      now: NOW,
    };

    // Act / Assess
    assert.deepEqual(
      alertViews(sources, { model: 'fraud', limit: 100 }).map((view) => view.name),
      ['B', 'C'],
    );
    assert.deepEqual(
      alertViews(sources, { state: 'pending', limit: 100 }).map((view) => view.name),
      ['ModelLatencyHigh'],
    );
    assert.deepEqual(
      alertViews(sources, { severity: 'warning', limit: 1 }).map((view) => view.state),
      ['firing'],
    );
  });

  it('shows a firing alert whose end has passed as resolved', () => {
    // Prepare: an Alertmanager alert sent with an end five minutes on, and never again.
    const records = recordsOf(
      [alert('A', 'churn', 'warning', { endsAt: NOW - 10 * MINUTE + 5 * MINUTE })],
      NOW - 10 * MINUTE,
    );

    // Act
    const [view] = alertViews(
      { records, ruleStates: [], rules: [], silences: [], config, now: NOW },
      { limit: 10 },
    );

    // Assess
    assert.equal(view!.state, 'resolved');
  });
});

describe('incidentView and silenceView', () => {
  it('write every time as ISO-8601', () => {
    // Prepare
    const run = processAlerts({
      alerts: [alert('A', 'churn', 'critical')],
      now: NOW,
      state: EMPTY_PIPELINE_STATE,
      config,
    });
    const incident = Object.values(run.state.incidents)[0]!;
    const silence = newSilence(
      {
        matchers: [{ name: 'model', operator: '=', value: 'churn' }],
        endsAt: NOW + MINUTE,
        createdBy: 'a',
        comment: 'b',
      },
      { id: 's', now: NOW },
    );

    // Act
    const incidentJson = JSON.stringify(incidentView(incident));
    const silenceJson = silenceView(silence, NOW);

    // Assess: no epoch-ms number is left in a field named like a time.
    assert.doesNotMatch(incidentJson, /"[a-zA-Z]*At":\d/);
    assert.match(incidentJson, /"createdAt":"2026-03-10T14:00:00.000Z"/);
    assert.equal(silenceJson.state, 'active');
    assert.equal(silenceJson.endsAt, '2026-03-10T14:01:00.000Z');
  });
});
