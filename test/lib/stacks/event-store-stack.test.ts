import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import type { EnvironmentConfig } from '../../../lib/config/schema.js';
import { EventStoreStack } from '../../../lib/stacks/event-store-stack.js';
import { actionsOf, iamStatements, onlyLogicalId, testApp } from '../support/cdk-app.js';

// One app, one synth: dev, prod and the Serverless variant of dev, all encrypting with an imported key.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const KEY_ID = '00000000-0000-0000-0000-000000000000';
const KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;
const key = Key.fromKeyArn(new Stack(app, 'Refs', { env }), 'Key', KEY_ARN);
const eventStoreFor = (id: string, environment: EnvironmentConfig) =>
  new EventStoreStack(app, id, { env, environment, key });
const devStack = eventStoreFor('Dev', loadEnvironment('dev'));
const prodStack = eventStoreFor('Prod', loadEnvironment('prod'));
const serverlessStack = eventStoreFor('Serverless', loadEnvironment('dev', { opensearchServerless: true }));
const prodServerlessStack = eventStoreFor(
  'ProdServerless',
  loadEnvironment('prod', { opensearchServerless: true }),
);
const dev = Template.fromStack(devStack);
const prod = Template.fromStack(prodStack);
const serverless = Template.fromStack(serverlessStack);

const domainOf = (template: Template) =>
  template.findResources('AWS::OpenSearchService::Domain')[
    onlyLogicalId(template, 'AWS::OpenSearchService::Domain')
  ]!;
const bootstrapFunctionOf = (template: Template) => {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
    String(fn.Properties.Description).startsWith('Puts the event store index templates'),
  );
  assert.equal(found.length, 1, 'one bootstrap function');
  return found[0]![1].Properties;
};

