import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { sloReportPublisherFor } from '../../../../../lambdas/slos/adapters/aws/slo-report-dependencies.js';
import { buildSloReport } from '../../../../../lambdas/slos/core/slo-report.js';

const topic = (severity: string) => `arn:aws:sns:eu-west-1:123456789012:vigil-prod-${severity}`;
const ALL_TOPICS = JSON.stringify(
  Object.fromEntries(['critical', 'high', 'warning', 'info'].map((severity) => [severity, topic(severity)])),
);

const sns = mockClient(SNSClient);
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => sns.reset());

describe('sloReportPublisherFor', () => {
  it('publishes to the info topic of the severity topics the function is given', async () => {
    // Prepare
    const publisher = sloReportPublisherFor(ALL_TOPICS, 'prod');
    assert.ok(publisher);

    // Act
    await publisher.publish(buildSloReport([], Date.UTC(2026, 2, 9)));

    // Assess
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    assert.equal(input.TopicArn, topic('info'));
    assert.equal(input.Subject, 'Vigil prod SLO report, week ending 2026-03-08');
  });

  it('gives none to a function given no severity topics, which then only answers the report', () => {
    assert.equal(sloReportPublisherFor(undefined, 'prod'), undefined);
    assert.equal(sloReportPublisherFor('', 'prod'), undefined);
  });

  it('fails, naming the variable, when the severity topics leave out info', () => {
    assert.throws(
      () => sloReportPublisherFor(JSON.stringify({ critical: topic('critical') }), 'prod'),
      /^Error: VIGIL_SEVERITY_TOPIC_ARNS names no info topic; expected one, since the weekly SLO report is published there$/,
    );
  });
});
