import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuthorizationErrorException,
  KMSAccessDeniedException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { utf8Bytes } from '../../../../../lambdas/alerts/core/notification-text.js';
import {
  SnsSloReportPublisher,
  TRUNCATED_REPORT_NOTE,
} from '../../../../../lambdas/slos/adapters/aws/sns-slo-report-publisher.js';
import { parseSlo } from '../../../../../lambdas/slos/core/slo.js';
import { buildSloReport, sloReportMarkdown } from '../../../../../lambdas/slos/core/slo-report.js';

const INFO_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:vigil-prod-info';
// Monday 00:00 UTC: the report of the week Monday 2 to Sunday 8 March.
const TO = Date.UTC(2026, 2, 9);

const sns = mockClient(SNSClient);
let client: SNSClient;

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  client = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterEach(() => client.destroy());

/** A report of `count` availability SLOs, 999 good predictions of 1000 in the week and the window. */
function report(count = 2) {
  const inputs = Array.from({ length: count }, (_, index) => ({
    slo: parseSlo({
      name: `model-${index}-availability`,
      model: `model-${index}`,
      sli: { kind: 'availability' },
      objective: 0.999,
    }),
    week: { good: 999, total: 1000 },
    window: { good: 3996, total: 4000 },
  }));
  return buildSloReport(inputs, TO);
}

describe('SnsSloReportPublisher', () => {
  it('publishes the Markdown report with its subject and the attributes email subscriptions filter on', async () => {
    // Prepare
    const weekly = report();
    const publisher = new SnsSloReportPublisher({ client, topicArn: INFO_TOPIC, environment: 'prod' });

    // Act
    await publisher.publish(weekly);

    // Assess
    const calls = sns.commandCalls(PublishCommand);
    assert.equal(calls.length, 1);
    const input = calls[0]!.args[0].input;
    assert.equal(input.TopicArn, INFO_TOPIC);
    assert.equal(input.Subject, 'Vigil prod SLO report, week ending 2026-03-08');
    assert.equal(input.Message, sloReportMarkdown(weekly));
    assert.match(input.Message!, /\| model-1-availability \| availability \| model-1 \|/);
    assert.deepEqual(input.MessageAttributes, {
      kind: { DataType: 'String', StringValue: 'slo-report' },
      environment: { DataType: 'String', StringValue: 'prod' },
    });
  });

  it('cuts a report too long for one message to whole lines, and says where the rest is', async () => {
    // Prepare: 200 SLOs, about 30 KB of Markdown, against a topic that takes 8 KiB.
    const weekly = report(200);
    const maxMessageBytes = 8192;
    const publisher = new SnsSloReportPublisher({
      client,
      topicArn: INFO_TOPIC,
      environment: 'prod',
      maxMessageBytes,
    });
    assert.ok(utf8Bytes(sloReportMarkdown(weekly)) > maxMessageBytes);

    // Act
    await publisher.publish(weekly);

    // Assess
    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    assert.ok(utf8Bytes(message) <= maxMessageBytes, `${utf8Bytes(message)} bytes`);
    assert.ok(message.endsWith(TRUNCATED_REPORT_NOTE));
    const kept = message.slice(0, -TRUNCATED_REPORT_NOTE.length);
    assert.ok(sloReportMarkdown(weekly).startsWith(kept), 'the first lines of the report, unchanged');
    assert.ok(kept.endsWith('|\n'), 'cut after a whole table row');
  });

  const failures = [
    {
      name: 'a role without sns:Publish',
      error: new AuthorizationErrorException({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/vigil-SloJob is not authorized to perform: SNS:Publish',
        $metadata: { httpStatusCode: 403 },
      }),
    },
    {
      name: 'a topic key the role may not use',
      error: new KMSAccessDeniedException({
        message: 'The ciphertext refers to a customer master key that does not exist',
        $metadata: { httpStatusCode: 400 },
      }),
    },
  ];
  for (const { name, error } of failures) {
    it(`rejects, naming the topic and what to check, when SNS refuses it for ${name}`, async () => {
      // Prepare
      sns.on(PublishCommand).rejects(error);
      const publisher = new SnsSloReportPublisher({ client, topicArn: INFO_TOPIC, environment: 'prod' });

      // Act and assess
      await assert.rejects(publisher.publish(report()), (thrown: Error) => {
        assert.match(
          thrown.message,
          new RegExp(`^cannot publish the SLO report ending 2026-03-09T00:00:00.000Z to ${INFO_TOPIC}`),
        );
        assert.ok(thrown.message.includes(`${error.name}: ${error.message}`), thrown.message);
        assert.match(thrown.message, /may sns:Publish to it and use its KMS key$/);
        assert.equal(thrown.cause, error);
        return true;
      });
    });
  }
});
