import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../../../lambdas/alerts/core/alert.js';
import { parseAlertmanagerWebhook } from '../../../../lambdas/alerts/core/alertmanager.js';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { acknowledgeIncident } from '../../../../lambdas/alerts/core/incident.js';
import {
  type AlertOutcome,
  type AlertsOutcome,
  alertMutings,
  nextWakeAt,
  processAlert,
  processAlerts,
  type TickOutcome,
  tickPipeline,
} from '../../../../lambdas/alerts/core/pipeline.js';
import {
  DEFAULT_PIPELINE_CONFIG,
  type PipelineConfig,
} from '../../../../lambdas/alerts/core/pipeline-config.js';
import type { Notification } from '../../../../lambdas/alerts/core/pipeline-notifications.js';
import {
  addCounters,
  EMPTY_PIPELINE_STATE,
  type PipelineCounters,
  type PipelineState,
  ZERO_COUNTERS,
} from '../../../../lambdas/alerts/core/pipeline-state.js';
import type { Silence } from '../../../../lambdas/alerts/core/silence.js';
import { alertmanagerPayload } from './fixtures/fixtures.js';

const NOW = Date.parse('2026-03-10T14:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function ruleAlert(overrides: Partial<Alert> & { model?: string; severity?: string } = {}): Alert {
  const { model = 'fraud-detector', severity = 'critical', ...rest } = overrides;
  return {
    name: 'HighErrorRate',
    labels: { model, severity },
    annotations: { summary: `error rate of ${model} is high` },
    source: 'rule',
    status: 'firing',
    startsAt: NOW,
    ...rest,
  };
}

/** Runs the pipeline as the lead's use cases will: each run on the state the previous one left. */
class Pipeline {
  state: PipelineState = EMPTY_PIPELINE_STATE;
  readonly notifications: Notification[] = [];
  counters: PipelineCounters = ZERO_COUNTERS;

  constructor(readonly config: PipelineConfig = DEFAULT_PIPELINE_CONFIG) {}

  process(alert: Alert, now: number): AlertOutcome {
    return this.apply(processAlert({ alert, now, state: this.state, config: this.config }));
  }

  processAll(alerts: readonly Alert[], now: number): AlertsOutcome {
    return this.apply(processAlerts({ alerts, now, state: this.state, config: this.config }));
  }

  tick(now: number): TickOutcome {
    return this.apply(tickPipeline({ now, state: this.state, config: this.config }));
  }

  silence(silence: Silence) {
    this.state = { ...this.state, silences: [...this.state.silences, silence] };
  }

  private apply<T extends AlertOutcome | AlertsOutcome | TickOutcome>(run: T): T {
    this.state = run.state;
    this.notifications.push(...run.notifications);
    this.counters = addCounters(this.counters, run.counters);
    return run;
  }
}

const notifiedFingerprints = (notification: Notification | undefined) =>
  notification?.kind === 'alerts' ? notification.alerts.map((alert) => alert.fingerprint) : [];

describe('processAlerts: the Alertmanager docs payload sent twice', () => {
  it('gives one alert per entry, updated, and notifies once', () => {
    const pipeline = new Pipeline();
    const first = pipeline.processAll(parseAlertmanagerWebhook(alertmanagerPayload()).alerts, NOW);

    const second = pipeline.processAll(
      parseAlertmanagerWebhook(alertmanagerPayload()).alerts,
      NOW + 30 * SECOND,
    );

    const records = Object.values(pipeline.state.alerts);
    assert.equal(records.length, 2);
    assert.deepEqual(
      records.map((record) => [record.alert.labels.model, record.alert.status, record.receivedCount]),
      [
        ['fraud-detector', 'firing', 2],
        ['churn-predictor', 'resolved', 2],
      ],
    );
    // The firing alert started 90 s before: its group has waited longer than group_wait and flushes at once.
    assert.deepEqual(
      first.decisions.map(({ decision }) => decision.outcome === 'notify' || decision.reason),
      [true, 'deduplicated'],
    );
    assert.deepEqual(
      second.decisions.map(({ decision }) => decision.outcome === 'suppressed' && decision.reason),
      ['deduplicated', 'deduplicated'],
    );
    assert.equal(pipeline.notifications.length, 1);
    assert.equal(Object.keys(pipeline.state.incidents).length, 1);
    assert.deepEqual(
      { received: pipeline.counters.alertsReceived, deduplicated: pipeline.counters.deduplicated },
      { received: 4, deduplicated: 3 },
    );
  });

  it('writes each record once per run, with the version it gets, for conditional writes', () => {
    const pipeline = new Pipeline();
    const alerts = parseAlertmanagerWebhook(alertmanagerPayload()).alerts;

    const first = pipeline.processAll(alerts, NOW);
    const second = pipeline.processAll(alerts, NOW + SECOND);

    assert.deepEqual(
      first.writes.alerts.map((record) => record.version),
      [1, 1],
    );
    assert.deepEqual(
      second.writes.alerts.map((record) => record.version),
      [2, 2],
    );
    assert.deepEqual(
      first.writes.incidents.map((incident) => incident.version),
      [1],
    );
    assert.equal(second.writes.incidents.length, 0);
    assert.equal(pipeline.state.alerts[first.decisions[0]!.fingerprint]?.version, 2);
  });
});

