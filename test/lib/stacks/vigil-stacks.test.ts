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
    ? [stacks.storage, stacks.ingest, stacks.monitoring].map((stack) => Template.fromStack(stack))
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

    assert.equal(writes.length, 4, 'the three ingest functions and replay, in the CloudWatch variant only');
    for (const statement of writes) {
      assert.deepEqual(statement.Condition, { StringEquals: { 'cloudwatch:namespace': 'Vigil/cw/Metrics' } });
    }
  });

  it('let only the writers write to Timestream, and only the query function select from it', () => {
    const policiesWith = (action: string) =>
      iamStatements(...templates)
        .filter((statement) => actionsOf(statement).includes(action))
        .map((statement) => statement.policy.replace(/RoleDefaultPolicy[0-9A-F]{8}$/, ''))
        .sort();

    assert.deepEqual(policiesWith('timestream:WriteRecords'), [
      'Metrics',
      'Metrics',
      'OtlpMetrics',
      'OtlpMetrics',
      'Predictions',
      'Predictions',
      'Replay',
      'Replay',
    ]);
    assert.deepEqual(policiesWith('timestream:Select'), ['Query', 'Query']);
  });

  it('are named and ordered per environment', () => {
    assert.deepEqual(
      Object.values(variants.prod).map((stack) => stack.stackName),
      ['Vigil-prod-Storage', 'Vigil-prod-Ingest', 'Vigil-prod-Monitoring'],
    );
    assert.ok(variants.prod.ingest.dependencies.includes(variants.prod.storage));
  });
});
