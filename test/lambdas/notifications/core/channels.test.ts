import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Channel,
  ChannelSecretError,
  channelTarget,
  filteredOut,
  PAGERDUTY_EVENTS_URL,
  parseChannels,
} from '../../../../lambdas/notifications/core/channels.js';
import { alertNotification, digestNotification, notice, notifiedAlert } from '../fixtures/messages.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-oncall-AbCdEf';

describe('parseChannels', () => {
  it('accepts each channel type with a secret, or with plain values for local use', () => {
    // Act
    const channels = parseChannels(
      [
        {
          name: 'oncall-slack',
          type: 'slack',
          secretArn: SECRET_ARN,
          filter: { severities: ['critical', 'high'] },
        },
        { name: 'pagerduty', type: 'pagerduty', secretArn: SECRET_ARN, filter: { kinds: ['incident'] } },
        {
          name: 'pagerduty-local',
          type: 'pagerduty',
          routingKey: 'R0UT1NGKEY',
          url: 'http://127.0.0.1:9/v2/enqueue',
        },
        { name: 'teams', type: 'teams', url: 'https://example.webhook.office.com/webhookb2/x' },
        {
          name: 'audit.webhook_1',
          type: 'webhook',
          url: 'http://127.0.0.1:8080/hook',
          filter: { models: ['fraud'] },
        },
      ],
      'test',
    );

    // Assess
    assert.deepEqual(
      channels.map((channel) => [channel.name, channel.type]),
      [
        ['oncall-slack', 'slack'],
        ['pagerduty', 'pagerduty'],
        ['pagerduty-local', 'pagerduty'],
        ['teams', 'teams'],
        ['audit.webhook_1', 'webhook'],
      ],
    );
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    [
      'a slack channel with neither secret nor url',
      [{ name: 's', type: 'slack' }],
      /a slack channel needs secretArn/,
    ],
    [
      'a webhook with both secret and url',
      [{ name: 'w', type: 'webhook', secretArn: SECRET_ARN, url: 'https://x.example' }],
      /secretArn or url, not both/,
    ],
    [
      'a pagerduty channel without a routing key',
      [{ name: 'p', type: 'pagerduty', url: 'https://x.example' }],
      /pagerduty channel needs secretArn/,
    ],
    [
      'a routing key on a slack channel',
      [{ name: 's', type: 'slack', url: 'https://x.example', routingKey: 'k' }],
      /routingKey is for pagerduty channels, not slack/,
    ],
    [
      'a secret given by name',
      [{ name: 's', type: 'slack', secretArn: 'vigil/slack' }],
      /\[0\]\.secretArn: expected a Secrets Manager secret ARN/,
    ],
    ['an unknown type', [{ name: 's', type: 'email', url: 'https://x.example' }], /\[0\]\.type/],
    [
      'a name used twice',
      [
        { name: 'a', type: 'slack', url: 'https://x.example' },
        { name: 'a', type: 'teams', url: 'https://y.example' },
      ],
      /\[1\]\.name: "a" is used twice/,
    ],
    [
      'an unknown filter field',
      [{ name: 'a', type: 'slack', url: 'https://x.example', filter: { severity: ['critical'] } }],
      /filter/,
    ],
    [
      'a url that is not http(s)',
      [{ name: 'a', type: 'webhook', url: 'ftp://x.example/hook' }],
      /\[0\]\.url: expected an http\(s\) URL/,
    ],
  ];
  for (const [what, value, expected] of invalid) {
    it(`refuses ${what}, naming the problem`, () => {
      assert.throws(
        () => parseChannels(value, 'environments.ts'),
        (error: Error) =>
          /^invalid channels in environments\.ts: /.test(error.message) && expected.test(error.message),
      );
    });
  }
});

describe('filteredOut', () => {
  const channel = (filter: Channel['filter']): Channel => ({
    name: 'c',
    type: 'slack',
    url: 'https://x.example',
    filter,
  });

  it('lets every message through a channel without a filter', () => {
    for (const message of [notice(), alertNotification(), digestNotification()]) {
      assert.equal(filteredOut(channel(undefined), message), undefined);
    }
  });

  it('keeps out other kinds, severities and models, saying which', () => {
    assert.match(
      filteredOut(channel({ kinds: ['incident'] }), alertNotification()) ?? '',
      /kind alerts is not among incident/,
    );
    assert.match(
      filteredOut(
        channel({ severities: ['critical'] }),
        alertNotification([notifiedAlert({ severity: 'warning' })]),
      ) ?? '',
      /severity warning is not among critical/,
    );
    assert.match(
      filteredOut(channel({ models: ['churn'] }), notice()) ?? '',
      /models fraud-detector are not among churn/,
    );
  });

  it('lets through what matches, and a digest past severity and model filters (it has neither)', () => {
    assert.equal(
      filteredOut(channel({ severities: ['critical'], models: ['fraud-detector'] }), notice()),
      undefined,
    );
    assert.equal(
      filteredOut(channel({ severities: ['critical'], models: ['churn'] }), digestNotification()),
      undefined,
    );
  });
});

describe('channelTarget', () => {
  const slack: Channel = { name: 'oncall-slack', type: 'slack', secretArn: SECRET_ARN };
  const pagerDuty: Channel = { name: 'pd', type: 'pagerduty', secretArn: SECRET_ARN };
  const hook = 'https://hooks.slack.com/services/T000/B000/XXXX';

  it('reads a bare secret, or JSON with url or routingKey', () => {
    assert.deepEqual(channelTarget(slack, `${hook}\n`), { url: hook });
    assert.deepEqual(channelTarget(slack, JSON.stringify({ url: hook })), { url: hook });
    assert.deepEqual(channelTarget(pagerDuty, 'R0UT1NGKEY'), {
      url: PAGERDUTY_EVENTS_URL,
      routingKey: 'R0UT1NGKEY',
    });
    assert.deepEqual(channelTarget(pagerDuty, JSON.stringify({ routing_key: 'K2' })), {
      url: PAGERDUTY_EVENTS_URL,
      routingKey: 'K2',
    });
  });

  it('uses plain config values without a secret, and a PagerDuty endpoint override', () => {
    const local: Channel = {
      name: 'pd',
      type: 'pagerduty',
      routingKey: 'K',
      url: 'http://127.0.0.1:9/v2/enqueue',
    };
    assert.deepEqual(channelTarget(local), { url: 'http://127.0.0.1:9/v2/enqueue', routingKey: 'K' });
  });

  it('fails on a secret without a usable value, never quoting the secret', () => {
    const secret = JSON.stringify({ token: 'xoxb-very-secret' });
    assert.throws(
      () => channelTarget(slack, secret),
      (error: Error) =>
        error instanceof ChannelSecretError &&
        /oncall-slack/.test(error.message) &&
        !error.message.includes('xoxb'),
    );
    assert.throws(() => channelTarget(slack, 'not a url'), ChannelSecretError);
    assert.throws(() => channelTarget(slack, '{"url": '), /starts like JSON but is not JSON/);
  });
});
