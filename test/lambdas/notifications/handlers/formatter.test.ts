import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { noticeAttributes } from '../../../../lambdas/escalation/adapters/aws/sns-incident-notice-publisher.js';
import { FetchHttpPoster } from '../../../../lambdas/notifications/adapters/http/fetch-http-poster.js';
import { ConfigOnlySecretSource } from '../../../../lambdas/notifications/adapters/local/config-only-secret-source.js';
import { InMemoryDeliveryLog } from '../../../../lambdas/notifications/adapters/local/in-memory-delivery-log.js';
import type { Channel } from '../../../../lambdas/notifications/core/channels.js';
import type { FormatterDependencies } from '../../../../lambdas/notifications/core/deliver.js';
import { SLO_REPORT_KIND } from '../../../../lambdas/notifications/core/message.js';
import {
  createFormatterHandler,
  DeliveryFailedError,
} from '../../../../lambdas/notifications/handlers/formatter.js';
import { logger } from '../../../../lambdas/shared/logger.js';
import { lambdaContext } from '../../../support/api-gateway-events.js';
import { NOTICE_AT, notice } from '../fixtures/messages.js';
import { snsEvent } from '../fixtures/sns-events.js';
import {
  type LoopbackReceiver,
  recordingSleep,
  type ScriptedAnswer,
  startLoopbackReceiver,
} from '../support/loopback-receiver.js';

describe('formatter handler', () => {
  let receiver: LoopbackReceiver;
  const scripts = new Map<string, (n: number) => ScriptedAnswer>();

  before(async () => {
    receiver = await startLoopbackReceiver(
      (request, n) => scripts.get(request.path)?.(n) ?? { status: 200, body: 'ok' },
    );
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    scripts.clear();
    receiver.requests.length = 0;
  });

  function handlerWith(deliveryLog = new InMemoryDeliveryLog()) {
    const channels: Channel[] = [
      { name: 'slack', type: 'slack', url: receiver.url('/slack') },
      { name: 'pagerduty', type: 'pagerduty', routingKey: 'R0UTINGKEY', url: receiver.url('/v2/enqueue') },
    ];
    const dependencies: FormatterDependencies = {
      channels: () => channels,
      secrets: new ConfigOnlySecretSource(),
      poster: new FetchHttpPoster({ sleep: recordingSleep().sleep, random: () => 0.5, now: () => NOTICE_AT }),
      deliveryLog,
      now: () => NOTICE_AT,
    };
    return createFormatterHandler(() => dependencies);
  }

  const attributes = {
    severity: 'critical',
    model: 'fraud-detector',
    environment: 'prod',
    incidentId: 'inc-1',
  };

  it('delivers the notification of an SNS record to every channel', async () => {
    // Prepare
    const message = notice('trigger');
    const handler = handlerWith();

    // Act
    const summary = await handler(snsEvent(JSON.stringify(message), attributes), lambdaContext());

    // Assess
    assert.deepEqual(summary, { records: 1, delivered: 1, dropped: 0, skipped: 0 });
    assert.deepEqual(receiver.requests.map((request) => request.path).sort(), ['/slack', '/v2/enqueue']);
    assert.equal(
      JSON.parse(receiver.requestsTo('/v2/enqueue')[0]?.body ?? '{}').dedup_key,
      message.incident.id,
    );
  });

  it('drops a message that is not a Vigil notification instead of failing for ever', async () => {
    const handler = handlerWith();
    const summary = await handler(snsEvent('Hello from SNS!'), lambdaContext());
    assert.deepEqual(summary, { records: 1, delivered: 0, dropped: 1, skipped: 0 });
    assert.deepEqual(receiver.requests, []);
  });

  it('skips the weekly SLO report on the info topic quietly: no channel gets it, nothing is logged as an error', async (t) => {
    // Prepare: the report as the SNS report publisher sends it, a Markdown body with kind=slo-report.
    const handler = handlerWith();
    const errors = t.mock.method(logger, 'error');
    const event = snsEvent('# SLO report 2026-03-02 to 2026-03-09\n\n| SLO | SLI |\n', {
      kind: SLO_REPORT_KIND,
      environment: 'prod',
    });

    // Act
    const summary = await handler(event, lambdaContext());

    // Assess
    assert.deepEqual(summary, { records: 1, delivered: 0, dropped: 0, skipped: 1 });
    assert.deepEqual(receiver.requests, []);
    assert.equal(errors.mock.callCount(), 0);
  });

  it('fails the record when a channel fails, and the retried record reaches only that channel', async () => {
    // Prepare
    const handler = handlerWith();
    const event = snsEvent(JSON.stringify(notice('trigger')), attributes);
    scripts.set('/slack', () => ({ status: 404, body: 'no_service' }));

    // Act
    await assert.rejects(
      handler(event, lambdaContext()),
      (error: Error) =>
        error instanceof DeliveryFailedError &&
        /slack: the receiver answered 404 \(no_service\)/.test(error.message),
    );
    scripts.set('/slack', () => ({ status: 200, body: 'ok' }));
    const retried = await handler(event, lambdaContext());

    // Assess
    assert.deepEqual(retried, { records: 1, delivered: 1, dropped: 0, skipped: 0 });
    // PagerDuty got the trigger once; Slack was posted to again.
    assert.equal(receiver.requestsTo('/v2/enqueue').length, 1);
    assert.equal(receiver.requestsTo('/slack').length, 2);
  });

  it('delivers a notice only to the channels its tier targets, as the SNS publisher names them', async () => {
    // Prepare: the attributes the escalation's publisher sets, as SNS hands them to Lambda (Type, Value).
    const message = notice('trigger');
    const event = snsEvent(JSON.stringify(message));
    const published = noticeAttributes(message, { channels: ['pagerduty'] });
    const record = event.Records[0];
    assert.ok(record);
    record.Sns.MessageAttributes = Object.fromEntries(
      Object.entries(published).map(([name, value]) => [
        name,
        { Type: value.DataType ?? 'String', Value: value.StringValue ?? '' },
      ]),
    );
    const handler = handlerWith();

    // Act
    const summary = await handler(event, lambdaContext());

    // Assess
    assert.deepEqual(summary, { records: 1, delivered: 1, dropped: 0, skipped: 0 });
    assert.deepEqual(
      receiver.requests.map((request) => request.path),
      ['/v2/enqueue'],
    );
  });
});
