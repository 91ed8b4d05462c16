import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ALERT_TOPIC_ENV,
  ALERTMANAGER_ROUTE,
  ALERTS_API_ROUTES,
  JOB_RUN_ROUTE,
} from '../../../lambdas/alerts/alert-routes.js';
import { STATE_TABLE_ENV } from '../../../lambdas/shared/state-table.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import { toRuntimeConfig } from '../../../lib/config/runtime-config.js';
import { Alerting } from '../../../lib/constructs/alerting.js';
import type { MetricStoreRef } from '../../../lib/constructs/metric-store-access.js';
import { actionsOf, iamStatements, onlyLogicalId, testApp } from '../support/cdk-app.js';

// The stores are imported by ARN: what is under test is what the alerting functions are given and how
// they are invoked.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/vigil-state';
const ROLLUPS_ARN = 'arn:aws:timestream:us-east-1:123456789012:database/vigil/table/rollups';
function alertingFor(id: string, metricStore: MetricStoreRef) {
  const stack = new Stack(app, id, { env });
  const key = Key.fromKeyArn(stack, 'Key', KEY_ARN);
  const alerting = new Alerting(stack, 'Alerting', {
    functionDefaults: {
      runtimeConfig: toRuntimeConfig(loadEnvironment('dev')),
      memorySizeMb: 512,
      logRetention: RetentionDays.ONE_WEEK,
      logEncryptionKey: key,
    },
    topicKey: key,
    stateTable: Table.fromTableAttributes(stack, 'State', { tableArn: TABLE_ARN, encryptionKey: key }),
    metricStore,
  });
  return { alerting, stack };
}
// Both are built before either is synthesized: one app synthesizes once.
const timestream = alertingFor('Timestream', {
  kind: 'timestream',
  table: { tableArn: ROLLUPS_ARN, tableName: 'rollups', databaseName: 'vigil' },
});
const cloudWatchVariant = alertingFor('CloudWatch', { kind: 'cloudwatch', namespace: 'Vigil/dev/Metrics' });
const { alerting } = timestream;
const template = Template.fromStack(timestream.stack);
const cloudWatch = Template.fromStack(cloudWatchVariant.stack);

const ALERTING_FUNCTIONS = [
  'Alertmanager',
  'AlertsApi',
  'CloudWatchAlarms',
  'Jobs',
  'ScheduledJob',
  'SloJob',
];
const withoutHash = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');
const functions = (source: Template) =>
  Object.entries(source.findResources('AWS::Lambda::Function')).map(
    ([logicalId, fn]) => [withoutHash(logicalId).replace(/^Alerting/, ''), logicalId, fn.Properties] as const,
  );
const logicalIdOf = (role: string) => functions(template).find(([name]) => name === role)![1];
const arnOf = (role: string) => ({ 'Fn::GetAtt': [logicalIdOf(role), 'Arn'] });
const topicRef = { Ref: onlyLogicalId(template, 'AWS::SNS::Topic') };
const queueId = onlyLogicalId(template, 'AWS::SQS::Queue');
const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
const deadLetterKeyArn = { 'Fn::GetAtt': [onlyLogicalId(template, 'AWS::KMS::Key'), 'Arn'] };
const policiesOf = (roleLogicalIdPrefix: string) =>
  iamStatements(template).filter((statement) => statement.policy.startsWith(roleLogicalIdPrefix));

