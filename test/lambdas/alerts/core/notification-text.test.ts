import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatNotificationLine,
  notificationModels,
  notificationRecord,
  notificationSeverity,
  notificationSubject,
  truncateUtf8,
  utf8Bytes,
} from '../../../../lambdas/alerts/core/notification-text.js';
import type {
  AlertNotification,
  DigestNotification,
  NotifiedAlert,
} from '../../../../lambdas/alerts/core/pipeline-notifications.js';

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

function alert(
  overrides: Partial<NotifiedAlert> & { model?: string; severity?: string } = {},
): NotifiedAlert {
  const { model = 'fraud', severity = 'critical', ...rest } = overrides;
  return {
    fingerprint: `fp-${model}-${severity}`,
    name: 'ModelErrorRateHigh',
    labels: { model, severity },
    annotations: { summary: `Error rate of ${model} is 12.5%` },
    source: 'rule',
    status: 'firing',
    startsAt: T0 - 120_000,
    ...rest,
  };
}

function notification(alerts: readonly NotifiedAlert[], overrides: Partial<AlertNotification> = {}) {
  return {
    kind: 'alerts',
    id: 'n-1',
    at: T0,
    rule: 'ModelErrorRateHigh',
    groupKey: '{alertname="ModelErrorRateHigh",model="fraud"}',
    groupLabels: { alertname: 'ModelErrorRateHigh', model: 'fraud' },
    reason: 'first',
    status: alerts.some((each) => each.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    ...overrides,
  } satisfies AlertNotification;
}

const digest: DigestNotification = {
  kind: 'digest',
  id: 'd-1',
  at: T0,
  rule: 'ModelErrorRateHigh',
  suppressed: [
    {
      at: T0 - 600_000,
      groupKey: 'g1',
      reason: 'repeat',
      alerts: [{ fingerprint: 'a', name: 'ModelErrorRateHigh', status: 'firing', summary: 's' }],
    },
    {
      at: T0 - 300_000,
      groupKey: 'g2',
      reason: 'new-alerts',
      alerts: [
        { fingerprint: 'b', name: 'ModelErrorRateHigh', status: 'firing' },
        { fingerprint: 'c', name: 'ModelErrorRateHigh', status: 'resolved' },
      ],
    },
  ],
  omitted: 3,
};

describe('notificationSeverity', () => {
  it('is the highest severity among the firing alerts, whatever the resolved ones say', () => {
    const alerts = [
      alert({ severity: 'warning' }),
      alert({ severity: 'high', model: 'churn' }),
      alert({ severity: 'critical', status: 'resolved', endsAt: T0 }),
    ];

    assert.equal(notificationSeverity(notification(alerts)), 'high');
  });

  it('is the highest of all alerts once all have resolved, so the resolution reaches the paged', () => {
    const alerts = [
      alert({ severity: 'warning', status: 'resolved', endsAt: T0 }),
      alert({ severity: 'critical', status: 'resolved', endsAt: T0 }),
    ];

    assert.equal(notificationSeverity(notification(alerts)), 'critical');
  });

  it('counts a missing or unknown severity label as warning, and a digest has none', () => {
    assert.equal(notificationSeverity(notification([alert({ labels: { model: 'fraud' } })])), 'warning');
    assert.equal(notificationSeverity(digest), undefined);
  });
});

describe('notificationModels', () => {
  it('lists the distinct models of the alerts in order of first mention', () => {
    const alerts = [alert({ model: 'fraud' }), alert({ model: 'churn' }), alert({ model: 'fraud' })];

    assert.deepEqual(notificationModels(notification(alerts)), ['fraud', 'churn']);
    assert.deepEqual(notificationModels(digest), []);
  });
});

describe('formatNotificationLine', () => {
  it('says status, severity, alert, model and the summary of a firing alert', () => {
    assert.equal(
      formatNotificationLine(notification([alert()])),
      '[vigil] FIRING critical ModelErrorRateHigh model=fraud — Error rate of fraud is 12.5%',
    );
  });

  it('counts firing and resolved alerts of a group, names its models and leads with a firing summary', () => {
    const alerts = [
      alert({ model: 'fraud', severity: 'warning' }),
      alert({ model: 'churn', severity: 'warning' }),
      alert({ model: 'churn', status: 'resolved', endsAt: T0 }),
    ];

    assert.equal(
      formatNotificationLine(notification(alerts)),
      '[vigil] FIRING warning ModelErrorRateHigh models=fraud,churn (2 firing, 1 resolved) — Error rate of fraud is 12.5%',
    );
  });

  it('announces a resolution', () => {
    const resolved = alert({ status: 'resolved', endsAt: T0, annotations: {} });

    assert.equal(
      formatNotificationLine(notification([resolved])),
      '[vigil] RESOLVED critical ModelErrorRateHigh model=fraud',
    );
  });

  it('names the rule when a group mixes alert names', () => {
    const alerts = [alert({ annotations: {} }), alert({ name: 'ModelLatencyHigh', annotations: {} })];

    assert.equal(
      formatNotificationLine(notification(alerts, { rule: 'group:{}' })),
      '[vigil] FIRING critical group:{} model=fraud (2 firing, 0 resolved)',
    );
  });

  it('keeps a summary with line breaks on one line', () => {
    const line = formatNotificationLine(
      notification([alert({ annotations: { summary: 'first line\nsecond\r\n\tthird' } })]),
    );

    assert.equal(line, '[vigil] FIRING critical ModelErrorRateHigh model=fraud — first line second third');
  });

  it('summarises a digest: notifications held back, alerts listed, entries only counted', () => {
    // 2 listed entries + 3 omitted = 5 notifications; the listed entries hold 1 + 2 alerts.
    assert.equal(
      formatNotificationLine(digest),
      '[vigil] DIGEST ModelErrorRateHigh — 5 notifications held back by the fatigue guard (3 alerts in the 2 listed; 3 more not listed)',
    );
  });
});

describe('truncateUtf8', () => {
  it('leaves text that fits alone', () => {
    assert.equal(truncateUtf8('héllo', 6), 'héllo');
  });

  it('cuts to the byte budget with an ellipsis, never splitting a character', () => {
    // "é" is 2 bytes and "😀" 4 in UTF-8; "..." takes 3.
    assert.equal(truncateUtf8('aéééé', 6), 'aé...');
    assert.equal(truncateUtf8('a😀😀', 7), 'a...');
    assert.equal(truncateUtf8('a😀😀', 8), 'a😀...');
  });
});

describe('notificationSubject', () => {
  it('names the environment and stays on one line within the byte budget', () => {
    const long = alert({ annotations: { summary: `Error rate is high ${'é'.repeat(200)}\nsecond line` } });

    const subject = notificationSubject(notification([long]), 'prod', 99);

    assert.ok(subject.startsWith('[vigil prod] FIRING critical ModelErrorRateHigh model=fraud — Error rate'));
    assert.ok(utf8Bytes(subject) <= 99, `${utf8Bytes(subject)} bytes`);
    assert.ok(subject.endsWith('...'));
    assert.doesNotMatch(subject, /[\n\r]/);
  });
});

describe('notificationRecord', () => {
  it('writes every time as ISO-8601 and keeps the rest of an alert notification', () => {
    const resolved = alert({ status: 'resolved', endsAt: T0 - 60_000 });

    const record = notificationRecord(notification([alert(), resolved]));

    assert.equal(record.at, '2026-03-10T12:00:00.000Z');
    assert.equal(record.kind, 'alerts');
    assert.deepEqual(record.kind === 'alerts' && record.alerts.map((each) => [each.startsAt, each.endsAt]), [
      ['2026-03-10T11:58:00.000Z', undefined],
      ['2026-03-10T11:58:00.000Z', '2026-03-10T11:59:00.000Z'],
    ]);
    assert.deepEqual(record.kind === 'alerts' && record.alerts[1]?.labels, resolved.labels);
    assert.equal(record.id, 'n-1');
  });

  it("writes a digest's entry times as ISO-8601", () => {
    const record = notificationRecord(digest);

    assert.deepEqual(record.kind === 'digest' && record.suppressed.map((entry) => entry.at), [
      '2026-03-10T11:50:00.000Z',
      '2026-03-10T11:55:00.000Z',
    ]);
    assert.equal(record.kind === 'digest' && record.omitted, 3);
  });
});
