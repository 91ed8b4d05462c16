import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import { createVigilStacks } from '../../../lib/stacks/vigil-stacks.js';
import { actionsOf, iamStatements, testApp } from '../support/cdk-app.js';

// One app holding every variant, checked by cdk-nag as `cdk synth` checks it, synthesized once. The CDK's
// own CloudFormation validation stays off here (CDK_VALIDATION=false, ~10 s); scripts/synth-check.sh runs it.
const app = testApp();
const variants = {
  dev: createVigilStacks(app, loadEnvironment('dev')),
  prod: createVigilStacks(app, loadEnvironment('prod')),
  cloudWatch: createVigilStacks(app, {
    ...loadEnvironment('dev', { metricStore: 'cloudwatch' }),
    name: 'cw',
  }),
  serverless: createVigilStacks(app, {
    ...loadEnvironment('dev', { opensearchServerless: true }),
    name: 'sl',
  }),
};
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

let synthesisError: unknown;
const assembly = (() => {
  try {
    return app.synth();
  } catch (error) {
    synthesisError = error;
    return undefined;
  }
})();
const templates = Object.values(variants).flatMap((stacks) =>
  assembly
    ? [stacks.storage, stacks.eventStore, stacks.ingest, stacks.monitoring].map((stack) =>
        Template.fromStack(stack),
      )
    : [],
);

/** Actions AWS offers no resource-level permissions for, each with the reason it needs "*". */
const STAR_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'timestream:DescribeEndpoints',
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  // The escalation state machine's role: log delivery to CloudWatch Logs and X-Ray, as the Step Functions
  // guide's logging and tracing policies give them.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Completing an escalation's wait: the task token names the task; the actions take no resource.
  'states:SendTaskSuccess',
]);

describe('the Vigil stacks', () => {
  it('synthesize clean under cdk-nag AwsSolutions', () => {
    assert.equal(synthesisError, undefined, String(synthesisError));
    const report = JSON.parse(readFileSync(join(assembly!.directory, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports.flatMap((plugin: { pluginName: string; violations: unknown[] }) =>
      plugin.violations.map((violation) => ({ plugin: plugin.pluginName, ...(violation as object) })),
    );

    assert.deepEqual(
      findings,
      [],
      'every finding, warnings included, is fixed or acknowledged with a reason',
    );
  });

  it('are checked by a cdk-nag pack that does flag a non-compliant resource', () => {
    // Control: proves the plugin runs in this set-up, so the clean result above means something.
    const controlApp = testApp();
    new Queue(new Stack(controlApp, 'Control'), 'Unencrypted', { enforceSSL: false });
    const pack = new AwsSolutionsChecks(controlApp);
    Validations.of(controlApp).addPlugins(pack);

    assert.throws(() => controlApp.synth(), /AwsSolutions-SQS4/);
  });

  it('grant no wildcard actions in any IAM policy', () => {
    const statements = iamStatements(...templates);
    assert.ok(statements.length > 0);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) {
        assert.ok(!action.includes('*'), `${statement.policy} allows ${action}`);
      }
    }
  });

  it('use "*" resources only for actions that have no resource-level permissions', () => {
    for (const statement of iamStatements(...templates).filter((candidate) => candidate.Resource === '*')) {
      for (const action of actionsOf(statement)) {
        assert.ok(STAR_RESOURCE_ACTIONS.has(action), `${statement.policy} allows ${action} on "*"`);
      }
    }
  });

  it("confine CloudWatch metric writes to the store's namespace", () => {
    const writes = iamStatements(...templates).filter((statement) =>
      actionsOf(statement).includes('cloudwatch:PutMetricData'),
    );

    assert.equal(
      writes.length,
      7,
      'predictions, labels, metrics, OTLP metrics, OTLP logs, native logs and replay, in the CloudWatch variant only',
    );
    for (const statement of writes) {
      assert.deepEqual(statement.Condition, { StringEquals: { 'cloudwatch:namespace': 'Vigil/cw/Metrics' } });
    }
  });

  it('let only the writers write to Timestream, and only the query, alerting and SLO functions select from it', () => {
    const policiesWith = (action: string) =>
      iamStatements(...templates)
        .filter((statement) => actionsOf(statement).includes(action))
        .map((statement) => statement.policy.replace(/RoleDefaultPolicy[0-9A-F]{8}$/, ''))
        .sort();

    // Three Timestream variants (dev, prod, serverless dev), each with the same writers and one reader.
    const timestreamVariants = (names: string[]) => names.flatMap((name) => [name, name, name]).sort();
    assert.deepEqual(
      policiesWith('timestream:WriteRecords'),
      timestreamVariants([
        'Logs',
        'Metrics',
        'OtlpLogs',
        'OtlpMetrics',
        'Predictions',
        'Replay',
        'SlosLabels',
      ]),
    );
    assert.deepEqual(
      policiesWith('timestream:Select'),
      timestreamVariants([
        'AlertingAckLink',
        'AlertingAlertmanager',
        'AlertingAlertsApi',
        'AlertingCloudWatchAlarms',
        'AlertingJobs',
        'AlertingScheduledJob',
        'AlertingSloJob',
        'Query',
        'SlosSloApi',
      ]),
    );
  });

  it('let only the event writers write to the event store, and only the search functions read it', () => {
    const domainPolicies = (action: string) =>
      [
        ...new Set(
          iamStatements(Template.fromStack(variants.dev.ingest))
            .filter((statement) => actionsOf(statement).includes(action))
            .map((statement) => statement.policy.replace(/RoleDefaultPolicy[0-9A-F]{8}$/, '')),
        ),
      ].sort();

    assert.deepEqual(domainPolicies('es:ESHttpPut'), [
      'Logs',
      'OtlpLogs',
      'OtlpTraces',
      'Predictions',
      'Replay',
    ]);
    assert.deepEqual(domainPolicies('es:ESHttpGet'), ['LogSearch', 'Trace']);
  });

  it('give every function that uses the event store its endpoint, and no other function', () => {
    const template = Template.fromStack(variants.dev.ingest);
    const withEndpoint = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => 'VIGIL_OPENSEARCH_ENDPOINT' in (fn.Properties.Environment?.Variables ?? {}))
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort();

    assert.deepEqual(withEndpoint, [
      'LogSearch',
      'Logs',
      'OtlpLogs',
      'OtlpTraces',
      'Predictions',
      'Replay',
      'Trace',
    ]);
  });

  it('are named and ordered per environment', () => {
    assert.deepEqual(
      Object.values(variants.prod).map((stack) => stack.stackName),
      ['Vigil-prod-Storage', 'Vigil-prod-EventStore', 'Vigil-prod-Ingest', 'Vigil-prod-Monitoring'],
    );
    assert.ok(variants.prod.ingest.dependencies.includes(variants.prod.storage));
    assert.ok(variants.prod.eventStore.dependencies.includes(variants.prod.storage));
    assert.ok(variants.prod.ingest.dependencies.includes(variants.prod.eventStore));
  });
});