describe('Alerting', () => {
  describe('functions', () => {
    it('builds the six alerting functions and hands them all out for alarms', () => {
      assert.deepEqual(
        functions(template)
          .map(([name]) => name)
          .sort(),
        ALERTING_FUNCTIONS,
      );
      assert.deepEqual(Object.keys(alerting.functions).sort(), ALERTING_FUNCTIONS);
    });

    it('tells every function where the state table, the rollups and the alert topic are', () => {
      for (const [name, , fn] of functions(template)) {
        const variables = fn.Environment.Variables;
        assert.equal(variables[STATE_TABLE_ENV], 'vigil-state', name);
        assert.equal(variables.VIGIL_TIMESTREAM_DATABASE, 'vigil', name);
        assert.equal(variables.VIGIL_TIMESTREAM_TABLE, 'rollups', name);
        assert.deepEqual(variables[ALERT_TOPIC_ENV], topicRef, name);
      }
    });

    it('stops the HTTP functions before API Gateway gives up at 30 s, and each job before its next run', () => {
      // The rule job runs every minute, the SLO job every 5 minutes.
      const periods: Record<string, number> = { ScheduledJob: 60, SloJob: 300 };
      for (const [name, , fn] of functions(template)) {
        const limit = periods[name] ?? 30;
        assert.ok(fn.Timeout < limit, `${name} times out after ${fn.Timeout} s`);
      }
    });

    it('gives the SLO job longer than the rule job, which must end within its minute', () => {
      const timeout = (role: string) => functions(template).find(([name]) => name === role)![2].Timeout;

      assert.equal(timeout('ScheduledJob'), Alerting.SCHEDULED_JOB_TIMEOUT.toSeconds());
      assert.equal(timeout('SloJob'), Alerting.SLO_JOB_TIMEOUT.toSeconds());
      assert.ok(timeout('SloJob') > timeout('ScheduledJob'));
    });

    it('lets every function read and write the state table and read the rollups', () => {
      for (const name of ALERTING_FUNCTIONS) {
        const actions = policiesOf(`Alerting${name}Role`).flatMap(actionsOf);
        for (const action of [
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'timestream:Select',
        ]) {
          assert.ok(actions.includes(action), `${name} may ${action}`);
        }
        assert.ok(!actions.includes('timestream:WriteRecords'), `${name} writes no rollups`);
      }
    });

    it('reads CloudWatch metrics, and names no Timestream table, when the store is CloudWatch', () => {
      const statements = iamStatements(cloudWatch);
      for (const [name, , fn] of functions(cloudWatch)) {
        const names = Object.keys(fn.Environment.Variables);
        assert.ok(!names.some((variable) => variable.startsWith('VIGIL_TIMESTREAM')), name);
        assert.ok(
          statements.some(
            (statement) =>
              statement.policy.startsWith(`Alerting${name}CloudWatchMetricRead`) &&
              actionsOf(statement).includes('cloudwatch:GetMetricData'),
          ),
          name,
        );
      }
    });
  });

  describe('alert topic', () => {
    it('is encrypted with the given key and refuses publishers without TLS', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: KEY_ARN });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('takes publishes from the alerting functions only, and they publish to nothing else', () => {
      const publishes = iamStatements(template).filter((statement) =>
        actionsOf(statement).includes('sns:Publish'),
      );

      assert.deepEqual(
        publishes.map((statement) => withoutHash(statement.policy)).sort(),
        ALERTING_FUNCTIONS.map((name) => `Alerting${name}RoleDefaultPolicy`),
      );
      for (const statement of publishes) {
        assert.deepEqual(statement.Resource, topicRef, statement.policy);
        assert.deepEqual(actionsOf(statement), ['sns:Publish'], statement.policy);
      }
    });

    it('lets the publishers use the topic key with exactly the actions SNS needs', () => {
      for (const name of ALERTING_FUNCTIONS) {
        const keyActions = policiesOf(`Alerting${name}Role`)
          .filter((statement) => statement.Resource === KEY_ARN)
          .flatMap(actionsOf);
        assert.ok(keyActions.includes('kms:GenerateDataKey'), name);
        assert.ok(keyActions.includes('kms:Decrypt'), name);
        assert.ok(!keyActions.some((action) => action.includes('*')), `${name}: ${keyActions.join(', ')}`);
      }
    });
  });

  describe('routes', () => {
    it('sends every alert, incident and silence route to the alerts API function', () => {
      const routes = alerting.routes.map((route) => [`${route.method} ${route.path}`, route.handler]);
      const expected = [
        ...ALERTS_API_ROUTES.map(([method, path]) => [`${method} ${path}`, alerting.functions.AlertsApi]),
        [ALERTMANAGER_ROUTE.join(' '), alerting.functions.Alertmanager],
        [JOB_RUN_ROUTE.join(' '), alerting.functions.Jobs],
      ];

      assert.deepEqual(routes, expected);
      assert.ok(routes.some(([key]) => key === 'POST /api/v1/alerts/alertmanager'));
      assert.ok(routes.some(([key]) => key === 'POST /api/v1/jobs/{job}/run'));
    });
  });

  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
  const scheduleOf = (job: string) => {
    const found = schedules.filter((candidate) => JSON.parse(candidate.Properties.Target.Input).job === job);
    assert.equal(found.length, 1, `one schedule of ${job}`);
    return found[0]!.Properties;
  };

  it('schedules exactly the alert rules, the SLOs and the SLO report', () => {
    assert.deepEqual(schedules.map((candidate) => JSON.parse(candidate.Properties.Target.Input).job).sort(), [
      'alert-rules',
      'slo',
      'slo-report',
    ]);
  });

  describe('rule evaluation schedule', () => {
    const schedule = [{ Properties: scheduleOf('alert-rules') }];

    it('runs the scheduled-job function every minute, on time, with the job and its scheduled time', () => {
      const properties = schedule[0]!.Properties;

      assert.equal(properties.ScheduleExpression, 'rate(1 minute)');
      assert.deepEqual(properties.FlexibleTimeWindow, { Mode: 'OFF' });
      assert.deepEqual(properties.Target.Arn, arnOf('ScheduledJob'));
      // The context attribute EventBridge Scheduler replaces with the time the run was scheduled for.
      assert.deepEqual(JSON.parse(properties.Target.Input), {
        job: 'alert-rules',
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
    });

    it('gives up on a run after a minute, when the next one supersedes it, into the dead-letter queue', () => {
      const target = schedule[0]!.Properties.Target;

      assert.equal(target.RetryPolicy.MaximumEventAgeInSeconds, Duration.minutes(1).toSeconds());
      assert.ok(target.RetryPolicy.MaximumRetryAttempts > 0);
      assert.deepEqual(target.DeadLetterConfig, { Arn: queueArn });
    });

    it('does not retry a failed run of the job, which the next minute would redo with newer data', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf('ScheduledJob') },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it("assumes a role that only EventBridge Scheduler of this account's default group may assume", () => {
      const roleArn = schedule[0]!.Properties.Target.RoleArn['Fn::GetAtt'][0];
      const trust = template.findResources('AWS::IAM::Role')[roleArn]!.Properties.AssumeRolePolicyDocument;

      assert.deepEqual(trust.Statement, [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '123456789012',
              'aws:SourceArn': 'arn:aws:scheduler:us-east-1:123456789012:schedule-group/default',
            },
          },
        },
      ]);
    });

    it('lets the scheduler invoke only the two job functions, and send only to its dead-letter queue', () => {
      const roleArn = schedule[0]!.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
      const statements = policiesOf(withoutHash(roleArn));
      // Each action with every resource it is allowed on, whichever statements the CDK merged them into.
      const byAction: Record<string, string[]> = {};
      for (const statement of statements) {
        for (const action of actionsOf(statement)) {
          const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
          byAction[action] = [...(byAction[action] ?? []), ...resources].sort();
        }
      }
      const json = (...resources: unknown[]) => resources.map((resource) => JSON.stringify(resource)).sort();
      const anyVersionOf = (role: string) => ({ 'Fn::Join': ['', [arnOf(role), ':*']] });

      assert.deepEqual(byAction, {
        'lambda:InvokeFunction': json(
          arnOf('ScheduledJob'),
          anyVersionOf('ScheduledJob'),
          arnOf('SloJob'),
          anyVersionOf('SloJob'),
        ),
        'sqs:SendMessage': json(queueArn),
        'kms:GenerateDataKey': json(deadLetterKeyArn),
        'kms:Decrypt': json(deadLetterKeyArn),
      });
    });
  });

  describe('SLO schedules', () => {
    const slo = scheduleOf('slo');
    const report = scheduleOf('slo-report');

    it('evaluates the SLOs every 5 minutes on the SLO job function, on time, with the scheduled time', () => {
      assert.equal(slo.ScheduleExpression, 'rate(5 minutes)');
      assert.deepEqual(slo.FlexibleTimeWindow, { Mode: 'OFF' });
      assert.deepEqual(slo.Target.Arn, arnOf('SloJob'));
      assert.deepEqual(JSON.parse(slo.Target.Input), {
        job: 'slo',
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
    });

    it('builds the report every Monday at 00:00 UTC, a calendar week, on the SLO job function', () => {
      assert.equal(report.ScheduleExpression, 'cron(0 0 ? * MON *)');
      assert.equal(report.ScheduleExpressionTimezone, 'Etc/UTC');
      assert.deepEqual(report.FlexibleTimeWindow, { Mode: 'OFF' });
      assert.deepEqual(report.Target.Arn, arnOf('SloJob'));
      assert.deepEqual(JSON.parse(report.Target.Input), {
        job: 'slo-report',
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
    });

    it('gives up on an SLO run after 5 minutes, and on a report only after a day, into the dead-letter queue', () => {
      assert.equal(slo.Target.RetryPolicy.MaximumEventAgeInSeconds, Duration.minutes(5).toSeconds());
      assert.equal(report.Target.RetryPolicy.MaximumEventAgeInSeconds, Duration.hours(24).toSeconds());
      for (const target of [slo.Target, report.Target]) {
        assert.ok(target.RetryPolicy.MaximumRetryAttempts > 0);
        assert.deepEqual(target.DeadLetterConfig, { Arn: queueArn });
      }
    });

    it('shares one scheduler role among every schedule', () => {
      const roles = schedules.map((candidate) => JSON.stringify(candidate.Properties.Target.RoleArn));

      assert.equal(new Set(roles).size, 1);
      assert.equal(
        Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes('SchedulerRole'))
          .length,
        1,
      );
    });

    it('retries a failed SLO run, unlike a rule run: the weekly report has no next run soon to stand in', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf('SloJob') },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
    });
  });

  describe('CloudWatch alarm rule', () => {
    const rule = Object.entries(template.findResources('AWS::Events::Rule'));

    it('matches alarm state changes on the default bus and sends them to the alarm receiver', () => {
      assert.equal(rule.length, 1);
      const properties = rule[0]![1].Properties;

      assert.equal(properties.EventBusName, undefined, 'the default bus');
      assert.deepEqual(properties.EventPattern, {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
      });
      assert.equal(properties.Targets.length, 1);
      assert.deepEqual(properties.Targets[0].Arn, arnOf('CloudWatchAlarms'));
    });

    it('retries deliveries and sends what still fails to the dead-letter queue', () => {
      const target = rule[0]![1].Properties.Targets[0];

      assert.ok(target.RetryPolicy.MaximumRetryAttempts > 0);
      assert.ok(target.RetryPolicy.MaximumEventAgeInSeconds > 0);
      assert.deepEqual(target.DeadLetterConfig, { Arn: queueArn });
    });

    it('lets only this rule invoke the alarm receiver', () => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf('CloudWatchAlarms'),
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rule[0]![0], 'Arn'] },
      });
    });

    it('keeps state changes the receiver failed on after its retries in the dead-letter queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf('CloudWatchAlarms') },
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
      const sends = policiesOf('AlertingCloudWatchAlarmsRole').filter((statement) =>
        actionsOf(statement).includes('sqs:SendMessage'),
      );
      assert.deepEqual(
        sends.map((statement) => statement.Resource),
        [queueArn],
      );
    });
  });

  describe('dead-letter queue', () => {
    it('is encrypted with a rotating key of its own, keeps messages 14 days and refuses requests without TLS', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: deadLetterKeyArn,
        MessageRetentionPeriod: Duration.days(14).toSeconds(),
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('takes dead letters from EventBridge for the alarm rule only, using its key within this account', () => {
      const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
            }),
          ]),
        },
      });
    });
  });
});
