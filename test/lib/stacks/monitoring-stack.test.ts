import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Domain } from 'aws-cdk-lib/aws-opensearchservice';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import type { EnvironmentConfig } from '../../../lib/config/schema.js';
import type { EventStoreRef } from '../../../lib/constructs/event-store.js';
import { MonitoringStack } from '../../../lib/stacks/monitoring-stack.js';
import { onlyLogicalId, testApp } from '../support/cdk-app.js';

// The monitored resources are imported by ARN, so this app holds no functions and synthesizes fast.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const refs = new Stack(app, 'Refs', { env });
const key = Key.fromKeyArn(refs, 'Key', arn('kms', 'key/00000000-0000-0000-0000-000000000000'));
const api = HttpApi.fromHttpApiAttributes(refs, 'Api', { httpApiId: 'abc123defg' });
const functions = Object.fromEntries(
  ['Predictions', 'Replay'].map((name) => [
    name,
    LambdaFunction.fromFunctionArn(refs, name, arn('lambda', `function:vigil-${name}`)),
  ]),
);
const retryQueue = Queue.fromQueueArn(refs, 'RetryQueue', arn('sqs', 'vigil-retry'));
const deadLetterQueue = Queue.fromQueueArn(refs, 'DeadLetterQueue', arn('sqs', 'vigil-retry-dlq'));
const alertingDeadLetterQueue = Queue.fromQueueArn(
  refs,
  'AlertingDeadLetterQueue',
  arn('sqs', 'vigil-alerting-dlq'),
);
const notificationDeadLetterQueue = Queue.fromQueueArn(
  refs,
  'NotificationDeadLetterQueue',
  arn('sqs', 'vigil-notifications-dlq'),
);
// The job function of the alert rules, with its timeout, whose run times alarm near it.
const ruleJob = LambdaFunction.fromFunctionArn(refs, 'RuleJob', arn('lambda', 'function:vigil-RuleJob'));
const jobs = { RuleJob: { fn: ruleJob, timeout: Duration.seconds(50) } };
const escalationStateMachine = StateMachine.fromStateMachineArn(
  refs,
  'Escalation',
  arn('states', 'stateMachine:vigil-escalation'),
);
const bootstrap = {
  serviceToken: arn('lambda', 'function:vigil-bootstrap-provider'),
  role: Role.fromRoleArn(refs, 'BootstrapRole', 'arn:aws:iam::123456789012:role/vigil-bootstrap'),
};
function eventStoreFor(id: string, environment: EnvironmentConfig): EventStoreRef {
  const setup = { indexTemplates: [], ismPolicies: [], securityRoles: [] };
  if (environment.eventStore.opensearchServerless) {
    return {
      kind: 'opensearch-serverless',
      collection: {
        collectionName: 'vigil-dev',
        collectionArn: arn('aoss', 'collection/abc'),
        collectionId: 'abc',
      },
      endpointUrl: 'https://abc.us-east-1.aoss.amazonaws.com',
      bootstrap,
      setup: { ...setup, signingService: 'aoss' },
    };
  }
  return {
    kind: 'opensearch',
    domain: Domain.fromDomainAttributes(refs, `${id}Domain`, {
      domainArn: arn('es', `domain/vigil-${environment.name}`),
      domainEndpoint: `https://search-vigil-${environment.name}-abc.us-east-1.es.amazonaws.com`,
    }),
    domainName: `vigil-${environment.name}`,
    sizing: environment.eventStore.domain,
    endpointUrl: `https://search-vigil-${environment.name}-abc.us-east-1.es.amazonaws.com`,
    bootstrap,
    setup: { ...setup, signingService: 'es' },
  };
}
function monitoringFor(id: string, environment: EnvironmentConfig): MonitoringStack {
  return new MonitoringStack(app, id, {
    env,
    environment,
    key,
    api,
    functions,
    retryQueue,
    deadLetterQueue,
    alertingDeadLetterQueue,
    eventStore: eventStoreFor(id, environment),
    notificationDeadLetterQueue,
    escalationStateMachine,
    jobs,
  });
}
const devStack = monitoringFor('Dev', { ...loadEnvironment('dev'), alarmEmails: ['oncall@example.com'] });
const cloudWatchStack = monitoringFor('Cw', loadEnvironment('dev', { metricStore: 'cloudwatch' }));
const prodStack = monitoringFor('Prod', loadEnvironment('prod'));
const serverlessStack = monitoringFor('Serverless', loadEnvironment('dev', { opensearchServerless: true }));
const dev = Template.fromStack(devStack);
const cloudWatch = Template.fromStack(cloudWatchStack);
const prod = Template.fromStack(prodStack);
const serverless = Template.fromStack(serverlessStack);

