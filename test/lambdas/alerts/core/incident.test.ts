import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../../../lambdas/alerts/core/alert.js';
import {
  acknowledgeIncident,
  autoResolveIncidents,
  type CorrelatedAlert,
  type CorrelationOptions,
  compareIncidents,
  correlateFiring,
  correlateResolved,
  DEFAULT_CORRELATION,
  type Incident,
  IncidentStateError,
  MAX_TIMELINE_EVENTS,
  resolveIncident,
} from '../../../../lambdas/alerts/core/incident.js';

const T0 = Date.parse('2026-03-10T14:00:00Z');
const MINUTE = 60_000;
const options: CorrelationOptions = {
  ...DEFAULT_CORRELATION,
  windowMs: 10 * MINUTE,
  quietPeriodMs: 15 * MINUTE,
  reopenWindowMs: 30 * MINUTE,
};

function alert(
  fingerprint: string,
  overrides: { name?: string; model?: string; severity?: Severity; groupKey?: string; service?: string } = {},
): CorrelatedAlert {
  const { name = 'HighErrorRate', model = 'fraud', severity = 'warning', service } = overrides;
  const labels: Record<string, string> = { alertname: name, model, severity };
  if (service) labels.service = service;
  return { fingerprint, name, labels, severity, groupKey: overrides.groupKey ?? `${name}/${model}` };
}

/** A store of incidents that applies changes as the pipeline does. */
class Incidents {
  readonly byId = new Map<string, Incident>();

  fire(correlated: CorrelatedAlert, at: number, opts = options) {
    const change = correlateFiring(this.byId.values(), correlated, at, opts);
    if (change) this.byId.set(change.incident.id, change.incident);
    return change;
  }

  resolve(fingerprint: string, at: number) {
    const change = correlateResolved(this.byId.values(), fingerprint, at, options);
    if (change) this.byId.set(change.incident.id, change.incident);
    return change;
  }

  tick(at: number, opts = options) {
    const changes = autoResolveIncidents(this.byId.values(), at, opts);
    for (const change of changes) this.byId.set(change.incident.id, change.incident);
    return changes;
  }

  only(): Incident {
    assert.equal(this.byId.size, 1, 'expected exactly one incident');
    return [...this.byId.values()][0]!;
  }
}

const types = (incident: Incident) => incident.timeline.map((event) => event.type);

