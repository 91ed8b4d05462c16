import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import type { SuppressedNotification } from '../../../../lambdas/alerts/core/fatigue.js';
import type {
  AlertNotification,
  DigestNotification,
  NotifiedAlert,
} from '../../../../lambdas/alerts/core/pipeline-notifications.js';
import {
  type alertNotificationSchema,
  type digestNotificationSchema,
  InvalidMessageError,
  messageModels,
  messageSeverity,
  type notifiedAlertSchema,
  parseNotificationMessage,
  type suppressedNotificationSchema,
} from '../../../../lambdas/notifications/core/message.js';
import {
  API_BASE_URL,
  alertNotification,
  DASHBOARD_URL,
  digestNotification,
  NOTICE_AT,
  notice,
  notifiedAlert,
  OPENED_AT,
  RUNBOOK_URL,
} from '../fixtures/messages.js';

// Compile-time: the schemas read every field of the pipeline's types, so a field added there is not dropped
// here unnoticed (`satisfies` in message.ts checks the other direction: what the schemas give is valid).
type Covers<Type, Schema extends z.ZodType> =
  Exclude<keyof Type, keyof z.infer<Schema>> extends never ? true : never;
const coverage: [
  Covers<AlertNotification, typeof alertNotificationSchema>,
  Covers<NotifiedAlert, typeof notifiedAlertSchema>,
  Covers<DigestNotification, typeof digestNotificationSchema>,
  Covers<SuppressedNotification, typeof suppressedNotificationSchema>,
] = [true, true, true, true];

const publish = (message: unknown) => JSON.stringify(message);

describe('parseNotificationMessage', () => {
  it('reads each kind back exactly as it was published', () => {
    // Prepare
    const messages = [
      alertNotification([
        notifiedAlert(),
        notifiedAlert({ fingerprint: 'f9', status: 'resolved', endsAt: NOTICE_AT }),
      ]),
      { ...alertNotification(), environment: 'prod', links: { dashboard: DASHBOARD_URL } },
      digestNotification(),
      notice('trigger'),
      notice('acknowledge'),
    ];

    // Act
    const parsed = messages.map((message) => parseNotificationMessage(publish(message)));

    // Assess
    assert.deepEqual(coverage, [true, true, true, true]);
    assert.deepEqual(parsed, JSON.parse(JSON.stringify(messages)));
  });

  it('refuses a body that is not JSON, saying so', () => {
    assert.throws(
      () => parseNotificationMessage('Hello from SNS!'),
      (error: Error) => error instanceof InvalidMessageError && /not JSON/.test(error.message),
    );
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['an unknown kind', { ...notice(), kind: 'page' }, /kind/],
    [
      'an incident notice without how to acknowledge',
      { ...notice(), links: { incident: `${API_BASE_URL}/x` } },
      /links\.acknowledge/,
    ],
    [
      'a link that is not http(s)',
      { ...notice(), links: { ...notice().links, runbook: 'javascript:alert(1)' } },
      /links\.runbook: expected an http\(s\) URL/,
    ],
    ['a tier beyond the policy', { ...notice(), tier: { index: 5, name: 'cto', of: 4 } }, /tier/],
    [
      'an unknown severity',
      { ...notice(), incident: { ...notice().incident, severity: 'sev1' } },
      /incident\.severity/,
    ],
    ['a time that is not ISO-8601', { ...notice(), at: 'yesterday' }, /at: expected an ISO-8601 time/],
    [
      'an alert without a status',
      { ...alertNotification(), alerts: [{ ...notifiedAlert(), status: undefined }] },
      /alerts\[0\]\.status/,
    ],
  ];
  for (const [what, message, expected] of invalid) {
    it(`refuses ${what}, naming the field`, () => {
      assert.throws(
        () => parseNotificationMessage(publish(message)),
        (error: Error) => error instanceof InvalidMessageError && expected.test(error.message),
      );
    });
  }
});

describe('messageSeverity and messageModels', () => {
  it('take the highest severity of the firing alerts, and every model named', () => {
    const message = alertNotification([
      notifiedAlert({ severity: 'warning', labels: { model: 'churn', severity: 'warning' } }),
      notifiedAlert({ fingerprint: 'f2', severity: 'critical', status: 'resolved' }),
      notifiedAlert({ fingerprint: 'f3', labels: { model: 'fraud-detector', severity: 'high' } }),
    ]);
    // The resolved critical alert no longer counts while others fire.
    assert.equal(messageSeverity(message), 'high');
    assert.deepEqual(messageModels(message), ['churn', 'fraud-detector']);
  });

  it('count every alert once all have resolved, and an unknown severity as warning', () => {
    const message = alertNotification([
      notifiedAlert({ status: 'resolved', labels: { severity: 'sev1' } }),
      notifiedAlert({ fingerprint: 'f2', status: 'resolved', labels: { severity: 'info' } }),
    ]);
    assert.equal(messageSeverity(message), 'warning');
    assert.deepEqual(messageModels(message), []);
  });

  it('give a digest neither severity nor model, and an incident its own', () => {
    assert.equal(messageSeverity(digestNotification()), undefined);
    assert.deepEqual(messageModels(digestNotification()), []);
    assert.equal(messageSeverity(notice()), 'critical');
    assert.deepEqual(messageModels(notice()), ['fraud-detector']);
  });
});

describe('incidentNotice', () => {
  it('carries the summary, severity, dashboard and runbook links and the acknowledge call', () => {
    // Act
    const message = notice('trigger');

    // Assess
    const id = message.incident.id;
    assert.deepEqual(message.links, {
      dashboard: DASHBOARD_URL,
      runbook: RUNBOOK_URL,
      incident: `${API_BASE_URL}/api/v1/incidents/${id}`,
      acknowledge: `${API_BASE_URL}/api/v1/incidents/${id}/ack`,
    });
    assert.equal(message.incident.summary, 'Error rate of fraud-detector is 12.5 % (threshold 10 %)');
    assert.equal(message.incident.severity, 'critical');
    assert.equal(message.incident.status, 'open');
    assert.equal(message.incident.model, 'fraud-detector');
    assert.equal(message.incident.createdAt, new Date(OPENED_AT).toISOString());
    assert.equal(message.at, new Date(NOTICE_AT).toISOString());
    assert.equal(message.id, `${id}:trigger:1:${NOTICE_AT}`);
    assert.deepEqual(parseNotificationMessage(publish(message)), JSON.parse(publish(message)));
  });

  it('records who acknowledged', () => {
    const message = notice('acknowledge');
    assert.equal(message.incident.status, 'acknowledged');
    assert.equal(message.incident.acknowledgedBy, 'ana@example.com');
    assert.equal(message.incident.acknowledgedAt, new Date(NOTICE_AT).toISOString());
  });
});
