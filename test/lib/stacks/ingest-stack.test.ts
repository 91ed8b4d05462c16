import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { ALERTS_API_ROUTES } from '../../../lambdas/alerts/alert-routes.js';
import { SEVERITY_TOPICS_ENV } from '../../../lambdas/escalation/escalation-names.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import type { EnvironmentConfig } from '../../../lib/config/schema.js';
import { EventStoreStack } from '../../../lib/stacks/event-store-stack.js';
import { IngestStack } from '../../../lib/stacks/ingest-stack.js';
import { StorageStack } from '../../../lib/stacks/storage-stack.js';
import { actionsOf, onlyLogicalId, type PolicyStatementJson, testApp } from '../support/cdk-app.js';

// One app, one synth: dev on Timestream and a CloudWatch-store variant of it under another name.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
function ingestFor(id: string, environment: EnvironmentConfig): IngestStack {
  const storage = new StorageStack(app, `${id}Storage`, { env, environment });
  const events = new EventStoreStack(app, `${id}EventStore`, { env, environment, key: storage.key });
  return new IngestStack(app, `${id}Ingest`, {
    env,
    environment,
    key: storage.key,
    stateTable: storage.stateTable,
    metricStore: storage.metricStore,
    retryQueue: storage.retryQueue,
    eventStore: events.eventStore,
  });
}
const devEnvironment = loadEnvironment('dev');
const devStack = ingestFor('Dev', devEnvironment);
const cloudWatchStack = ingestFor('Cw', {
  ...loadEnvironment('dev', { metricStore: 'cloudwatch' }),
  name: 'cw',
});
const dev = Template.fromStack(devStack);
const cloudWatch = Template.fromStack(cloudWatchStack);

const functions = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'));
const functionNamed = (template: Template, id: string) => {
  const found = functions(template).filter(([logicalId]) => logicalId.startsWith(id));
  assert.equal(found.length, 1, `one function ${id}`);
  return found[0]![1].Properties;
};

