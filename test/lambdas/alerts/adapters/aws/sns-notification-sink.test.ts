import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import {
  SNS_MAX_MESSAGE_BYTES,
  SnsNotificationSink,
} from '../../../../../lambdas/alerts/adapters/aws/sns-notification-sink.js';
import type {
  AlertNotification,
  DigestNotification,
  NotifiedAlert,
} from '../../../../../lambdas/alerts/core/pipeline-notifications.js';
import { parseNotificationMessage } from '../../../../../lambdas/notifications/core/message.js';
import {
  cloudWatchDashboardUrl,
  ingestDashboardName,
} from '../../../../../lambdas/shared/dashboard-links.js';
import { mockedSns } from '../../../../support/mocked-sns.js';

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:vigil-prod-alerts';

const { sns, client } = mockedSns();

function alert(index: number, overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    fingerprint: `fp-${index}`,
    name: 'ModelErrorRateHigh',
    labels: { model: 'fraud', severity: 'critical', instance: `i-${index}` },
    annotations: { summary: 'Error rate of fraud is 12.5%' },
    source: 'rule',
    status: 'firing',
    startsAt: T0 - 120_000,
    ...overrides,
  };
}

function notification(alerts: readonly NotifiedAlert[]): AlertNotification {
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
  };
}

function sink(maxMessageBytes?: number): SnsNotificationSink {
  return new SnsNotificationSink({
    client: client(),
    topicArn: TOPIC_ARN,
    environment: 'prod',
    maxMessageBytes,
  });
}

function published(): PublishCommandInput[] {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function stringAttributes(input: PublishCommandInput): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => {
      assert.equal(value.DataType, 'String', name);
      return [name, value.StringValue];
    }),
  );
}

/** The size SNS checks: the body plus every attribute's name, data type and value, in UTF-8 bytes. */
function snsSize(input: PublishCommandInput): number {
  const attributes = Object.entries(input.MessageAttributes ?? {}).map(
    ([name, value]) => name + value.DataType + (value.StringValue ?? ''),
  );
  return Buffer.byteLength(input.Message ?? '') + Buffer.byteLength(attributes.join(''));
}

