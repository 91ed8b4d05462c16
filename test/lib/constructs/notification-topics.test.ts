import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SEVERITIES, type Severity } from '../../../lambdas/alerts/core/alert.js';
import { loadEnvironment, parseEnvironment } from '../../../lib/config/load-environment.js';
import { NotificationTopics } from '../../../lib/constructs/notification-topics.js';
import { flattened } from '../../support/cdk-tokens.js';
import { actionsOf, iamStatements, testApp } from '../support/cdk-app.js';

// The key is imported by ARN: what is under test is the topics, their subscriptions and who may publish.
const app = testApp();
const stack = new Stack(app, 'Topics', { env: { account: '123456789012', region: 'us-east-1' } });
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const key = Key.fromKeyArn(stack, 'Key', KEY_ARN);
const criticalEmailFilter = { event: ['trigger', 'unacknowledged'], model: [{ prefix: 'fraud-' }] };
const highHookFilter = { tier: [{ 'anything-but': ['on-call'] }] };
const environment = parseEnvironment({
  ...loadEnvironment('dev'),
  subscriptions: {
    critical: [
      { protocol: 'email', endpoint: 'oncall@example.com', filterPolicy: criticalEmailFilter },
      { protocol: 'https', endpoint: 'https://hooks.example.com/sns' },
    ],
    high: [
      {
        protocol: 'https',
        endpoint: 'https://status.example.com/vigil',
        rawMessageDelivery: true,
        filterPolicy: highHookFilter,
      },
    ],
  },
});
const topics = new NotificationTopics(stack, 'SeverityTopics', {
  environmentName: 'dev',
  key,
  subscriptions: environment.subscriptions,
});
const publisher = new Role(stack, 'Publisher', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
topics.grantPublish(publisher);
const template = Template.fromStack(stack);

const topicRef = (severity: Severity) => stack.resolve(topics.topics[severity].topicArn) as { Ref: string };

describe('NotificationTopics', () => {
  it('makes one topic per severity, each encrypted with the given key and named for people', () => {
    template.resourceCountIs('AWS::SNS::Topic', SEVERITIES.length);
    for (const severity of SEVERITIES) {
      template.hasResource('AWS::SNS::Topic', {
        Properties: { KmsMasterKeyId: KEY_ARN, DisplayName: `Vigil dev ${severity} incidents` },
      });
    }
  });

  it('refuses publishers without TLS on every topic', () => {
    for (const severity of SEVERITIES) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef(severity)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it("subscribes the config's endpoints to their severity's topic, with their filter policies", () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map(
      (resource) => resource.Properties,
    );

    assert.deepEqual(
      subscriptions.sort((a, b) => String(a.Endpoint).localeCompare(String(b.Endpoint))),
      [
        {
          TopicArn: topicRef('critical'),
          Protocol: 'https',
          Endpoint: 'https://hooks.example.com/sns',
          RawMessageDelivery: false,
        },
        {
          TopicArn: topicRef('high'),
          Protocol: 'https',
          Endpoint: 'https://status.example.com/vigil',
          RawMessageDelivery: true,
          FilterPolicy: highHookFilter,
        },
        {
          TopicArn: topicRef('critical'),
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
          FilterPolicy: criticalEmailFilter,
        },
      ],
    );
  });

  it('names every topic by severity in the JSON the escalation functions read', () => {
    const json = flattened(stack.resolve(topics.topicArnsJson()));

    assert.deepEqual(
      JSON.parse(json),
      Object.fromEntries(SEVERITIES.map((severity) => [severity, `<${topicRef(severity).Ref}>`])),
    );
  });

  it('lets a publisher publish to the four topics and nothing else, with the key actions SNS needs', () => {
    const statements = iamStatements(template);
    const publish = statements.filter((statement) => actionsOf(statement).includes('sns:Publish'));

    assert.equal(publish.length, 1);
    assert.deepEqual(
      publish[0]?.Resource,
      SEVERITIES.map(topicRef).sort((a, b) => a.Ref.localeCompare(b.Ref)),
    );
    assert.ok(
      statements.some(
        (statement) =>
          statement.Resource === KEY_ARN &&
          actionsOf(statement).sort().join() === 'kms:Decrypt,kms:GenerateDataKey',
      ),
      'GenerateDataKey and Decrypt on the topic key',
    );
  });
});
