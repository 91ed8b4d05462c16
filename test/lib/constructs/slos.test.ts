import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { STATE_TABLE_ENV } from '../../../lambdas/shared/state-table.js';
import { LABELS_ROUTE, SLOS_API_ROUTES } from '../../../lambdas/slos/slo-routes.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import { toRuntimeConfig } from '../../../lib/config/runtime-config.js';
import { IngestFunction } from '../../../lib/constructs/ingest-function.js';
import type { MetricStoreRef } from '../../../lib/constructs/metric-store-access.js';
import { Slos } from '../../../lib/constructs/slos.js';
import { actionsOf, iamStatements, testApp } from '../support/cdk-app.js';

// The stores are imported by ARN: what is under test is what the SLO functions are told and may do.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/vigil-state';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:vigil-retry';
const ROLLUPS_ARN = 'arn:aws:timestream:us-east-1:123456789012:database/vigil/table/rollups';
function slosFor(id: string, metricStore: MetricStoreRef) {
  const stack = new Stack(app, id, { env });
  const key = Key.fromKeyArn(stack, 'Key', KEY_ARN);
  const slos = new Slos(stack, 'Slos', {
    functionDefaults: {
      runtimeConfig: toRuntimeConfig(loadEnvironment('dev')),
      memorySizeMb: 512,
      logRetention: RetentionDays.ONE_WEEK,
      logEncryptionKey: key,
    },
    stateTable: Table.fromTableAttributes(stack, 'State', { tableArn: TABLE_ARN, encryptionKey: key }),
    metricStore,
    retryQueue: Queue.fromQueueAttributes(stack, 'Retry', { queueArn: QUEUE_ARN, keyArn: KEY_ARN }),
  });
  return { slos, stack };
}
// Both are built before either is synthesized: one app synthesizes once.
const timestream = slosFor('Timestream', {
  kind: 'timestream',
  table: { tableArn: ROLLUPS_ARN, tableName: 'rollups', databaseName: 'vigil' },
});
const cloudWatchVariant = slosFor('CloudWatch', { kind: 'cloudwatch', namespace: 'Vigil/dev/Metrics' });
const { slos } = timestream;
const template = Template.fromStack(timestream.stack);
const cloudWatch = Template.fromStack(cloudWatchVariant.stack);

const functionOf = (source: Template, name: string) => {
  const found = Object.entries(source.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith(`Slos${name}`),
  );
  assert.equal(found.length, 1, `one function ${name}`);
  return found[0]![1].Properties;
};
const statementsOf = (source: Template, name: string) =>
  iamStatements(source).filter((statement) => statement.policy.startsWith(`Slos${name}`));
const actionsOfFunction = (source: Template, name: string) =>
  new Set(statementsOf(source, name).flatMap(actionsOf));
const ITEM_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

describe('Slos', () => {
  describe('routes', () => {
    it('sends the SLO and report routes to the SLO API function, and labels to the labels function', () => {
      const routes = slos.routes.map((route) => [`${route.method} ${route.path}`, route.handler]);

      assert.deepEqual(routes, [
        ['GET /api/v1/slos', slos.functions.SloApi],
        ['GET /api/v1/slos/report', slos.functions.SloApi],
        ['POST /api/v1/labels', slos.functions.Labels],
      ]);
      assert.deepEqual(
        [...SLOS_API_ROUTES.map((route) => route.join(' ')), LABELS_ROUTE.join(' ')],
        routes.map(([key]) => key),
      );
    });
  });

  describe('SLO API function', () => {
    it('is told where the state table and the rollups are, and nothing else', () => {
      const variables = Object.keys(functionOf(template, 'SloApi').Environment.Variables).filter((name) =>
        name.startsWith('VIGIL_'),
      );

      assert.deepEqual(variables.sort(), [
        STATE_TABLE_ENV,
        'VIGIL_TIMESTREAM_DATABASE',
        'VIGIL_TIMESTREAM_TABLE',
      ]);
    });

    it('answers before API Gateway gives up at 30 s', () => {
      assert.ok(functionOf(template, 'SloApi').Timeout < 30);
    });

    it('reads the state table and the rollups, and writes nothing anywhere', () => {
      const statements = statementsOf(template, 'SloApi');
      const actions = new Set(statements.flatMap(actionsOf));
      const reads = statements.filter((statement) => actionsOf(statement).includes('dynamodb:Query'));

      assert.ok(actions.has('dynamodb:BatchGetItem'));
      assert.deepEqual(
        reads.map((statement) => statement.Resource),
        [TABLE_ARN],
      );
      assert.ok(actions.has('timestream:Select'));
      for (const action of [...ITEM_WRITES, 'timestream:WriteRecords', 'sns:Publish', 'sqs:SendMessage']) {
        assert.ok(!actions.has(action), `the SLO API may not ${action}`);
      }
    });

    it('reads CloudWatch metrics, and writes none, when the store is CloudWatch', () => {
      const actions = actionsOfFunction(cloudWatch, 'SloApi');

      assert.ok(actions.has('cloudwatch:GetMetricData'));
      assert.ok(!actions.has('cloudwatch:PutMetricData'));
    });
  });

  describe('labels function', () => {
    it('is an ingest function: the state table, the rollups and the retry queue, with the ingest timeout', () => {
      const fn = functionOf(template, 'Labels');
      const variables = Object.keys(fn.Environment.Variables).filter((name) => name.startsWith('VIGIL_'));

      assert.deepEqual(variables.sort(), [
        'VIGIL_RETRY_QUEUE_URL',
        STATE_TABLE_ENV,
        'VIGIL_TIMESTREAM_DATABASE',
        'VIGIL_TIMESTREAM_TABLE',
      ]);
      assert.equal(fn.Timeout, IngestFunction.TIMEOUT.toSeconds());
    });

    it('claims predictions in the state table, writes rollups and spills to the retry queue, and only that', () => {
      const statements = statementsOf(template, 'Labels');
      const actions = new Set(statements.flatMap(actionsOf));
      const resourcesOf = (action: string) =>
        statements
          .filter((statement) => actionsOf(statement).includes(action))
          .map((statement) => statement.Resource);

      for (const action of ITEM_WRITES) assert.ok(actions.has(action), `labels may ${action}`);
      assert.deepEqual(resourcesOf('dynamodb:UpdateItem'), [TABLE_ARN]);
      assert.deepEqual(resourcesOf('timestream:WriteRecords'), [ROLLUPS_ARN]);
      assert.deepEqual(resourcesOf('sqs:SendMessage'), [QUEUE_ARN]);
      for (const action of ['sns:Publish', 'timestream:Select']) {
        assert.ok(!actions.has(action), `labels may not ${action}`);
      }
      const keyActions = statements.filter((statement) => statement.Resource === KEY_ARN).flatMap(actionsOf);
      assert.ok(!keyActions.some((action) => action.includes('*')), keyActions.join(', '));
    });

    it("writes CloudWatch metrics only to the store's namespace when the store is CloudWatch", () => {
      const writes = statementsOf(cloudWatch, 'Labels').filter((statement) =>
        actionsOf(statement).includes('cloudwatch:PutMetricData'),
      );

      assert.equal(writes.length, 1);
      assert.deepEqual(writes[0]!.Condition, {
        StringEquals: { 'cloudwatch:namespace': 'Vigil/dev/Metrics' },
      });
    });
  });
});