describe('IngestStack', () => {
  describe('functions', () => {
    it('builds the twenty-three functions of the table', () => {
      const ids = functions(dev).map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));

      assert.deepEqual(ids.sort(), [
        'AlertingAckLink',
        'AlertingAlertmanager',
        'AlertingAlertsApi',
        'AlertingCloudWatchAlarms',
        'AlertingJobs',
        'AlertingScheduledJob',
        'AlertingSloJob',
        'Authorizer',
        'EscalationStep',
        'Health',
        'LogSearch',
        'Logs',
        'Metrics',
        'NotificationsFormatter',
        'OtlpLogs',
        'OtlpMetrics',
        'OtlpTraces',
        'Predictions',
        'Query',
        'Replay',
        'SlosLabels',
        'SlosSloApi',
        'Trace',
      ]);
    });

    it('hands every function to the alarms, the alerting ones included', () => {
      const handedOut = Object.values(devStack.functions).map((fn) =>
        devStack.resolve((fn.node.defaultChild as CfnFunction).logicalId),
      );

      assert.deepEqual(
        handedOut.sort(),
        functions(dev)
          .map(([logicalId]) => logicalId)
          .sort(),
      );
    });

    it('runs every function on Node.js 22 or newer, on ARM64, with active tracing', () => {
      for (const [id, fn] of functions(dev)) {
        const major = Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1]);
        assert.ok(major >= 22, `${id} runs ${fn.Properties.Runtime}`);
        assert.deepEqual(fn.Properties.Architectures, ['arm64'], id);
        assert.deepEqual(fn.Properties.TracingConfig, { Mode: 'Active' }, id);
      }
    });

    it("sizes every function from the environment's config and runs the bundled handler", () => {
      dev.allResourcesProperties('AWS::Lambda::Function', {
        MemorySize: devEnvironment.lambda.memorySizeMb,
        Handler: 'index.handler',
      });
    });

    it('logs every function to its own log group in the stack', () => {
      const logGroups = Object.keys(dev.findResources('AWS::Logs::LogGroup'));
      for (const [id, fn] of functions(dev)) {
        const logGroup = fn.Properties.LoggingConfig?.LogGroup?.Ref;
        assert.ok(logGroups.includes(logGroup), `${id} logs to ${JSON.stringify(logGroup)}`);
      }
    });

    it('encrypts every log group with the environment key and keeps logs for the configured days', () => {
      dev.allResourcesProperties('AWS::Logs::LogGroup', {
        KmsKeyId: Match.anyValue(),
        RetentionInDays: devEnvironment.retention.logRetentionDays,
      });
    });

    it('gives no function an AWS managed policy', () => {
      for (const [id, role] of Object.entries(dev.findResources('AWS::IAM::Role'))) {
        assert.equal(role.Properties.ManagedPolicyArns, undefined, id);
      }
    });

    it('names the stores an ingest function needs in its environment, and the metric namespace', () => {
      const variables = functionNamed(dev, 'Predictions').Environment.Variables;

      assert.deepEqual(Object.keys(variables).sort(), [
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'VIGIL_OPENSEARCH_ENDPOINT',
        'VIGIL_RETRY_QUEUE_URL',
        'VIGIL_STATE_TABLE',
        'VIGIL_TIMESTREAM_DATABASE',
        'VIGIL_TIMESTREAM_TABLE',
      ]);
      assert.equal(variables.POWERTOOLS_METRICS_NAMESPACE, 'Vigil/dev');
    });

    it('gives the trace ingest function the event store and retry queue, and no metric store writes', () => {
      const names = Object.keys(functionNamed(dev, 'OtlpTraces').Environment.Variables);
      const tracesPolicy = Object.entries(dev.findResources('AWS::IAM::Policy')).find(([id]) =>
        id.startsWith('OtlpTracesRoleDefaultPolicy'),
      )![1];

      assert.ok(names.includes('VIGIL_OPENSEARCH_ENDPOINT'));
      assert.ok(names.includes('VIGIL_RETRY_QUEUE_URL'));
      assert.ok(!JSON.stringify(tracesPolicy).includes('timestream:WriteRecords'));
    });

    it('gives the search functions the event store endpoint and nothing to write to', () => {
      for (const id of ['LogSearch', 'Trace']) {
        const names = Object.keys(functionNamed(dev, id).Environment.Variables).filter((name) =>
          name.startsWith('VIGIL_'),
        );
        assert.deepEqual(names, ['VIGIL_OPENSEARCH_ENDPOINT'], id);
      }
    });

    it('starts the event store functions only after the bootstrap has put templates and role mappings', () => {
      const [bootstrapId] = Object.keys(dev.findResources('Custom::VigilEventStoreBootstrap'));
      for (const id of ['Predictions', 'OtlpLogs', 'OtlpTraces', 'Logs', 'LogSearch', 'Trace', 'Replay']) {
        const [, fn] = functions(dev).find(([logicalId]) => logicalId.startsWith(id))!;
        assert.ok((fn.DependsOn as string[]).includes(bootstrapId!), id);
      }
    });

    it('names no Timestream resources when metrics go to CloudWatch', () => {
      for (const [id, fn] of functions(cloudWatch)) {
        const names = Object.keys(fn.Properties.Environment.Variables);
        assert.ok(!names.some((name) => name.startsWith('VIGIL_TIMESTREAM')), `${id}: ${names.join(', ')}`);
      }
    });

    it('replays the retry queue in batches, reporting the messages that failed', () => {
      dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functions(dev).find(([id]) => id.startsWith('Replay'))![0] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });
  });

  describe('HTTP API', () => {
    const routes = Object.values(dev.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties,
    );
    const authorizerId = onlyLogicalId(dev, 'AWS::ApiGatewayV2::Authorizer');

    it('serves exactly the routes of the design so far', () => {
      assert.deepEqual(routes.map((route) => route.RouteKey).sort(), [
        'DELETE /api/v1/silences/{id}',
        'GET /ack/{id}',
        'GET /api/v1/alerts',
        'GET /api/v1/incidents',
        'GET /api/v1/incidents/stats',
        'GET /api/v1/incidents/{id}',
        'GET /api/v1/logs/patterns',
        'GET /api/v1/logs/search',
        'GET /api/v1/query',
        'GET /api/v1/silences',
        'GET /api/v1/silences/{id}',
        'GET /api/v1/slos',
        'GET /api/v1/slos/report',
        'GET /api/v1/traces/{traceId}',
        'GET /healthz',
        'GET /readyz',
        'POST /ack/{id}',
        'POST /api/v1/alerts/alertmanager',
        'POST /api/v1/incidents/{id}/ack',
        'POST /api/v1/incidents/{id}/resolve',
        'POST /api/v1/jobs/{job}/run',
        'POST /api/v1/labels',
        'POST /api/v1/logs',
        'POST /api/v1/metrics',
        'POST /api/v1/predictions',
        'POST /api/v1/silences',
        'POST /v1/logs',
        'POST /v1/metrics',
        'POST /v1/traces',
      ]);
    });

    const integrations = dev.findResources('AWS::ApiGatewayV2::Integration');
    const integrationBehind = (routeKey: string) => {
      const route = routes.find((candidate) => candidate.RouteKey === routeKey);
      assert.ok(route, `a route ${routeKey}`);
      return ((route.Target['Fn::Join'] as [string, unknown[]])[1][1] as { Ref: string }).Ref;
    };
    const functionBehind = (routeKey: string) => {
      const uri = integrations[integrationBehind(routeKey)]!.Properties.IntegrationUri as {
        'Fn::GetAtt': [string, string];
      };
      return uri['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
    };

    it('sends the acknowledge links to their own function', () => {
      assert.equal(functionBehind('GET /ack/{id}'), 'AlertingAckLink');
      assert.equal(functionBehind('POST /ack/{id}'), 'AlertingAckLink');
    });

    it('sends each log and trace route to its function', () => {
      assert.deepEqual(
        Object.fromEntries(
          [
            'POST /v1/logs',
            'POST /v1/traces',
            'POST /api/v1/logs',
            'GET /api/v1/logs/search',
            'GET /api/v1/logs/patterns',
            'GET /api/v1/traces/{traceId}',
          ].map((routeKey) => [routeKey, functionBehind(routeKey)]),
        ),
        {
          'POST /v1/logs': 'OtlpLogs',
          'POST /v1/traces': 'OtlpTraces',
          'POST /api/v1/logs': 'Logs',
          'GET /api/v1/logs/search': 'LogSearch',
          'GET /api/v1/logs/patterns': 'LogSearch',
          'GET /api/v1/traces/{traceId}': 'Trace',
        },
      );
    });

    it('sends the alert, incident and silence routes to one integration of the alerts API function', () => {
      const apiRouteKeys = ALERTS_API_ROUTES.map(([method, path]) => `${method} ${path}`);

      assert.deepEqual(
        [...new Set(apiRouteKeys.map(functionBehind))],
        ['AlertingAlertsApi'],
        'every route of the alerts API',
      );
      assert.equal(new Set(apiRouteKeys.map(integrationBehind)).size, 1, 'one shared integration');
      assert.equal(functionBehind('POST /api/v1/alerts/alertmanager'), 'AlertingAlertmanager');
      assert.equal(functionBehind('POST /api/v1/jobs/{job}/run'), 'AlertingJobs');
    });

    it('sends the SLO routes to one integration of the SLO API function, and labels to its own', () => {
      assert.equal(functionBehind('GET /api/v1/slos'), 'SlosSloApi');
      assert.equal(functionBehind('GET /api/v1/slos/report'), 'SlosSloApi');
      assert.equal(integrationBehind('GET /api/v1/slos'), integrationBehind('GET /api/v1/slos/report'));
      assert.equal(functionBehind('POST /api/v1/labels'), 'SlosLabels');
    });

    it('puts the bearer-token authorizer in front of every route except the health probes and acknowledge links', () => {
      const open = ['GET /healthz', 'GET /readyz', 'GET /ack/{id}', 'POST /ack/{id}'];
      for (const route of routes) {
        if (open.includes(route.RouteKey)) {
          assert.equal(route.AuthorizationType, 'NONE', route.RouteKey);
          assert.equal(route.AuthorizerId, undefined, route.RouteKey);
        } else {
          assert.equal(route.AuthorizationType, 'CUSTOM', route.RouteKey);
          assert.deepEqual(route.AuthorizerId, { Ref: authorizerId }, route.RouteKey);
        }
      }
    });

    it('checks the Authorization header with simple responses and caches the verdict for a minute', () => {
      dev.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 60,
      });
    });

    it("throttles the stage at the environment's rates", () => {
      dev.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: devEnvironment.apiThrottling.rateLimit,
          ThrottlingBurstLimit: devEnvironment.apiThrottling.burstLimit,
        },
      });
    });

    it('writes JSON access logs, with the request id, to an encrypted log group', () => {
      const stage = Object.values(dev.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties;
      const destination = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];

      assert.equal(JSON.parse(stage.AccessLogSettings.Format).requestId, '$context.requestId');
      dev.hasResource('AWS::Logs::LogGroup', {
        Properties: Match.objectLike({ KmsKeyId: Match.anyValue() }),
      });
      assert.ok(dev.findResources('AWS::Logs::LogGroup')[destination]?.Properties.KmsKeyId);
    });
  });

  describe('SLOs', () => {
    /** Every statement of every policy attached to the role of the function with this logical id prefix. */
    const statementsOf = (template: Template, functionId: string): PolicyStatementJson[] => {
      const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
        id.startsWith(`${functionId}Role`),
      );
      assert.ok(roleId, `a role of ${functionId}`);
      return Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, policy]) =>
          (policy.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId),
        )
        .flatMap(([policy, resource]) =>
          (resource.Properties.PolicyDocument.Statement as Omit<PolicyStatementJson, 'policy'>[]).map(
            (statement) => ({ policy, ...statement }),
          ),
        );
    };
    const actionsOfFunction = (template: Template, functionId: string) =>
      new Set(statementsOf(template, functionId).flatMap(actionsOf));
    const ITEM_WRITES = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];

    it('lets the SLO API read the state table and the metric store, and write and publish nothing', () => {
      for (const template of [dev, cloudWatch]) {
        const actions = actionsOfFunction(template, 'SlosSloApi');

        for (const action of ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']) {
          assert.ok(actions.has(action), `the SLO API may ${action}`);
        }
        assert.ok(
          actions.has(template === dev ? 'timestream:Select' : 'cloudwatch:GetMetricData'),
          'the SLO API reads the metric store',
        );
        for (const action of [
          ...ITEM_WRITES,
          'timestream:WriteRecords',
          'cloudwatch:PutMetricData',
          'sns:Publish',
          'sqs:SendMessage',
        ]) {
          assert.ok(!actions.has(action), `the SLO API may not ${action}`);
        }
      }
    });

    it('gives labels exactly the grants and settings of predictions ingest, minus the event store', () => {
      for (const template of [dev, cloudWatch]) {
        const predictions = [...actionsOfFunction(template, 'Predictions')].filter(
          (action) => !action.startsWith('es:'),
        );
        const labels = [...actionsOfFunction(template, 'SlosLabels')];
        const variables = (id: string) =>
          Object.keys(functionNamed(template, id).Environment.Variables).sort();

        assert.deepEqual(labels.sort(), predictions.sort());
        assert.deepEqual(
          variables('SlosLabels'),
          variables('Predictions').filter((name) => name !== 'VIGIL_OPENSEARCH_ENDPOINT'),
        );
        assert.equal(
          functionNamed(template, 'SlosLabels').Timeout,
          functionNamed(template, 'Predictions').Timeout,
        );
      }
    });

    it('lets labels claim predictions, write accuracy and spill to the retry queue, but not publish', () => {
      const statements = statementsOf(dev, 'SlosLabels');
      const actions = new Set(statements.flatMap(actionsOf));
      const queueSends = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));

      for (const action of ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'timestream:WriteRecords']) {
        assert.ok(actions.has(action), `labels may ${action}`);
      }
      assert.ok(!actions.has('sns:Publish'), 'labels publish nothing');
      assert.ok(!actions.has('timestream:Select'), 'labels read no metrics');
      assert.equal(queueSends.length, 1);
      assert.deepEqual(
        queueSends[0]!.Resource,
        statementsOf(dev, 'Predictions').find((statement) =>
          actionsOf(statement).includes('sqs:SendMessage'),
        )!.Resource,
        'the retry queue predictions spill to',
      );
    });

    it('lets predictions ingest record SLO counts and remember predictions for their labels', () => {
      const actions = actionsOfFunction(dev, 'Predictions');

      // slo_good and slo_total are rollups; remembered predictions are batch-written items of the state table.
      assert.ok(actions.has('timestream:WriteRecords'));
      for (const action of ['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem']) {
        assert.ok(actions.has(action), `predictions may ${action}`);
      }
    });

    it('tells the SLO job the info topic and lets it publish there, where the weekly report goes', () => {
      const infoTopicId = Object.keys(dev.findResources('AWS::SNS::Topic')).find((id) =>
        id.startsWith('SeverityTopicsInfo'),
      );
      assert.ok(infoTopicId, 'an info topic');
      const topicArns = functionNamed(dev, 'AlertingSloJob').Environment.Variables[SEVERITY_TOPICS_ENV];
      const [, parts] = topicArns['Fn::Join'] as [string, unknown[]];
      const infoAt = parts.findIndex((part) => typeof part === 'string' && part.endsWith('"info":"'));

      assert.deepEqual(parts[infoAt + 1], { Ref: infoTopicId });
      assert.ok(
        statementsOf(dev, 'AlertingSloJob').some(
          (statement) =>
            actionsOf(statement).includes('sns:Publish') &&
            [statement.Resource].flat().some((resource) => isDeepStrictEqual(resource, { Ref: infoTopicId })),
        ),
        'the SLO job may publish to the info topic',
      );
    });
  });
});