describe('incident lifecycle', () => {
  it('opens at the first alert, with its severity and a timeline', () => {
    const incidents = new Incidents();

    const change = incidents.fire(alert('a', { severity: 'critical' }), T0);

    assert.equal(change?.created, true);
    const incident = incidents.only();
    assert.equal(incident.status, 'open');
    assert.equal(incident.severity, 'critical');
    assert.equal(incident.openedAt, T0);
    assert.equal(incident.title, 'HighErrorRate on fraud');
    assert.deepEqual(types(incident), ['alert-joined', 'opened']);
    assert.ok(incident.timeline.every((event) => event.actor === 'vigil' && event.at === T0));
  });

  it('is acknowledged by a person, once', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);

    const acknowledged = acknowledgeIncident(incidents.only(), 'ana', T0 + 3 * MINUTE);
    const again = acknowledgeIncident(acknowledged, 'ben', T0 + 4 * MINUTE);

    assert.equal(acknowledged.status, 'acknowledged');
    assert.equal(acknowledged.version, incidents.only().version + 1);
    assert.equal(acknowledged.acknowledgedBy, 'ana');
    assert.equal(acknowledged.firstAcknowledgedAt, T0 + 3 * MINUTE);
    assert.deepEqual(acknowledged.timeline.at(-1), {
      at: T0 + 3 * MINUTE,
      type: 'acknowledged',
      actor: 'ana',
      message: 'acknowledged by ana',
    });
    assert.equal(again, acknowledged);
  });

  it('resolves itself once all alerts resolved and the quiet period passed', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    incidents.fire(alert('b', { model: 'fraud', name: 'HighLatency' }), T0 + MINUTE);
    incidents.resolve('a', T0 + 5 * MINUTE);
    const oneStillFiring = incidents.only().quietSince;

    incidents.resolve('b', T0 + 6 * MINUTE);
    const early = incidents.tick(T0 + 6 * MINUTE + options.quietPeriodMs - 1);
    const due = incidents.tick(T0 + 6 * MINUTE + options.quietPeriodMs);

    assert.equal(oneStillFiring, undefined);
    assert.equal(early.length, 0);
    assert.equal(due.length, 1);
    const incident = incidents.only();
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.resolvedBy, 'vigil');
    assert.equal(incident.resolvedAt, T0 + 21 * MINUTE);
    assert.deepEqual(types(incident).slice(-4), [
      'alert-resolved',
      'alert-resolved',
      'quiet-period-started',
      'resolved',
    ]);
  });

  it('stays open when an alert fires again within the quiet period', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    incidents.resolve('a', T0 + 5 * MINUTE);

    incidents.fire(alert('a'), T0 + 10 * MINUTE);
    const later = incidents.tick(T0 + 30 * MINUTE);

    const incident = incidents.only();
    assert.equal(later.length, 0);
    assert.equal(incident.status, 'open');
    assert.equal(incident.quietSince, undefined);
    assert.deepEqual(types(incident).slice(-4), [
      'alert-resolved',
      'quiet-period-started',
      'alert-refired',
      'quiet-period-cancelled',
    ]);
  });

  it('reopens when one of its alerts fires again within the reopen window after it resolved', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    const id = incidents.only().id;
    incidents.byId.set(id, acknowledgeIncident(incidents.only(), 'ana', T0 + MINUTE));
    incidents.resolve('a', T0 + 5 * MINUTE);
    incidents.tick(T0 + 20 * MINUTE);

    const change = incidents.fire(alert('a'), T0 + 20 * MINUTE + options.reopenWindowMs);

    assert.equal(change?.created, false);
    const incident = incidents.only();
    assert.equal(incident.id, id);
    assert.equal(incident.status, 'open');
    assert.equal(incident.acknowledgedBy, undefined);
    assert.equal(incident.firstAcknowledgedAt, T0 + MINUTE);
    assert.equal(incident.reopenCount, 1);
    assert.deepEqual(types(incident).slice(-2), ['reopened', 'alert-refired']);
  });

  it('starts a new incident when the alert fires again after the reopen window', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    incidents.resolve('a', T0 + 5 * MINUTE);
    incidents.tick(T0 + 20 * MINUTE);

    const change = incidents.fire(alert('a'), T0 + 20 * MINUTE + options.reopenWindowMs + 1);

    assert.equal(change?.created, true);
    assert.equal(incidents.byId.size, 2);
  });

  it('is resolved by a person, and an alert still firing does not reopen it', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    const resolved = resolveIncident(incidents.only(), 'ana', T0 + 2 * MINUTE);
    incidents.byId.set(resolved.id, resolved);

    const resent = incidents.fire(alert('a'), T0 + 3 * MINUTE);

    assert.equal(resolved.resolvedBy, 'ana');
    assert.equal(resolved.timeline.at(-1)?.message, 'resolved by ana');
    assert.equal(resent, undefined);
    assert.equal(incidents.only().status, 'resolved');
    assert.equal(resolveIncident(resolved, 'ben', T0 + 4 * MINUTE), resolved);
  });

  it('cannot acknowledge a resolved incident', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    const resolved = resolveIncident(incidents.only(), 'ana', T0 + MINUTE);

    assert.throws(() => acknowledgeIncident(resolved, 'ben', T0 + 2 * MINUTE), IncidentStateError);
  });
});

describe('N-alert threshold', () => {
  const threshold: CorrelationOptions = { ...options, minAlertsToOpen: 3 };

  it('stays pending until N correlated alerts joined, then opens with the highest severity', () => {
    const incidents = new Incidents();

    incidents.fire(alert('a', { name: 'HighErrorRate' }), T0, threshold);
    incidents.fire(alert('b', { name: 'HighLatency', severity: 'high' }), T0 + MINUTE, threshold);
    const pending = incidents.only();
    incidents.fire(alert('c', { name: 'LowConfidence' }), T0 + 2 * MINUTE, threshold);

    assert.equal(pending.status, 'pending');
    assert.equal(pending.openedAt, undefined);
    assert.throws(() => acknowledgeIncident(pending, 'ana', T0 + MINUTE), /pending/);
    const incident = incidents.only();
    assert.equal(incident.status, 'open');
    assert.equal(incident.openedAt, T0 + 2 * MINUTE);
    assert.equal(incident.severity, 'high');
    assert.equal(incident.alerts.length, 3);
    assert.equal(incident.timeline.at(-1)?.message, 'opened: 3 correlated alerts reached the threshold of 3');
  });

  it('goes back to pending, not open, when a closed pending incident gets an alert again', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0, threshold);
    incidents.resolve('a', T0 + MINUTE);
    incidents.tick(T0 + MINUTE + threshold.quietPeriodMs, threshold);

    incidents.fire(alert('a'), T0 + 2 * MINUTE + threshold.quietPeriodMs, threshold);

    assert.equal(incidents.only().status, 'pending');
  });

  it('closes a pending incident without opening it when its alerts resolve and stay quiet', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0, threshold);
    incidents.resolve('a', T0 + MINUTE);

    incidents.tick(T0 + MINUTE + threshold.quietPeriodMs, threshold);

    const incident = incidents.only();
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.openedAt, undefined);
    assert.match(incident.timeline.at(-1)?.message ?? '', /closed without opening: 1 of 3 alerts needed/);
  });
});

