import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { ALERTS_API_ROUTES } from '../../../lambdas/alerts/alert-routes.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import type { EnvironmentConfig } from '../../../lib/config/schema.js';
import { EventStoreStack } from '../../../lib/stacks/event-store-stack.js';
import { IngestStack } from '../../../lib/stacks/ingest-stack.js';
import { StorageStack } from '../../../lib/stacks/storage-stack.js';
import { onlyLogicalId, testApp } from '../support/cdk-app.js';

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
    it('builds the nineteen functions of the table', () => {
      const ids = functions(dev).map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));

      assert.deepEqual(ids.sort(), [
        'AlertingAlertmanager',
        'AlertingAlertsApi',
        'AlertingCloudWatchAlarms',
        'AlertingJobs',
        'AlertingScheduledJob',
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
        'GET /api/v1/alerts',
        'GET /api/v1/incidents',
        'GET /api/v1/incidents/stats',
        'GET /api/v1/incidents/{id}',
        'GET /api/v1/logs/patterns',
        'GET /api/v1/logs/search',
        'GET /api/v1/query',
        'GET /api/v1/silences',
        'GET /api/v1/silences/{id}',
        'GET /api/v1/traces/{traceId}',
        'GET /healthz',
        'GET /readyz',
        'POST /api/v1/alerts/alertmanager',
        'POST /api/v1/incidents/{id}/ack',
        'POST /api/v1/incidents/{id}/resolve',
        'POST /api/v1/jobs/{job}/run',
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

    it('puts the bearer-token authorizer in front of every route except the health probes', () => {
      for (const route of routes) {
        if (route.RouteKey === 'GET /healthz' || route.RouteKey === 'GET /readyz') {
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
});