describe('processAlert: silences', () => {
  const silence: Silence = {
    id: 'maintenance',
    version: 1,
    matchers: [{ name: 'model', operator: '=', value: 'fraud-detector' }],
    startsAt: NOW - HOUR,
    endsAt: NOW + 10 * MINUTE,
    createdBy: 'ana',
    comment: 'retraining',
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
  };

  it('keeps a matching alert from notifying and from opening an incident, while recording it', () => {
    const pipeline = new Pipeline();
    pipeline.silence(silence);

    const outcome = pipeline.process(ruleAlert({ startsAt: NOW - 5 * MINUTE }), NOW);
    pipeline.tick(NOW + 5 * MINUTE);

    assert.deepEqual(outcome.decision, {
      outcome: 'suppressed',
      reason: 'silenced',
      detail: 'silenced by maintenance',
    });
    assert.deepEqual(outcome.silencedBy, ['maintenance']);
    assert.equal(pipeline.notifications.length, 0);
    assert.equal(Object.keys(pipeline.state.incidents).length, 0);
    assert.ok(pipeline.state.alerts[outcome.fingerprint]);
    assert.equal(pipeline.counters.silenced, 1);
  });

  it("notifies at the group's next flush once the silence has ended, and the resent alert opens an incident", () => {
    const pipeline = new Pipeline();
    pipeline.silence(silence);
    const alert = ruleAlert({ startsAt: NOW - 5 * MINUTE });
    pipeline.process(alert, NOW);

    pipeline.tick(NOW + 10 * MINUTE);
    const resent = pipeline.process(alert, NOW + 11 * MINUTE);

    // Flushes at NOW (at once: the alert is older than group_wait), NOW+5m, NOW+10m: the silence ends at NOW+10m.
    assert.equal(pipeline.notifications.length, 1);
    assert.equal(pipeline.notifications[0]?.at, NOW + 10 * MINUTE);
    assert.deepEqual(resent.decision.outcome === 'suppressed' && resent.decision.reason, 'deduplicated');
    assert.equal(resent.incidentEvents.at(-1)?.event.type, 'opened');
  });
});

describe('processAlert: inhibition', () => {
  it('mutes the warning of the same rule and model while the critical fires', () => {
    const pipeline = new Pipeline();
    const critical = pipeline.process(ruleAlert({ severity: 'critical' }), NOW);

    const warning = pipeline.process(ruleAlert({ severity: 'warning' }), NOW + SECOND);
    const otherModel = pipeline.process(ruleAlert({ severity: 'warning', model: 'churn' }), NOW + SECOND);
    pipeline.tick(NOW + 30 * SECOND);

    assert.deepEqual(warning.decision.outcome === 'suppressed' && warning.decision.reason, 'inhibited');
    assert.equal(warning.inhibitedBy, critical.fingerprint);
    assert.equal(otherModel.inhibitedBy, undefined);
    const fraudNotification = pipeline.notifications.find(
      (notification) => notification.kind === 'alerts' && notification.groupLabels.model === 'fraud-detector',
    );
    assert.deepEqual(notifiedFingerprints(fraudNotification), [critical.fingerprint]);
    const mutings = alertMutings(pipeline.state, NOW + MINUTE, pipeline.config);
    assert.deepEqual(mutings.get(warning.fingerprint), { silencedBy: [], inhibitedBy: critical.fingerprint });
    assert.deepEqual(mutings.get(critical.fingerprint), { silencedBy: [], inhibitedBy: undefined });
  });
});