describe('correlation', () => {
  it('joins alerts of the same group', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a', { groupKey: 'g' }), T0);

    incidents.fire(alert('b', { name: 'Other', model: 'churn', groupKey: 'g' }), T0 + 2 * 60 * MINUTE);

    assert.equal(incidents.only().alerts.length, 2);
  });

  it('joins alerts about the same model within the window, and not after it', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a', { name: 'HighErrorRate' }), T0);

    incidents.fire(alert('b', { name: 'HighLatency' }), T0 + options.windowMs);
    incidents.fire(alert('c', { name: 'LowConfidence' }), T0 + 2 * options.windowMs + 1);

    const sizes = [...incidents.byId.values()].map((incident) => incident.alerts.length).sort();
    assert.deepEqual(sizes, [1, 2]);
  });

  it('joins alerts of services configured as related', () => {
    const related: CorrelationOptions = { ...options, related: [['checkout', 'fraud']] };
    const incidents = new Incidents();
    incidents.fire(alert('a', { model: 'fraud' }), T0, related);

    incidents.fire(
      alert('b', { name: 'CheckoutErrors', model: 'none', service: 'checkout' }),
      T0 + MINUTE,
      related,
    );
    incidents.fire(
      alert('c', { name: 'CheckoutErrors', model: 'search', service: 'search-api' }),
      T0 + MINUTE,
      related,
    );

    const sizes = [...incidents.byId.values()].map((incident) => incident.alerts.length).sort();
    assert.deepEqual(sizes, [1, 2]);
  });

  it('raises the severity to the highest alert and says so', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a', { severity: 'warning' }), T0);

    incidents.fire(alert('b', { name: 'HighLatency', severity: 'critical' }), T0 + MINUTE);
    incidents.fire(alert('c', { name: 'LowConfidence', severity: 'info' }), T0 + 2 * MINUTE);

    const incident = incidents.only();
    assert.equal(incident.severity, 'critical');
    const raised = incident.timeline.filter((event) => event.type === 'severity-raised');
    assert.deepEqual(
      raised.map(({ severity, at }) => ({ severity, at })),
      [{ severity: 'critical', at: T0 + MINUTE }],
    );
  });

  it('changes nothing when an alert it knows as firing is sent again', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);

    assert.equal(incidents.fire(alert('a'), T0 + MINUTE), undefined);
  });

  it('keeps the timeline bounded, counting what it dropped', () => {
    const incidents = new Incidents();
    incidents.fire(alert('a'), T0);
    for (let i = 1; i <= MAX_TIMELINE_EVENTS; i++) {
      incidents.resolve('a', T0 + i * 2 * 1000);
      incidents.fire(alert('a'), T0 + (i * 2 + 1) * 1000);
    }

    const incident = incidents.only();
    assert.equal(incident.timeline.length, MAX_TIMELINE_EVENTS);
    // 2 at opening, then per cycle: resolved, quiet started, refired, quiet cancelled.
    assert.equal(incident.timelineOmitted, 2 + 4 * MAX_TIMELINE_EVENTS - MAX_TIMELINE_EVENTS);
  });
});

describe('compareIncidents', () => {
  it('lists live incidents first, then the more severe, then the newest', () => {
    const incidents = new Incidents();
    incidents.fire(alert('old-warning', { model: 'a', severity: 'warning' }), T0);
    incidents.fire(alert('new-warning', { model: 'b', severity: 'warning' }), T0 + MINUTE);
    incidents.fire(alert('critical', { model: 'c', severity: 'critical' }), T0);
    incidents.fire(alert('closed', { model: 'd', severity: 'critical' }), T0 + 2 * MINUTE);
    const closed = [...incidents.byId.values()].find(
      (incident) => incident.alerts[0]?.fingerprint === 'closed',
    )!;
    incidents.byId.set(closed.id, resolveIncident(closed, 'ana', T0 + 3 * MINUTE));

    const order = [...incidents.byId.values()]
      .sort(compareIncidents)
      .map((incident) => incident.alerts[0]?.fingerprint);

    assert.deepEqual(order, ['critical', 'new-warning', 'old-warning', 'closed']);
  });
});