const alarms = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm'));
const alarmOn = (template: Template, metricName: string) => {
  const found = alarms(template).filter((alarm) => alarm.Properties.MetricName === metricName);
  assert.equal(found.length, 1, `one alarm on ${metricName}`);
  return found[0]!.Properties;
};

describe('MonitoringStack', () => {
  describe('ops topic', () => {
    it('is encrypted with the environment key and refuses publishers without TLS', () => {
      dev.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: key.keyArn });
      dev.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('subscribes the configured alarm emails, and nobody when there are none', () => {
      dev.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
      cloudWatch.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('alarms', () => {
    it('notify the ops topic when they fire and when they recover', () => {
      const topic = { Ref: onlyLogicalId(dev, 'AWS::SNS::Topic') };
      for (const alarm of alarms(dev)) {
        assert.deepEqual(alarm.Properties.AlarmActions, [topic], alarm.Properties.AlarmName);
        assert.deepEqual(alarm.Properties.OKActions, [topic], alarm.Properties.AlarmName);
      }
    });

    it('fire on any message in the dead-letter queues of the retry queue, of alerting and of notifications', () => {
      const visible = alarms(dev).filter(
        (alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
      );

      assert.deepEqual(
        visible
          .map((alarm) => alarm.Properties.Dimensions)
          .sort((a, b) => a[0].Value.localeCompare(b[0].Value)),
        [
          [{ Name: 'QueueName', Value: 'vigil-alerting-dlq' }],
          [{ Name: 'QueueName', Value: 'vigil-notifications-dlq' }],
          [{ Name: 'QueueName', Value: 'vigil-retry-dlq' }],
        ],
      );
      for (const { Properties: alarm } of visible) {
        assert.equal(alarm.Statistic, 'Maximum');
        assert.equal(alarm.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
        assert.equal(alarm.Threshold, 1);
      }
    });

    it('fire on any failed escalation, an execution of the escalation state machine that failed', () => {
      const alarm = alarmOn(dev, 'ExecutionsFailed');

      assert.equal(alarm.Namespace, 'AWS/States');
      assert.deepEqual(alarm.Dimensions, [
        { Name: 'StateMachineArn', Value: arn('states', 'stateMachine:vigil-escalation') },
      ]);
      assert.deepEqual([alarm.Statistic, alarm.Threshold], ['Sum', 1]);
    });

    it('fire when the retry queue has held a batch for 15 minutes', () => {
      const alarm = alarmOn(dev, 'ApproximateAgeOfOldestMessage');

      assert.deepEqual(alarm.Dimensions, [{ Name: 'QueueName', Value: 'vigil-retry' }]);
      assert.equal(alarm.Threshold, 15 * 60);
    });

    it('watch errors and throttles of every function, and the run time of every job', () => {
      const watched = alarms(dev)
        .filter((alarm) => alarm.Properties.Namespace === 'AWS/Lambda')
        .map((alarm) => `${alarm.Properties.Dimensions[0].Value} ${alarm.Properties.MetricName}`)
        .sort();

      assert.deepEqual(watched, [
        'vigil-Predictions Errors',
        'vigil-Predictions Throttles',
        'vigil-Replay Errors',
        'vigil-Replay Throttles',
        'vigil-RuleJob Duration',
      ]);
    });

    it('fire when a job run takes 80 % of its timeout, before runs time out', () => {
      const alarm = alarmOn(dev, 'Duration');

      assert.deepEqual(alarm.Dimensions, [{ Name: 'FunctionName', Value: 'vigil-RuleJob' }]);
      assert.equal(alarm.Statistic, 'Maximum');
      assert.equal(alarm.Threshold, 40_000, '80 % of 50 s, in milliseconds as Lambda reports Duration');
      assert.equal(alarm.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    });

    it('fire on API 5xx answers', () => {
      const alarm = alarmOn(dev, '5xx');

      assert.deepEqual(alarm.Dimensions, [{ Name: 'ApiId', Value: 'abc123defg' }]);
    });

    it('fire on records Timestream rejected, from the EMF metric in the environment namespace', () => {
      const alarm = alarmOn(dev, 'RejectedRecords');

      assert.equal(alarm.Namespace, 'Vigil/dev');
      assert.equal(alarm.Dimensions, undefined);
      assert.equal(
        alarms(cloudWatch).filter((candidate) => candidate.Properties.MetricName === 'RejectedRecords')
          .length,
        0,
        'no Timestream, no rejected-records alarm',
      );
    });
  });

  describe('event store alarms', () => {
    const domainAlarms = (template: Template) =>
      alarms(template).filter((alarm) => alarm.Properties.Namespace === 'AWS/ES');

    it('watch the domain by its name and account', () => {
      assert.ok(domainAlarms(dev).length > 0);
      for (const alarm of domainAlarms(dev)) {
        assert.deepEqual(
          alarm.Properties.Dimensions,
          [
            { Name: 'ClientId', Value: '123456789012' },
            { Name: 'DomainName', Value: 'vigil-dev' },
          ],
          alarm.Properties.MetricName,
        );
      }
    });

    it('fire at once on a red cluster, and on a yellow one after 5 minutes', () => {
      const red = alarmOn(dev, 'ClusterStatus.red');
      const yellow = alarmOn(dev, 'ClusterStatus.yellow');

      assert.deepEqual(
        [red.Statistic, red.Period, red.EvaluationPeriods, red.Threshold],
        ['Maximum', 60, 1, 1],
      );
      assert.deepEqual([yellow.Period, yellow.EvaluationPeriods, yellow.Threshold], [60, 5, 1]);
    });

    it('fire when the fullest data node has a quarter of its volume free or less', () => {
      // FreeStorageSpace is in MiB: a quarter of dev's 10 GiB and of prod's 100 GiB volumes.
      const devAlarm = alarmOn(dev, 'FreeStorageSpace');
      const prodAlarm = alarmOn(prod, 'FreeStorageSpace');

      assert.equal(devAlarm.Statistic, 'Minimum');
      assert.equal(devAlarm.ComparisonOperator, 'LessThanOrEqualToThreshold');
      assert.equal(devAlarm.Threshold, 2_560);
      assert.equal(prodAlarm.Threshold, 25_600);
    });

    it('fire on JVM memory pressure of 80 % sustained for 15 minutes', () => {
      const alarm = alarmOn(dev, 'JVMMemoryPressure');

      assert.deepEqual(
        [alarm.Statistic, alarm.Period, alarm.EvaluationPeriods, alarm.Threshold],
        ['Maximum', 300, 3, 80],
      );
    });

    it('fire on a failed automated snapshot and on blocked writes', () => {
      assert.equal(alarmOn(dev, 'AutomatedSnapshotFailure').Threshold, 1);
      assert.equal(alarmOn(dev, 'ClusterIndexWritesBlocked').Threshold, 1);
    });

    it('are not made for a Serverless collection, which has no cluster to watch', () => {
      assert.deepEqual(domainAlarms(serverless), []);
    });
  });

  it('draws the ingest dashboard under the environment name', () => {
    dev.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Vigil-dev-Ingest' });
  });
});