describe('processAlert and tickPipeline: grouping', () => {
  it('holds a new alert for group_wait, then notifies its group from the tick', () => {
    const pipeline = new Pipeline();

    const outcome = pipeline.process(ruleAlert({ startsAt: NOW }), NOW);
    const wake = nextWakeAt(pipeline.state, NOW, pipeline.config);
    const early = pipeline.tick(NOW + 29 * SECOND);
    const due = pipeline.tick(NOW + 30 * SECOND);

    assert.deepEqual(outcome.decision, {
      outcome: 'suppressed',
      reason: 'grouped-waiting',
      detail: "waiting for the group's next notification at 2026-03-10T14:00:30.000Z",
    });
    assert.equal(wake, NOW + 30 * SECOND);
    assert.equal(early.notifications.length, 0);
    assert.deepEqual(
      due.notifications.map((notification) => notification.kind === 'alerts' && notification.reason),
      ['first'],
    );
  });

  it('puts alerts of the same rule and model in one notification, and tells of their resolution', () => {
    const pipeline = new Pipeline();
    const a = pipeline.process(
      ruleAlert({ labels: { model: 'fraud-detector', severity: 'critical', region: 'eu' } }),
      NOW,
    );
    const b = pipeline.process(
      ruleAlert({ labels: { model: 'fraud-detector', severity: 'critical', region: 'us' } }),
      NOW,
    );
    pipeline.tick(NOW + 30 * SECOND);

    const resolved = pipeline.process(
      ruleAlert({
        labels: { model: 'fraud-detector', severity: 'critical', region: 'eu' },
        status: 'resolved',
      }),
      NOW + MINUTE,
    );
    pipeline.tick(NOW + 5 * MINUTE + 30 * SECOND);

    assert.deepEqual(notifiedFingerprints(pipeline.notifications[0]), [a.fingerprint, b.fingerprint].sort());
    assert.deepEqual(
      resolved.decision.outcome === 'suppressed' && resolved.decision.reason,
      'grouped-waiting',
    );
    const second = pipeline.notifications[1];
    assert.equal(second?.kind === 'alerts' && second.reason, 'resolved-alerts');
    assert.deepEqual(
      second?.kind === 'alerts' && second.alerts.map((alert) => [alert.fingerprint, alert.status]),
      [
        [b.fingerprint, 'firing'],
        [a.fingerprint, 'resolved'],
      ],
    );
  });

  it('resolves an alert whose end passed without a resend, and drops its group after telling so', () => {
    const pipeline = new Pipeline();
    const outcome = pipeline.process(ruleAlert({ startsAt: NOW - MINUTE, endsAt: NOW + 4 * MINUTE }), NOW);
    const groupVersion = pipeline.state.groups[outcome.groupKey]!.version;

    const tick = pipeline.tick(NOW + 5 * MINUTE);

    assert.equal(pipeline.state.alerts[outcome.fingerprint]?.alert.status, 'resolved');
    assert.equal(tick.notifications[0]?.kind === 'alerts' && tick.notifications[0].reason, 'all-resolved');
    assert.deepEqual(tick.writes.deletedGroups, [{ key: outcome.groupKey, version: groupVersion }]);
    assert.deepEqual(
      tick.incidentEvents.map(({ event }) => event.type),
      ['alert-resolved', 'quiet-period-started'],
    );
  });
});

