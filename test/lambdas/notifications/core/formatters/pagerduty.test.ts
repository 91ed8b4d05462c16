import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../../../../lambdas/alerts/core/alert.js';
import {
  PAGERDUTY_SKIP_REASON,
  type PagerDutyEvent,
  pagerDutyEvent,
} from '../../../../../lambdas/notifications/core/formatters/pagerduty.js';
import type { IncidentEvent } from '../../../../../lambdas/notifications/core/message.js';
import {
  alertNotification,
  DASHBOARD_URL,
  digestNotification,
  notice,
  RUNBOOK_URL,
} from '../../fixtures/messages.js';

/*
 * Reference: PagerDuty Events API v2, "Send an Alert Event" (developer-docs, events-API-v2): `routing_key`
 * and `event_action` (trigger, acknowledge, resolve) are required; `dedup_key` at most 255 characters;
 * `payload.summary` (at most 1024 characters), `payload.source` and `payload.severity` (critical, error,
 * warning or info) are required for a trigger; `payload.timestamp`, `component`, `group`, `class`,
 * `custom_details` are optional; `links` are objects with `href` (required) and `text`; `client` and
 * `client_url` name the sender. The documented acknowledge and resolve examples carry only `routing_key`,
 * `dedup_key` and `event_action`.
 */
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const DOCUMENTED_TOP_LEVEL = [
  'routing_key',
  'event_action',
  'dedup_key',
  'payload',
  'images',
  'links',
  'client',
  'client_url',
];
const DOCUMENTED_PAYLOAD = [
  'summary',
  'source',
  'severity',
  'timestamp',
  'component',
  'group',
  'class',
  'custom_details',
];

function eventFor(event: IncidentEvent, summary?: string): PagerDutyEvent {
  const formatted = pagerDutyEvent(notice(event, summary), ROUTING_KEY);
  assert.equal(formatted.kind, 'event');
  return formatted.event;
}

function assertDocumentedTrigger(event: PagerDutyEvent): void {
  for (const key of Object.keys(event))
    assert.ok(DOCUMENTED_TOP_LEVEL.includes(key), `undocumented field ${key}`);
  assert.equal(event.routing_key, ROUTING_KEY);
  assert.equal(event.event_action, 'trigger');
  assert.ok(event.dedup_key.length <= 255);
  const payload = event.payload;
  assert.ok(payload);
  for (const key of Object.keys(payload))
    assert.ok(DOCUMENTED_PAYLOAD.includes(key), `undocumented payload field ${key}`);
  assert.ok(payload.summary.length >= 1 && payload.summary.length <= 1024);
  assert.ok(payload.source.length > 0);
  assert.ok(['critical', 'error', 'warning', 'info'].includes(payload.severity));
  assert.ok(payload.timestamp && !Number.isNaN(Date.parse(payload.timestamp)));
  for (const link of event.links ?? []) assert.ok(/^https?:\/\//.test(link.href) && link.text);
}

describe('pagerDutyEvent', () => {
  it('triggers with the documented fields, the incident id as dedup key, links and how to acknowledge', () => {
    // Prepare
    const message = notice('trigger');

    // Act
    const event = eventFor('trigger');

    // Assess
    assertDocumentedTrigger(event);
    assert.equal(event.dedup_key, message.incident.id);
    assert.equal(event.payload?.summary, '[prod] Error rate of fraud-detector is 12.5 % (threshold 10 %)');
    assert.equal(event.payload?.source, 'vigil:prod:fraud-detector');
    assert.equal(event.payload?.component, 'fraud-detector');
    assert.equal(event.payload?.severity, 'critical');
    assert.equal(event.payload?.timestamp, message.at);
    assert.deepEqual(event.links, [
      { href: DASHBOARD_URL, text: 'Dashboard' },
      { href: RUNBOOK_URL, text: 'Runbook' },
      { href: message.links.incident, text: 'Incident' },
    ]);
    assert.equal(event.client, 'Vigil');
    assert.equal(event.client_url, DASHBOARD_URL);
    assert.equal(event.payload?.custom_details?.tier, '1 of 4: on-call');
    assert.match(
      event.payload?.custom_details?.acknowledge ?? '',
      new RegExp(`POST ${message.links.acknowledge}`),
    );
  });

  it('keeps one dedup key, the incident id, across trigger, acknowledge and resolve', () => {
    // Act
    const events = (['trigger', 'acknowledge', 'resolve'] as const).map((each) => eventFor(each));

    // Assess
    const incidentId = notice('trigger').incident.id;
    assert.deepEqual(
      events.map((event) => [event.event_action, event.dedup_key]),
      [
        ['trigger', incidentId],
        ['acknowledge', incidentId],
        ['resolve', incidentId],
      ],
    );
    // As the documented examples: acknowledge and resolve carry no payload.
    assert.deepEqual(events[1], {
      routing_key: ROUTING_KEY,
      dedup_key: incidentId,
      event_action: 'acknowledge',
    });
    assert.deepEqual(events[2], { routing_key: ROUTING_KEY, dedup_key: incidentId, event_action: 'resolve' });
  });

  it('triggers again under the same key when nobody acknowledged or escalation failed', () => {
    for (const each of ['unacknowledged', 'escalation-failed'] as const) {
      const event = eventFor(each);
      assertDocumentedTrigger(event);
      assert.equal(event.dedup_key, notice(each).incident.id);
      assert.equal(event.payload?.class, each);
    }
    assert.match(eventFor('escalation-failed').payload?.custom_details?.reason ?? '', /States\.TaskFailed/);
  });

  const severities: Array<[Severity, string]> = [
    ['critical', 'critical'],
    ['high', 'error'],
    ['warning', 'warning'],
    ['info', 'info'],
  ];
  for (const [vigil, pagerDuty] of severities) {
    it(`maps Vigil's ${vigil} to PagerDuty's ${pagerDuty}`, () => {
      const message = notice('trigger');
      const formatted = pagerDutyEvent(
        { ...message, incident: { ...message.incident, severity: vigil } },
        ROUTING_KEY,
      );
      assert.ok(formatted.kind === 'event');
      assert.equal(formatted.event.payload?.severity, pagerDuty);
    });
  }

  it('cuts a long summary to 1024 characters', () => {
    const event = eventFor('trigger', 'y'.repeat(5000));
    assertDocumentedTrigger(event);
    assert.equal(event.payload?.summary.length, 1024);
    assert.ok(event.payload?.summary.endsWith('y…'));
  });

  it('sends no alert-group notification or digest, saying why', () => {
    for (const message of [alertNotification(), digestNotification()]) {
      assert.deepEqual(pagerDutyEvent(message, ROUTING_KEY), { kind: 'skip', reason: PAGERDUTY_SKIP_REASON });
    }
  });
});
