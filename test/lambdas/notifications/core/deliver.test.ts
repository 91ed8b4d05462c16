import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FetchHttpPoster } from '../../../../lambdas/notifications/adapters/http/fetch-http-poster.js';
import { InMemoryDeliveryLog } from '../../../../lambdas/notifications/adapters/local/in-memory-delivery-log.js';
import type { Channel } from '../../../../lambdas/notifications/core/channels.js';
import {
  audienceOf,
  type DeliveryDependencies,
  deliver,
} from '../../../../lambdas/notifications/core/deliver.js';
import type { DeliveryLog } from '../../../../lambdas/notifications/ports/delivery-log.js';
import type { SecretSource } from '../../../../lambdas/notifications/ports/secret-source.js';
import { alertNotification, NOTICE_AT, notice } from '../fixtures/messages.js';
import {
  type LoopbackReceiver,
  recordingSleep,
  type ScriptedAnswer,
  startLoopbackReceiver,
} from '../support/loopback-receiver.js';

const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbCdEf';
const PAGERDUTY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pagerduty-AbCdEf';
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';

describe('deliver', () => {
  let receiver: LoopbackReceiver;
  const scripts = new Map<string, (n: number) => ScriptedAnswer>();
  let secrets: Record<string, string>;
  let secretReads: string[];

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
    secrets = {
      [SLACK_SECRET]: receiver.url('/slack'),
      [PAGERDUTY_SECRET]: JSON.stringify({ routingKey: ROUTING_KEY }),
    };
    secretReads = [];
  });

  const secretSource: SecretSource = {
    secretValue: async (arn) => {
      secretReads.push(arn);
      const value = secrets[arn];
      if (value === undefined) throw new Error(`ResourceNotFoundException: no secret ${arn}`);
      return value;
    },
  };

  function channels(): Channel[] {
    return [
      { name: 'slack', type: 'slack', secretArn: SLACK_SECRET },
      { name: 'pagerduty', type: 'pagerduty', secretArn: PAGERDUTY_SECRET, url: receiver.url('/v2/enqueue') },
      { name: 'teams', type: 'teams', url: receiver.url('/teams') },
      { name: 'webhook', type: 'webhook', url: receiver.url('/webhook') },
    ];
  }

  function dependencies(deliveryLog: DeliveryLog = new InMemoryDeliveryLog()) {
    const recorded = recordingSleep();
    const deps: DeliveryDependencies = {
      secrets: secretSource,
      poster: new FetchHttpPoster({ sleep: recorded.sleep, random: () => 0.5, now: () => NOTICE_AT }),
      deliveryLog,
      now: () => NOTICE_AT,
    };
    return { deps, waits: recorded.waits };
  }

  it('posts each channel its own format, reading secrets for the channels that have one', async () => {
    // Prepare
    const message = notice('trigger');
    const { deps } = dependencies();

    // Act
    const report = await deliver(message, channels(), deps);

    // Assess
    assert.deepEqual(
      report.outcomes.map((outcome) => [outcome.channel, outcome.status]),
      [
        ['slack', 'delivered'],
        ['pagerduty', 'delivered'],
        ['teams', 'delivered'],
        ['webhook', 'delivered'],
      ],
    );
    assert.deepEqual(report.failed, []);
    assert.deepEqual(secretReads.sort(), [PAGERDUTY_SECRET, SLACK_SECRET]);
    const [slack] = receiver.requestsTo('/slack');
    assert.ok(Array.isArray(JSON.parse(slack?.body ?? '{}').blocks));
    const [pagerDuty] = receiver.requestsTo('/v2/enqueue');
    assert.deepEqual(
      (({ routing_key, event_action, dedup_key }) => ({ routing_key, event_action, dedup_key }))(
        JSON.parse(pagerDuty?.body ?? '{}'),
      ),
      { routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: message.incident.id },
    );
    assert.equal(JSON.parse(receiver.requestsTo('/teams')[0]?.body ?? '{}').type, 'message');
    const [webhook] = receiver.requestsTo('/webhook');
    assert.equal(JSON.parse(webhook?.body ?? '{}').version, '1');
    assert.equal(webhook?.headers['idempotency-key'], message.id);
  });

  it('keeps delivering to the other channels when one fails, retrying the one that is unavailable', async () => {
    // Prepare
    scripts.set('/slack', (n) => (n < 2 ? { status: 503 } : { status: 200, body: 'ok' }));
    scripts.set('/teams', () => ({ status: 400, body: 'Bad payload' }));
    const { deps, waits } = dependencies();

    // Act
    const report = await deliver(notice('trigger'), channels(), deps);

    // Assess
    assert.deepEqual(
      report.outcomes.map((outcome) => [outcome.channel, outcome.status]),
      [
        ['slack', 'delivered'],
        ['pagerduty', 'delivered'],
        ['teams', 'failed'],
        ['webhook', 'delivered'],
      ],
    );
    assert.deepEqual(report.failed, [
      {
        channel: 'teams',
        status: 'failed',
        reason: 'the receiver answered 400 (Bad payload)',
        httpStatus: 400,
        attempts: 1,
        retryable: false,
      },
    ]);
    assert.equal(receiver.requestsTo('/slack').length, 3);
    assert.equal(receiver.requestsTo('/teams').length, 1);
    assert.deepEqual(waits, [500, 1_000]);
  });

  it('delivers a message again only to the channels that did not get it', async () => {
    // Prepare
    const deliveryLog = new InMemoryDeliveryLog();
    const message = notice('trigger');
    scripts.set('/teams', () => ({ status: 400 }));
    const first = await deliver(message, channels(), dependencies(deliveryLog).deps);
    assert.deepEqual(
      first.failed.map((outcome) => outcome.channel),
      ['teams'],
    );
    scripts.set('/teams', () => ({ status: 200 }));
    receiver.requests.length = 0;

    // Act
    const second = await deliver(message, channels(), dependencies(deliveryLog).deps);

    // Assess
    assert.deepEqual(
      second.outcomes.map((outcome) => [outcome.channel, outcome.status]),
      [
        ['slack', 'already-delivered'],
        ['pagerduty', 'already-delivered'],
        ['teams', 'delivered'],
        ['webhook', 'already-delivered'],
      ],
    );
    assert.deepEqual(
      receiver.requests.map((request) => request.path),
      ['/teams'],
    );
  });

  it('skips PagerDuty for alert notifications and channels whose filter keeps the message out', async () => {
    // Prepare
    const filtered: Channel[] = [
      ...channels(),
      { name: 'churn-only', type: 'webhook', url: receiver.url('/churn'), filter: { models: ['churn'] } },
    ];

    // Act
    const report = await deliver(alertNotification(), filtered, dependencies().deps);

    // Assess
    assert.deepEqual(
      report.outcomes.map((outcome) => [outcome.channel, outcome.status]),
      [
        ['slack', 'delivered'],
        ['pagerduty', 'skipped'],
        ['teams', 'delivered'],
        ['webhook', 'delivered'],
        ['churn-only', 'filtered'],
      ],
    );
    assert.deepEqual(receiver.requestsTo('/v2/enqueue'), []);
    assert.deepEqual(receiver.requestsTo('/churn'), []);
  });

  it('fails a channel whose secret cannot be read or holds nothing usable, and only that channel', async () => {
    // Prepare
    delete secrets[SLACK_SECRET];
    secrets[PAGERDUTY_SECRET] = '{"token":"x"}';

    // Act
    const report = await deliver(notice('trigger'), channels(), dependencies().deps);

    // Assess
    assert.deepEqual(
      report.failed.map((outcome) => [outcome.channel, outcome.retryable, outcome.attempts]),
      [
        ['slack', true, 0],
        ['pagerduty', false, 0],
      ],
    );
    assert.match(
      report.failed[0]?.reason ?? '',
      /cannot read the secret of channel slack: ResourceNotFoundException/,
    );
    assert.match(report.failed[1]?.reason ?? '', /secret of channel pagerduty is JSON without routingKey/);
    assert.deepEqual(receiver.requests.map((request) => request.path).sort(), ['/teams', '/webhook']);
  });

  it('delivers anyway when receipts cannot be read or written, with warnings', async () => {
    // Prepare
    const broken: DeliveryLog = {
      deliveredChannels: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      recordDelivery: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };

    // Act
    const report = await deliver(notice('trigger'), channels().slice(2), dependencies(broken).deps);

    // Assess
    assert.deepEqual(report.failed, []);
    assert.equal(receiver.requests.length, 2);
    assert.equal(report.warnings.length, 3);
    assert.match(report.warnings[0] ?? '', /cannot read the delivery receipts/);
    assert.match(report.warnings[1] ?? '', /cannot record the delivery to (teams|webhook)/);
  });
});