describe('SnsNotificationSink', () => {
  it('publishes the notification with the environment, as the formatter reads it', async () => {
    const sent = notification([alert(1)]);

    await sink().send(sent);

    const [input] = published();
    assert.equal(input?.TopicArn, TOPIC_ARN);
    assert.deepEqual(JSON.parse(input?.Message ?? ''), { ...sent, environment: 'prod' });
    assert.deepEqual(parseNotificationMessage(input?.Message ?? ''), { ...sent, environment: 'prod' });
  });

  it('links the notification to the dashboard the sink was given, as the formatter reads it', async () => {
    // Prepare
    const sent = notification([alert(1)]);
    const dashboard = cloudWatchDashboardUrl('eu-west-1', ingestDashboardName('prod'));
    const linked = new SnsNotificationSink({
      client: client(),
      topicArn: TOPIC_ARN,
      environment: 'prod',
      dashboardUrl: dashboard,
    });

    // Act
    await linked.send(sent);

    // Assess
    const expected = { ...sent, environment: 'prod', links: { dashboard } };
    assert.deepEqual(parseNotificationMessage(published()[0]?.Message ?? ''), expected);
  });

  it('labels a notification with the attributes subscriptions filter on', async () => {
    const alerts = [alert(1, { labels: { model: 'fraud', severity: 'warning' } }), alert(2)];

    await sink().send(notification(alerts));

    assert.deepEqual(stringAttributes(published()[0]!), {
      kind: 'alerts',
      severity: 'critical',
      status: 'firing',
      rule: 'ModelErrorRateHigh',
      model: 'fraud',
      environment: 'prod',
    });
  });

  it('gives the severity of the firing alerts, not of a resolved critical one', async () => {
    const alerts = [
      alert(1, { labels: { model: 'fraud', severity: 'warning' } }),
      alert(2, { status: 'resolved', endsAt: T0 }),
    ];

    await sink().send(notification(alerts));

    assert.equal(stringAttributes(published()[0]!).severity, 'warning');
  });

  it('names no model when the alerts are about several', async () => {
    const alerts = [alert(1), alert(2, { labels: { model: 'churn', severity: 'critical' } })];

    await sink().send(notification(alerts));

    assert.equal(stringAttributes(published()[0]!).model, undefined);
  });

  it('labels a digest by kind and rule, without severity or status', async () => {
    const digest: DigestNotification = {
      kind: 'digest',
      id: 'd-1',
      at: T0,
      rule: 'ModelErrorRateHigh',
      suppressed: [{ at: T0 - 60_000, groupKey: 'g', reason: 'repeat', alerts: [] }],
      omitted: 2,
    };

    await sink().send(digest);

    assert.deepEqual(stringAttributes(published()[0]!), {
      kind: 'digest',
      rule: 'ModelErrorRateHigh',
      environment: 'prod',
    });
    assert.deepEqual(JSON.parse(published()[0]?.Message ?? ''), { ...digest, environment: 'prod' });
  });

  it('keeps the subject under 100 characters and on one line', async () => {
    const summary = `Error rate of fraud is 12.5% ${'and climbing '.repeat(20)}\nsecond line`;

    await sink().send(notification([alert(1, { annotations: { summary } })]));

    const subject = published()[0]?.Subject ?? '';
    assert.ok(subject.length < 100, `${subject.length} characters`);
    assert.ok(Buffer.byteLength(subject) < 100, `${Buffer.byteLength(subject)} bytes`);
    assert.doesNotMatch(subject, /[\n\r]/);
    assert.match(subject, /^\[vigil prod\] FIRING critical ModelErrorRateHigh model=fraud — Error rate/);
  });

  it('cuts the alert list to fit 256 KiB, keeping the firing alerts first and counting the rest', async () => {
    // 600 alerts of about 1 KiB each: more than twice the limit.
    const description = 'd'.repeat(1000);
    const alerts = Array.from({ length: 600 }, (_, index) =>
      alert(index, { annotations: { summary: 's', description } }),
    );

    await sink().send(notification(alerts));

    const input = published()[0]!;
    const message = JSON.parse(input.Message ?? '') as { alerts: NotifiedAlert[]; omittedAlerts: number };
    assert.ok(snsSize(input) <= SNS_MAX_MESSAGE_BYTES, `${snsSize(input)} bytes`);
    assert.ok(message.alerts.length > 0 && message.alerts.length < 600);
    assert.equal(message.alerts.length + message.omittedAlerts, 600);
    assert.deepEqual(message.alerts, alerts.slice(0, message.alerts.length));
    // As many as fit: one more alert would not.
    const kept = message.alerts.length + 1;
    const oneMore = JSON.stringify({ ...message, alerts: alerts.slice(0, kept), omittedAlerts: 600 - kept });
    assert.ok(
      snsSize({ ...input, Message: oneMore }) >
        SNS_MAX_MESSAGE_BYTES - Buffer.byteLength(input.Subject ?? ''),
    );
  });

  it('folds digest entries that do not fit into its omitted count', async () => {
    const suppressed = Array.from({ length: 50 }, (_, index) => ({
      at: T0 - index * 60_000,
      groupKey: `g${index}`,
      reason: 'repeat' as const,
      alerts: [
        {
          fingerprint: `fp-${index}`,
          name: 'ModelErrorRateHigh',
          status: 'firing' as const,
          summary: 's'.repeat(200),
        },
      ],
    }));
    const digest: DigestNotification = {
      kind: 'digest',
      id: 'd-1',
      at: T0,
      rule: 'R',
      suppressed,
      omitted: 4,
    };

    await sink(4096).send(digest);

    const input = published()[0]!;
    const message = JSON.parse(input.Message ?? '') as DigestNotification;
    assert.ok(snsSize(input) <= 4096, `${snsSize(input)} bytes`);
    assert.ok(message.suppressed.length > 0 && message.suppressed.length < 50);
    assert.equal(message.suppressed.length + message.omitted, 54);
    assert.deepEqual(message.suppressed, suppressed.slice(0, message.suppressed.length));
  });

  it('does not cut a message that fits', async () => {
    const alerts = Array.from({ length: 20 }, (_, index) => alert(index));

    await sink().send(notification(alerts));

    const message = JSON.parse(published()[0]?.Message ?? '') as Record<string, unknown>;
    assert.equal((message.alerts as unknown[]).length, 20);
    assert.equal('omittedAlerts' in message, false);
  });

  it('lets a publish error through', async () => {
    sns.on(PublishCommand).rejects(new Error('Topic does not exist'));

    await assert.rejects(sink().send(notification([alert(1)])), /Topic does not exist/);
  });
});