describe('EventStoreStack', () => {
  describe('domain security', () => {
    it("encrypts data at rest with the environment's key, and traffic between nodes", () => {
      dev.hasResourceProperties('AWS::OpenSearchService::Domain', {
        EncryptionAtRestOptions: { Enabled: true, KmsKeyId: KEY_ID },
        NodeToNodeEncryptionOptions: { Enabled: true },
      });
    });

    it('answers HTTPS only, with TLS 1.2 or newer', () => {
      const options = domainOf(dev).Properties.DomainEndpointOptions;

      assert.equal(options.EnforceHTTPS, true);
      // The policies OpenSearch Service offers that refuse TLS 1.0 and 1.1.
      assert.ok(
        ['Policy-Min-TLS-1-2-2019-07', 'Policy-Min-TLS-1-2-PFS-2023-10'].includes(options.TLSSecurityPolicy),
        options.TLSSecurityPolicy,
      );
    });

    it("turns on fine-grained access control with the bootstrap function's role as master user, and no passwords", () => {
      const security = domainOf(dev).Properties.AdvancedSecurityOptions;

      assert.equal(security.Enabled, true);
      assert.equal(security.InternalUserDatabaseEnabled, false);
      assert.deepEqual(security.MasterUserOptions, { MasterUserARN: bootstrapFunctionOf(dev).Role });
    });

    it("trusts only this account's signed requests in its access policy: no anonymous or outside principal", () => {
      const statements = domainOf(dev).Properties.AccessPolicies.Statement as Array<Record<string, unknown>>;

      assert.ok(statements.length > 0);
      for (const statement of statements) {
        assert.equal(statement.Effect, 'Allow');
        assert.deepEqual(statement.Principal, { AWS: 'arn:aws:iam::123456789012:root' });
        assert.ok(!JSON.stringify(statement.Principal).includes('*'));
        for (const action of [statement.Action].flat() as string[]) {
          assert.match(action, /^es:ESHttp[A-Z][a-z]+$/, 'HTTP actions only, never es:*');
        }
        assert.equal(statement.Resource, 'arn:aws:es:us-east-1:123456789012:domain/vigil-dev/*');
      }
    });

    it('sets its access policy on the domain itself, with no custom resource Lambda to apply it', () => {
      dev.resourceCountIs('Custom::OpenSearchAccessPolicy', 0);
      assert.equal(
        Object.keys(dev.findResources('AWS::Lambda::Function')).length,
        2,
        'the bootstrap and its provider',
      );
    });

    it('publishes slow and error logs to encrypted log groups that only this domain may write to', () => {
      const logs = domainOf(dev).Properties.LogPublishingOptions;
      assert.deepEqual(Object.keys(logs).sort(), [
        'ES_APPLICATION_LOGS',
        'INDEX_SLOW_LOGS',
        'SEARCH_SLOW_LOGS',
      ]);
      for (const [type, target] of Object.entries(logs) as Array<
        [string, { Enabled: boolean; CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [string, string] } }]
      >) {
        assert.equal(target.Enabled, true, type);
        const group =
          dev.findResources('AWS::Logs::LogGroup')[target.CloudWatchLogsLogGroupArn['Fn::GetAtt'][0]];
        assert.equal(group?.Properties.KmsKeyId, KEY_ARN, type);
      }
      const policy = JSON.stringify(
        Object.values(dev.findResources('AWS::Logs::ResourcePolicy'))[0]!.Properties,
      );
      assert.match(policy, /es\.amazonaws\.com/);
      assert.match(policy, /aws:SourceArn/);
      assert.match(policy, /domain\/vigil-dev/);
    });

    it('runs a current OpenSearch engine', () => {
      assert.match(domainOf(dev).Properties.EngineVersion, /^OpenSearch_(2\.(1[5-9]|[2-9]\d)|[3-9]\.\d+)$/);
    });
  });

  describe('domain sizing', () => {
    it('runs dev on one small data node in one zone, without dedicated masters', () => {
      const cluster = domainOf(dev).Properties.ClusterConfig;

      assert.equal(cluster.InstanceCount, 1);
      assert.equal(cluster.InstanceType, 't3.small.search');
      assert.equal(cluster.ZoneAwarenessEnabled, false);
      assert.equal(cluster.DedicatedMasterEnabled, false);
      assert.equal(cluster.MultiAZWithStandbyEnabled, false);
    });

    it('spreads prod over three zones with three dedicated masters', () => {
      const cluster = domainOf(prod).Properties.ClusterConfig;

      assert.equal(cluster.InstanceCount, 3);
      assert.equal(cluster.ZoneAwarenessEnabled, true);
      assert.deepEqual(cluster.ZoneAwarenessConfig, { AvailabilityZoneCount: 3 });
      assert.equal(cluster.DedicatedMasterEnabled, true);
      assert.equal(cluster.DedicatedMasterCount, 3);
      assert.equal(cluster.DedicatedMasterType, 'm6g.large.search');
    });

    it("gives each data node a gp3 volume of the environment's size", () => {
      assert.deepEqual(domainOf(dev).Properties.EBSOptions, {
        EBSEnabled: true,
        VolumeSize: 10,
        VolumeType: 'gp3',
      });
      assert.deepEqual(domainOf(prod).Properties.EBSOptions, {
        EBSEnabled: true,
        VolumeSize: 100,
        VolumeType: 'gp3',
      });
    });

    it('keeps the prod domain and its logs when the stack goes, and lets dev go', () => {
      prod.hasResource('AWS::OpenSearchService::Domain', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      dev.hasResource('AWS::OpenSearchService::Domain', { DeletionPolicy: 'Delete' });
      assert.equal(prodStack.terminationProtection, true);
      assert.equal(devStack.terminationProtection, false);
    });
  });

  describe('bootstrap function', () => {
    it('may call only the template, ISM and security APIs of its domain', () => {
      const statements = iamStatements(dev).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('es:')),
      );
      const resources = JSON.stringify(statements.map((statement) => statement.Resource));

      assert.equal(statements.length, 1);
      assert.deepEqual(actionsOf(statements[0]!).sort(), ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut']);
      for (const api of [
        '/_index_template/*',
        '/_plugins/_ism/policies/*',
        '/_plugins/_ism/change_policy/*',
        '/_plugins/_security/api/roles/*',
        '/_plugins/_security/api/rolesmapping/*',
      ]) {
        assert.ok(resources.includes(api), api);
      }
      assert.ok(!/"\/\*"/.test(resources), 'not the whole domain');
    });

    it('sits behind the provider framework, whose own function has no AWS managed policy', () => {
      for (const [id, role] of Object.entries(dev.findResources('AWS::IAM::Role'))) {
        assert.equal(role.Properties.ManagedPolicyArns, undefined, id);
      }
    });
  });

  describe('Serverless variant', () => {
    it('makes a time-series collection and no domain', () => {
      serverless.resourceCountIs('AWS::OpenSearchService::Domain', 0);
      serverless.hasResourceProperties('AWS::OpenSearchServerless::Collection', {
        Name: 'vigil-dev',
        Type: 'TIMESERIES',
      });
    });

    it('keeps standby replicas as the environment says: none in dev, to halve the minimum capacity', () => {
      serverless.hasResourceProperties('AWS::OpenSearchServerless::Collection', {
        StandbyReplicas: 'DISABLED',
      });
      const prodServerless = Template.fromStack(prodServerlessStack);
      prodServerless.hasResourceProperties('AWS::OpenSearchServerless::Collection', {
        StandbyReplicas: 'ENABLED',
      });
      prodServerless.hasResource('AWS::OpenSearchServerless::Collection', { DeletionPolicy: 'Retain' });
    });

    it("encrypts the collection with the environment's key before it exists", () => {
      const [policyId, policy] = Object.entries(
        serverless.findResources('AWS::OpenSearchServerless::SecurityPolicy', {
          Properties: { Type: 'encryption' },
        }),
      )[0]!;

      assert.deepEqual(JSON.parse(policy.Properties.Policy), {
        Rules: [{ ResourceType: 'collection', Resource: ['collection/vigil-dev'] }],
        AWSOwnedKey: false,
        KmsARN: KEY_ARN,
      });
      serverless.hasResource('AWS::OpenSearchServerless::Collection', {
        DependsOn: Match.arrayWith([policyId]),
      });
    });

    it('opens the collection API, not its dashboards, to SigV4-signed callers', () => {
      const policy = Object.values(
        serverless.findResources('AWS::OpenSearchServerless::SecurityPolicy', {
          Properties: { Type: 'network' },
        }),
      )[0]!;

      assert.deepEqual(JSON.parse(policy.Properties.Policy), [
        {
          Rules: [{ ResourceType: 'collection', Resource: ['collection/vigil-dev'] }],
          AllowFromPublic: true,
        },
      ]);
    });

    it('keeps operational indices 90 days and audit indices 365 by a lifecycle policy', () => {
      const policy = Object.values(
        serverless.findResources('AWS::OpenSearchServerless::LifecyclePolicy'),
      )[0]!;
      const rules = JSON.parse(policy.Properties.Policy).Rules as Array<{
        Resource: string[];
        MinIndexRetention: string;
      }>;

      assert.equal(policy.Properties.Type, 'retention');
      assert.deepEqual(
        rules.map((rule) => [rule.Resource, rule.MinIndexRetention]),
        [
          [
            [
              'index/vigil-dev/vigil-logs-*',
              'index/vigil-dev/vigil-spans-*',
              'index/vigil-dev/vigil-predictions-*',
            ],
            '90d',
          ],
          [['index/vigil-dev/vigil-audit-*'], '365d'],
        ],
      );
    });

    it('lets the bootstrap call the collection API', () => {
      const statements = iamStatements(serverless).filter((statement) =>
        actionsOf(statement).includes('aoss:APIAccessAll'),
      );

      assert.equal(statements.length, 1);
      assert.deepEqual(statements[0]!.Resource, {
        'Fn::GetAtt': [onlyLogicalId(serverless, 'AWS::OpenSearchServerless::Collection'), 'Arn'],
      });
    });
  });
});
