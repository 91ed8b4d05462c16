import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAlertmanagerWebhook } from '../../../../lambdas/alerts/core/alertmanager.js';
import { alertFingerprint, labelSetFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { alertmanagerPayload } from './fixtures/fixtures.js';

describe('parseAlertmanagerWebhook', () => {
  it('makes one Vigil alert per entry, resolved entries resolved', () => {
    const webhook = parseAlertmanagerWebhook(alertmanagerPayload());

    assert.equal(webhook.receiver, 'vigil');
    assert.equal(webhook.status, 'firing');
    assert.equal(webhook.externalUrl, 'http://alertmanager.example.org:9093');
    assert.equal(webhook.truncatedAlerts, 0);
    assert.deepEqual(webhook.alerts, [
      {
        name: 'ModelErrorRateHigh',
        labels: { job: 'fraud-scorer', model: 'fraud-detector', severity: 'critical' },
        annotations: {
          summary: 'fraud-detector error rate is 12%',
          runbook_url: 'https://runbooks.example.org/model-error-rate',
        },
        source: 'alertmanager',
        status: 'firing',
        startsAt: Date.parse('2026-03-10T13:58:30.123Z'),
        endsAt: undefined,
        generatorUrl: 'http://prometheus.example.org:9090/graph?g0.expr=model_error_ratio+%3E+0.1&g0.tab=1',
      },
      {
        name: 'ModelErrorRateHigh',
        labels: { job: 'fraud-scorer', model: 'churn-predictor', severity: 'critical' },
        annotations: {
          summary: 'churn-predictor error rate is 11%',
          runbook_url: 'https://runbooks.example.org/model-error-rate',
        },
        source: 'alertmanager',
        status: 'resolved',
        startsAt: Date.parse('2026-03-10T13:40:00Z'),
        endsAt: Date.parse('2026-03-10T13:59:00Z'),
        generatorUrl: 'http://prometheus.example.org:9090/graph?g0.expr=model_error_ratio+%3E+0.1&g0.tab=1',
      },
    ]);
  });

  it('keeps the identity Alertmanager gave each alert: its whole label set, alertname included', () => {
    const payload = alertmanagerPayload();

    const alerts = parseAlertmanagerWebhook(payload).alerts;

    assert.deepEqual(
      alerts.map(alertFingerprint),
      payload.alerts.map((entry) => labelSetFingerprint(entry.labels as Record<string, string>)),
    );
    assert.deepEqual(
      alerts.map(alertFingerprint),
      payload.alerts.map((entry) => entry.fingerprint),
    );
  });

  it('ignores fields it does not know, as later Alertmanager versions may add some', () => {
    const payload = { ...alertmanagerPayload(), orgId: 1 };

    assert.equal(parseAlertmanagerWebhook(payload).alerts.length, 2);
  });

  const invalid = [
    {
      title: 'a body that is not an object',
      body: () => 'hello',
      message: /\(body\): must be a JSON object/,
    },
    {
      title: 'another payload version',
      body: () => ({ ...alertmanagerPayload(), version: '3' }),
      message: /version: must be "4", the webhook payload version Vigil reads, got "3"/,
    },
    {
      title: 'an entry with an unknown status',
      body: () => {
        const payload = alertmanagerPayload();
        payload.alerts[1]!.status = 'pending';
        return payload;
      },
      message: /alerts\[1\]\.status: must be "firing" or "resolved", got "pending"/,
    },
    {
      title: 'an entry without alertname',
      body: () => {
        const payload = alertmanagerPayload();
        delete payload.alerts[0]!.labels.alertname;
        return payload;
      },
      message: /alerts\[0\]\.labels: must have an alertname label/,
    },
    {
      title: 'a start that is not a time',
      body: () => {
        const payload = alertmanagerPayload();
        payload.alerts[0]!.startsAt = 'yesterday';
        return payload;
      },
      message: /alerts\[0\]\.startsAt: must be an RFC 3339 time, got "yesterday"/,
    },
    {
      title: 'a label value that is not a string',
      body: () => {
        const payload = alertmanagerPayload();
        payload.alerts[0]!.labels.replica = 2;
        return payload;
      },
      message: /alerts\[0\]\.labels\.replica: must be a string/,
    },
    {
      title: 'no alerts list',
      body: () => ({ ...alertmanagerPayload(), alerts: undefined }),
      message: /alerts: must be a list of alerts/,
    },
  ];
  for (const { title, body, message } of invalid) {
    it(`refuses ${title}, naming the field`, () => {
      assert.throws(
        () => parseAlertmanagerWebhook(body()),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});
