import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  EVENTS_READER_ROLE,
  EVENTS_WRITER_ROLE,
  vigilSecurityRoles,
} from '../../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import {
  domainIndexTemplates,
  ismPolicies,
  serverlessIndexTemplates,
} from '../../../lambdas/events/adapters/aws/opensearch-schema.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import type { EnvironmentConfig } from '../../../lib/config/schema.js';
import { EVENT_STORE_BOOTSTRAP_TYPE, EventStoreAccess } from '../../../lib/constructs/event-store-access.js';
import { EventStoreStack } from '../../../lib/stacks/event-store-stack.js';
import { actionsOf, iamStatements, type PolicyStatementJson, testApp } from '../support/cdk-app.js';

// Plain functions stand in for Vigil's handlers: what is under test is the access they are given.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const key = Key.fromKeyArn(
  new Stack(app, 'Refs', { env }),
  'Key',
  'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
);
function computeFor(id: string, environment: EnvironmentConfig) {
  const eventStore = new EventStoreStack(app, `${id}EventStore`, { env, environment, key }).eventStore;
  const stack = new Stack(app, `${id}Compute`, { env });
  const access = new EventStoreAccess(stack, 'EventStoreAccess', { eventStore });
  const fn = (name: string) =>
    new LambdaFunction(stack, name, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
      environment: { ...access.environment },
    });
  const writer = fn('Writer');
  const reader = fn('Reader');
  access.grantWrite(writer);
  access.grantRead(reader);
  return { stack, access };
}
const variants = [
  computeFor('Dev', loadEnvironment('dev')),
  computeFor('Staging', loadEnvironment('staging')),
  computeFor('Serverless', loadEnvironment('dev', { opensearchServerless: true })),
];
const [dev, staging, serverless] = variants.map((variant) => ({
  ...variant,
  template: Template.fromStack(variant.stack),
})) as [Variant, Variant, Variant];
type Variant = ReturnType<typeof computeFor> & { template: Template };

// The domain's ARN as the consuming stack builds it from the domain's fixed name (vigil-<env>).
const DEV_DOMAIN_ARN = 'arn:aws:es:us-east-1:123456789012:domain/vigil-dev';
const bootstrapOf = (template: Template) => {
  const resources = Object.entries(template.findResources(EVENT_STORE_BOOTSTRAP_TYPE));
  assert.equal(resources.length, 1, 'one bootstrap custom resource');
  return { id: resources[0]![0], properties: resources[0]![1].Properties };
};
const logicalIdStartingWith = (template: Template, type: string, prefix: string) =>
  Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;
const roleArn = (template: Template, name: string) => ({
  'Fn::GetAtt': [logicalIdStartingWith(template, 'AWS::IAM::Role', `${name}ServiceRole`), 'Arn'],
});
const statementsOf = (template: Template, role: string): PolicyStatementJson[] =>
  iamStatements(template).filter((statement) =>
    statement.policy.startsWith(`${role}ServiceRoleDefaultPolicy`),
  );