describe('audienceOf', () => {
  const configured: Channel[] = [
    { name: 'slack', type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
    { name: 'pagerduty', type: 'pagerduty', routingKey: ROUTING_KEY },
    { name: 'teams', type: 'teams', url: 'https://example.webhook.office.com/webhookb2/x' },
  ];
  const names = (audience: ReturnType<typeof audienceOf>) => audience.channels.map((channel) => channel.name);

  it('keeps every channel when the message names none', () => {
    assert.deepEqual(names(audienceOf(configured, undefined)), ['slack', 'pagerduty', 'teams']);
  });

  it('keeps only the channels the message names, in configured order', () => {
    const audience = audienceOf(configured, JSON.stringify(['teams', 'slack']));
    assert.deepEqual(names(audience), ['slack', 'teams']);
    assert.deepEqual(audience.unknown, []);
  });

  it('reports names that are not configured and still delivers to the ones that are', () => {
    const audience = audienceOf(configured, JSON.stringify(['pagerduty', 'opsgenie']));
    assert.deepEqual(names(audience), ['pagerduty']);
    assert.deepEqual(audience.unknown, ['opsgenie']);
  });

  it('goes to every channel when no name matches or the attribute is not a list of names', () => {
    for (const attribute of [JSON.stringify(['renamed']), 'slack', JSON.stringify([1, 2]), '{"a":1}']) {
      const audience = audienceOf(configured, attribute);
      assert.deepEqual(names(audience), ['slack', 'pagerduty', 'teams'], attribute);
      assert.equal(audience.unknown.length, 1, attribute);
    }
  });
});