describe('processAlert and tickPipeline: fatigue guard', () => {
  const config: PipelineConfig = {
    ...DEFAULT_PIPELINE_CONFIG,
    fatigue: { maxNotificationsPerHour: 1, maxDigestEntries: 10 },
  };

  it('notifies once an hour per rule and folds the rest into a digest', () => {
    const pipeline = new Pipeline(config);

    const first = pipeline.process(ruleAlert({ model: 'fraud-detector', startsAt: NOW - MINUTE }), NOW);
    const second = pipeline.process(ruleAlert({ model: 'churn', startsAt: NOW - MINUTE }), NOW + MINUTE);
    const beforeHour = pipeline.tick(NOW + 59 * MINUTE);
    const afterHour = pipeline.tick(NOW + 60 * MINUTE);

    assert.equal(first.decision.outcome, 'notify');
    assert.deepEqual(second.decision.outcome === 'suppressed' && second.decision.reason, 'fatigue');
    assert.equal(beforeHour.notifications.length, 0);
    const digest = afterHour.notifications[0];
    assert.equal(digest?.kind, 'digest');
    assert.deepEqual(
      digest?.kind === 'digest' &&
        digest.suppressed.map((entry) => entry.alerts.map((alert) => alert.fingerprint)),
      [[second.fingerprint]],
    );
    assert.deepEqual(
      {
        sent: pipeline.counters.notificationsSent,
        digests: pipeline.counters.digestsSent,
        held: pipeline.counters.fatigueSuppressed,
      },
      { sent: 2, digests: 1, held: 1 },
    );
  });
});

describe('processAlert and tickPipeline: incidents', () => {
  it('opens an incident for a firing alert, and resolves it after the quiet period', () => {
    const pipeline = new Pipeline();
    const alert = ruleAlert();

    const fired = pipeline.process(alert, NOW);
    const incidentId = fired.incidentEvents[0]!.incidentId;
    const id = pipeline.state.alerts[fired.fingerprint]?.incidentId;
    const acknowledged = acknowledgeIncident(pipeline.state.incidents[incidentId]!, 'ana', NOW + 2 * MINUTE);
    pipeline.state = { ...pipeline.state, incidents: { [incidentId]: acknowledged } };
    const resolved = pipeline.process({ ...alert, status: 'resolved' }, NOW + 5 * MINUTE);
    const wake = nextWakeAt(pipeline.state, NOW + 5 * MINUTE, pipeline.config);
    const versionBeforeTick = pipeline.state.incidents[incidentId]!.version;
    const tick = pipeline.tick(NOW + 15 * MINUTE);

    assert.equal(id, incidentId);
    assert.deepEqual(
      fired.incidentEvents.map(({ event }) => event.type),
      ['alert-joined', 'opened'],
    );
    assert.deepEqual(
      resolved.incidentEvents.map(({ event }) => event.type),
      ['alert-resolved', 'quiet-period-started'],
    );
    // Nothing else pending: the group dropped its only (resolved) alert; the quiet period is 10 minutes.
    assert.equal(wake, NOW + 15 * MINUTE);
    assert.deepEqual(
      tick.incidentEvents.map(({ status, event }) => [status, event.type, event.actor]),
      [['resolved', 'resolved', 'vigil']],
    );
    assert.equal(resolved.writes.incidents[0]?.version, acknowledged.version + 1);
    assert.equal(tick.writes.incidents[0]?.version, versionBeforeTick + 1);
  });

  it('takes an alert that lapsed unnoticed out of its incident when its resolution arrives', () => {
    const pipeline = new Pipeline();
    const alert = ruleAlert({ endsAt: NOW + 4 * MINUTE });
    pipeline.process(alert, NOW);

    const resolved = pipeline.process(
      { ...alert, status: 'resolved', endsAt: NOW + 3 * MINUTE },
      NOW + 5 * MINUTE,
    );

    assert.deepEqual(resolved.decision.outcome === 'suppressed' && resolved.decision.reason, 'deduplicated');
    assert.deepEqual(
      resolved.incidentEvents.map(({ event }) => event.type),
      ['alert-resolved', 'quiet-period-started'],
    );
  });

  it('joins the alerts of one model into one incident', () => {
    const pipeline = new Pipeline();

    pipeline.process(ruleAlert({ name: 'HighErrorRate' }), NOW);
    pipeline.process(ruleAlert({ name: 'HighLatency', severity: 'warning' }), NOW + MINUTE);

    const incidents = Object.values(pipeline.state.incidents);
    assert.equal(incidents.length, 1);
    assert.deepEqual(
      incidents[0]?.alerts.map((alert) => alert.name),
      ['HighErrorRate', 'HighLatency'],
    );
    assert.equal(
      alertFingerprint(ruleAlert({ name: 'HighLatency', severity: 'warning' })),
      incidents[0]?.alerts[1]?.fingerprint,
    );
  });
});