describe('EventStoreAccess', () => {
  describe('bootstrap custom resource', () => {
    it("carries the domain's index templates, ISM policies and roles as properties, so a change redeploys it", () => {
      const { properties } = bootstrapOf(dev.template);
      const devConfig = loadEnvironment('dev').eventStore;

      // One data node: no replicas, or the cluster could never be green.
      assert.deepEqual(JSON.parse(properties.IndexTemplates), domainIndexTemplates({ replicas: 0 }));
      assert.deepEqual(
        JSON.parse(properties.IsmPolicies),
        ismPolicies({
          operationalRetentionDays: devConfig.operationalRetentionDays,
          auditRetentionDays: devConfig.auditRetentionDays,
        }),
      );
      assert.deepEqual(JSON.parse(properties.SecurityRoles), vigilSecurityRoles());
      assert.equal(properties.SigningService, 'es');
    });

    it("sizes replicas from the environment's data nodes", () => {
      assert.deepEqual(
        JSON.parse(bootstrapOf(staging.template).properties.IndexTemplates),
        domainIndexTemplates({ replicas: 1 }),
      );
    });

    it("maps the writers' roles to the writer role and the readers' to the reader role", () => {
      assert.deepEqual(bootstrapOf(dev.template).properties.RoleMappings, {
        [EVENTS_WRITER_ROLE]: [roleArn(dev.template, 'Writer')],
        [EVENTS_READER_ROLE]: [roleArn(dev.template, 'Reader')],
      });
    });

    it('runs before the functions that use the store start', () => {
      const { id } = bootstrapOf(dev.template);
      for (const name of ['Writer', 'Reader']) {
        const fn =
          dev.template.findResources('AWS::Lambda::Function')[
            logicalIdStartingWith(dev.template, 'AWS::Lambda::Function', name)
          ]!;
        assert.ok((fn.DependsOn as string[]).includes(id), name);
      }
    });

    it('puts only index templates into a Serverless collection', () => {
      const { properties } = bootstrapOf(serverless.template);

      assert.equal(properties.SigningService, 'aoss');
      assert.deepEqual(JSON.parse(properties.IndexTemplates), serverlessIndexTemplates());
      assert.deepEqual(JSON.parse(properties.IsmPolicies), []);
      assert.deepEqual(JSON.parse(properties.SecurityRoles), []);
      assert.deepEqual(properties.RoleMappings, {});
    });
  });

  describe('domain grants', () => {
    it('name the endpoint, as an https URL, in the environment', () => {
      assert.deepEqual(Object.keys(dev.access.environment), ['VIGIL_OPENSEARCH_ENDPOINT']);
      assert.match(
        JSON.stringify(dev.stack.resolve(dev.access.environment.VIGIL_OPENSEARCH_ENDPOINT)),
        /https:\/\//,
      );
    });

    it('let a writer write vigil-* indices and the bulk API, and nothing else of the domain', () => {
      const statements = statementsOf(dev.template, 'Writer');
      const resources = statements.flatMap((statement) => [statement.Resource].flat() as string[]);

      assert.deepEqual([...new Set(statements.flatMap(actionsOf))].sort(), [
        'es:ESHttpDelete',
        'es:ESHttpPatch',
        'es:ESHttpPost',
        'es:ESHttpPut',
      ]);
      assert.deepEqual(resources.sort(), [
        `${DEV_DOMAIN_ARN}/_bulk`,
        `${DEV_DOMAIN_ARN}/vigil-*`,
        `${DEV_DOMAIN_ARN}/vigil-*/*`,
      ]);
    });

    it('let a reader GET vigil-* and POST only searches and counts', () => {
      const statements = statementsOf(dev.template, 'Reader');
      const posts = statements.filter((statement) => actionsOf(statement).includes('es:ESHttpPost'));

      assert.deepEqual([...new Set(statements.flatMap(actionsOf))].sort(), [
        'es:ESHttpGet',
        'es:ESHttpHead',
        'es:ESHttpPost',
      ]);
      assert.equal(posts.length, 1);
      assert.deepEqual(actionsOf(posts[0]!), ['es:ESHttpPost']);
      assert.deepEqual(([posts[0]!.Resource].flat() as string[]).sort(), [
        `${DEV_DOMAIN_ARN}/vigil-*/_count`,
        `${DEV_DOMAIN_ARN}/vigil-*/_search`,
      ]);
    });
  });

  describe('Serverless grants', () => {
    it('let every function call the collection API, and nothing else', () => {
      for (const name of ['Writer', 'Reader']) {
        assert.deepEqual(
          statementsOf(serverless.template, name).flatMap(actionsOf),
          ['aoss:APIAccessAll'],
          name,
        );
      }
    });

    it('name writers, readers and the bootstrap in a data access policy, each with only its permissions', () => {
      const policy = Object.values(
        serverless.template.findResources('AWS::OpenSearchServerless::AccessPolicy'),
      )[0]!;
      const document = serverless.stack.resolve(policy.Properties.Policy);
      const rules = JSON.stringify(document);

      assert.equal(policy.Properties.Type, 'data');
      assert.equal(policy.Properties.Name, 'vigil-dev-access');
      for (const expected of [
        '"Permission":["aoss:CreateIndex","aoss:UpdateIndex","aoss:DescribeIndex","aoss:WriteDocument"]',
        '"Permission":["aoss:DescribeIndex","aoss:ReadDocument"]',
        '"Permission":["aoss:CreateCollectionItems","aoss:UpdateCollectionItems","aoss:DescribeCollectionItems"]',
        'index/vigil-dev/vigil-*',
      ]) {
        assert.ok(rules.includes(expected.replaceAll('"', '\\"')) || rules.includes(expected), expected);
      }
    });

    it('is in force before the bootstrap runs', () => {
      const accessPolicyId = Object.keys(
        serverless.template.findResources('AWS::OpenSearchServerless::AccessPolicy'),
      )[0]!;
      const bootstrap =
        serverless.template.findResources(EVENT_STORE_BOOTSTRAP_TYPE)[bootstrapOf(serverless.template).id]!;

      assert.ok((bootstrap.DependsOn as string[]).includes(accessPolicyId));
    });
  });
});
