import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STATE_TABLE_ENV } from '../../../lambdas/shared/state-table.js';
import { loadEnvironment, parseEnvironment } from '../../../lib/config/load-environment.js';
import { toRuntimeConfig } from '../../../lib/config/runtime-config.js';
import { NotificationFormatter } from '../../../lib/constructs/notification-formatter.js';
import { actionsOf, iamStatements, onlyLogicalId, testApp } from '../support/cdk-app.js';

// The key, table and topics are imported by ARN: what is under test is the formatter, how SNS invokes it,
// where its failures go and what it may read.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const KEY_ARN = arn('kms', 'key/00000000-0000-0000-0000-000000000000');
const SLACK_SECRET = arn('secretsmanager', 'secret:vigil/oncall-slack');
const PAGER_SECRET = arn('secretsmanager', 'secret:vigil/pager-AbCdEf');
const SECRETS_KEY = arn('kms', 'key/11111111-1111-1111-1111-111111111111');
const TOPIC_ARNS = ['critical', 'high', 'alerts'].map((name) => arn('sns', `vigil-${name}`));

function formatterFor(id: string, fields: Record<string, unknown>, scope = app) {
  const environment = parseEnvironment({ ...loadEnvironment('dev'), ...fields });
  const stack = new Stack(scope, id, { env });
  const key = Key.fromKeyArn(stack, 'Key', KEY_ARN);
  new NotificationFormatter(stack, 'Notifications', {
    functionDefaults: {
      runtimeConfig: toRuntimeConfig(environment),
      memorySizeMb: 512,
      logRetention: RetentionDays.ONE_WEEK,
      logEncryptionKey: key,
    },
    stateTable: Table.fromTableAttributes(stack, 'State', {
      tableArn: arn('dynamodb', 'table/vigil-state'),
      encryptionKey: key,
    }),
    topics: TOPIC_ARNS.map((topicArn, index) => Topic.fromTopicArn(stack, `Topic${index}`, topicArn)),
    deadLetterKey: key,
    channelSecretKeyArns: environment.channelSecretKeyArns,
  });
  return { stack };
}
// Channels with secrets under a customer managed key, and channels with plain URLs only (as locally).
const secretChannels = {
  channels: [
    { name: 'oncall', type: 'slack', secretArn: SLACK_SECRET },
    { name: 'pager', type: 'pagerduty', secretArn: PAGER_SECRET },
    // A second channel on the same secret adds nothing to the policy.
    { name: 'oncall-copy', type: 'slack', secretArn: SLACK_SECRET },
  ],
  channelSecretKeyArns: [SECRETS_KEY],
};
const withSecrets = formatterFor('WithSecrets', secretChannels);
const plain = formatterFor('Plain', {
  channels: [{ name: 'hook', type: 'webhook', url: 'https://hooks.example.com/vigil' }],
});
// Both are built before either is synthesized: one app synthesizes once.
const template = Template.fromStack(withSecrets.stack);
const plainTemplate = Template.fromStack(plain.stack);
const functionId = onlyLogicalId(template, 'AWS::Lambda::Function');
const queueArn = { 'Fn::GetAtt': [onlyLogicalId(template, 'AWS::SQS::Queue'), 'Arn'] };
const statementsWith = (source: Template, action: string) =>
  iamStatements(source).filter((statement) => actionsOf(statement).includes(action));

describe('NotificationFormatter', () => {
  it('runs for up to 90 seconds with the state table named, where its receipts live', () => {
    const { Timeout, Environment } = template.findResources('AWS::Lambda::Function')[functionId]!.Properties;

    assert.equal(Timeout, 90);
    assert.equal(Environment.Variables[STATE_TABLE_ENV], 'vigil-state');
  });

  it('is subscribed to every topic it is given, and SNS may invoke it from those topics only', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map(
      (resource) => resource.Properties,
    );
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (resource) => resource.Properties,
    );

    assert.deepEqual(
      subscriptions.map((subscription) => subscription.TopicArn).sort(),
      [...TOPIC_ARNS].sort(),
    );
    for (const subscription of subscriptions) {
      assert.equal(subscription.Protocol, 'lambda');
      assert.deepEqual(subscription.Endpoint, { 'Fn::GetAtt': [functionId, 'Arn'] });
    }
    assert.deepEqual(permissions.map((permission) => permission.SourceArn).sort(), [...TOPIC_ARNS].sort());
    for (const permission of permissions) {
      assert.equal(permission.Principal, 'sns.amazonaws.com');
      assert.equal(permission.Action, 'lambda:InvokeFunction');
    }
  });

  it('retries a failed invocation twice within an hour, then sends it to its dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    const sends = statementsWith(template, 'sqs:SendMessage');
    assert.equal(sends.length, 1);
    assert.deepEqual(sends[0]?.Resource, queueArn);
  });

  it('keeps dead letters two weeks, encrypted with the given key, reachable over TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: KEY_ARN,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("may read exactly the channels' secrets, by ARN and by partial ARN with the random suffix", () => {
    const reads = statementsWith(template, 'secretsmanager:GetSecretValue');

    assert.equal(reads.length, 1);
    assert.deepEqual(actionsOf(reads[0]!), ['secretsmanager:GetSecretValue']);
    assert.deepEqual(reads[0]?.Resource, [
      SLACK_SECRET,
      `${SLACK_SECRET}-??????`,
      PAGER_SECRET,
      `${PAGER_SECRET}-??????`,
    ]);
  });

  it('may decrypt with the secrets key only through Secrets Manager in its region', () => {
    const decrypts = statementsWith(template, 'kms:Decrypt').filter(
      (statement) => statement.Resource === SECRETS_KEY,
    );

    assert.equal(decrypts.length, 1);
    assert.deepEqual(actionsOf(decrypts[0]!), ['kms:Decrypt']);
    assert.deepEqual(decrypts[0]?.Condition, {
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    });
  });

  it('reads no secret and decrypts with no other key when no channel has a secret', () => {
    assert.deepEqual(statementsWith(plainTemplate, 'secretsmanager:GetSecretValue'), []);
    const keys = statementsWith(plainTemplate, 'kms:Decrypt').map((statement) => statement.Resource);
    assert.ok(
      keys.every((resource) => resource === KEY_ARN),
      `only the environment key: ${JSON.stringify(keys)}`,
    );
  });

  it('reads and writes the state table, and publishes nowhere', () => {
    const tableArn = arn('dynamodb', 'table/vigil-state');

    assert.ok(
      statementsWith(template, 'dynamodb:GetItem').some((statement) => statement.Resource === tableArn),
    );
    assert.ok(
      statementsWith(template, 'dynamodb:PutItem').some((statement) => statement.Resource === tableArn),
    );
    assert.deepEqual(statementsWith(template, 'sns:Publish'), []);
  });

  it('synthesizes clean under cdk-nag AwsSolutions with secrets named by partial ARN', () => {
    // Prepare
    const nagApp = testApp();
    formatterFor('Nag', secretChannels, nagApp);
    Validations.of(nagApp).addPlugins(new AwsSolutionsChecks(nagApp));

    // Act
    const assembly = nagApp.synth();

    // Assess
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations);
    assert.deepEqual(findings, []);
  });
});
