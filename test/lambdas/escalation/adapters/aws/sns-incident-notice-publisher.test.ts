import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SnsIncidentNoticePublisher } from '../../../../../lambdas/escalation/adapters/aws/sns-incident-notice-publisher.js';
import { decideNotify, escalationStart } from '../../../../../lambdas/escalation/core/escalation.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../../lambdas/escalation/core/policy.js';
import type { IncidentNotice } from '../../../../../lambdas/notifications/core/message.js';
import { parseNotificationMessage } from '../../../../../lambdas/notifications/core/message.js';
import { mockedSns } from '../../../../support/mocked-sns.js';
import { openedIncident, SETTINGS, T0 } from '../../fixtures.js';

const CRITICAL_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:vigil-prod-critical';

const { sns, client } = mockedSns();

/** The trigger notice of tier 1 of p0 for a critical incident about fraud-detector. */
function triggerNotice(): IncidentNotice {
  const incident = openedIncident('fraud-detector');
  const decision = decideNotify(
    escalationStart(incident, 'p0', T0).state,
    DEFAULT_ESCALATION_CONFIG.policies.p0!,
    incident,
    T0,
    SETTINGS,
  );
  assert.equal(decision.outcome, 'notified');
  return decision.outcome === 'notified' ? decision.delivery.notice : assert.fail();
}

describe('SnsIncidentNoticePublisher', () => {
  it('publishes to the topic of the severity, with attributes subscriptions can filter on', async () => {
    // Prepare
    const notice = triggerNotice();
    const publisher = new SnsIncidentNoticePublisher({
      client: client(),
      topicArns: { critical: CRITICAL_TOPIC },
    });

    // Act
    await publisher.publish(notice, {});

    // Assess
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    assert.equal(input.TopicArn, CRITICAL_TOPIC);
    // As JSON, undefined fields drop out.
    assert.deepEqual(
      parseNotificationMessage(input.Message!),
      JSON.parse(JSON.stringify(notice)),
      'the formatter reads it',
    );
    const string = (value: string) => ({ DataType: 'String', StringValue: value });
    assert.deepEqual(input.MessageAttributes, {
      kind: string('incident'),
      event: string('trigger'),
      severity: string('critical'),
      environment: string('test'),
      incidentId: string(notice.incident.id),
      model: string('fraud-detector'),
      tier: string('on-call'),
    });
    assert.ok(input.Subject!.startsWith('[vigil test] TRIGGER critical'));
    assert.ok(Buffer.byteLength(input.Subject!) < 100, 'SNS subjects are under 100 characters');
  });

  it('names the channels a notice is for as a String.Array, when it is not for everyone', async () => {
    const publisher = new SnsIncidentNoticePublisher({
      client: client(),
      topicArns: { critical: CRITICAL_TOPIC },
    });

    await publisher.publish(triggerNotice(), { channels: ['slack-managers', 'pagerduty'] });

    const attributes = sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes!;
    assert.deepEqual(attributes.channels, {
      DataType: 'String.Array',
      StringValue: '["slack-managers","pagerduty"]',
    });
  });

  it("publishes to a tier's own topics as well, for everyone on them, and to them alone when asked", async () => {
    // Prepare
    const team = 'arn:aws:sns:eu-west-1:123456789012:team-pager';
    const publisher = new SnsIncidentNoticePublisher({
      client: client(),
      topicArns: { critical: CRITICAL_TOPIC },
    });

    // Act
    await publisher.publish(triggerNotice(), { channels: ['slack-managers'], topics: [team] });
    await publisher.publish(triggerNotice(), { topics: [team], severityTopic: false });

    // Assess
    const calls = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      calls.map((input) => [input.TopicArn, input.MessageAttributes?.channels?.StringValue]),
      [
        [CRITICAL_TOPIC, '["slack-managers"]'],
        [team, undefined],
        [team, undefined],
      ],
    );
    assert.equal(calls[1]!.Message, calls[0]!.Message, 'the same notice, under the same id');
  });

  it('lets an SNS error through, so the step fails and is retried', async () => {
    // Prepare: what SNS answers a role that may not publish to the topic.
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
        name: 'AuthorizationErrorException',
      }),
    );
    const publisher = new SnsIncidentNoticePublisher({
      client: client(),
      topicArns: { critical: CRITICAL_TOPIC },
    });

    // Act and Assess
    await assert.rejects(publisher.publish(triggerNotice(), {}), { name: 'AuthorizationErrorException' });
  });

  it('refuses a notice whose severity has no topic, naming the severities that have one', async () => {
    const publisher = new SnsIncidentNoticePublisher({
      client: client(),
      topicArns: { warning: CRITICAL_TOPIC },
    });

    await assert.rejects(
      publisher.publish(triggerNotice(), {}),
      /no SNS topic for severity critical; the severity topics are for warning/,
    );
    assert.equal(sns.commandCalls(PublishCommand).length, 0);
  });
});
