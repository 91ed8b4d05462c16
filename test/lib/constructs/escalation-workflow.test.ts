import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { ACK_LINK_KEY_ENV } from '../../../lambdas/alerts/alert-routes.js';
import { SEVERITIES } from '../../../lambdas/alerts/core/alert.js';
import {
  ESCALATION_STATES,
  escalationDefinition,
  LAMBDA_INVOKE_WAIT,
  STEP_TIMEOUT_SECONDS,
} from '../../../lambdas/escalation/core/definition.js';
import {
  API_URL_ENV,
  ESCALATION_STATE_MACHINE_ENV,
  SEVERITY_TOPICS_ENV,
} from '../../../lambdas/escalation/escalation-names.js';
import { STATE_TABLE_ENV } from '../../../lambdas/shared/state-table.js';
import { environments } from '../../../lib/config/environments.js';
import { loadEnvironment, parseEnvironment } from '../../../lib/config/load-environment.js';
import { toRuntimeConfig } from '../../../lib/config/runtime-config.js';
import { Alerting } from '../../../lib/constructs/alerting.js';
import { EscalationWorkflow } from '../../../lib/constructs/escalation-workflow.js';
import { NotificationTopics } from '../../../lib/constructs/notification-topics.js';
import { flattened } from '../../support/cdk-tokens.js';
import { actionsOf, iamStatements, onlyLogicalId, testApp } from '../support/cdk-app.js';

// The stores are imported by ARN: what is under test is the state machine, its step function, and what the
// alerting functions are given to start and complete escalations.
const app = testApp();
const stack = new Stack(app, 'Escalation', { env: { account: '123456789012', region: 'us-east-1' } });
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const KEY_ARN = arn('kms', 'key/00000000-0000-0000-0000-000000000000');
const API_URL = 'https://abc123defg.execute-api.us-east-1.amazonaws.com';
const TABLE_ARN = arn('dynamodb', 'table/vigil-state');
const key = Key.fromKeyArn(stack, 'Key', KEY_ARN);
const stateTable = Table.fromTableAttributes(stack, 'State', { tableArn: TABLE_ARN, encryptionKey: key });
const functionDefaults = {
  runtimeConfig: toRuntimeConfig(loadEnvironment('dev')),
  memorySizeMb: 512,
  logRetention: RetentionDays.ONE_WEEK,
  logEncryptionKey: key,
};
const topics = new NotificationTopics(stack, 'SeverityTopics', {
  environmentName: 'dev',
  key,
  subscriptions: { critical: [], high: [], warning: [], info: [] },
});
const workflow = new EscalationWorkflow(stack, 'Escalation', {
  functionDefaults,
  stateTable,
  topics,
  apiUrl: API_URL,
});
const alerting = new Alerting(stack, 'Alerting', {
  functionDefaults,
  topicKey: key,
  stateTable,
  metricStore: {
    kind: 'timestream',
    table: {
      tableArn: arn('timestream', 'database/vigil/table/rollups'),
      tableName: 'rollups',
      databaseName: 'vigil',
    },
  },
  escalation: workflow,
});
const template = Template.fromStack(stack);

const resolved = (value: unknown) => stack.resolve(value) as Record<string, unknown>;
const stepArn = resolved(workflow.stepFunction.functionArn);
const stepId = (stepArn['Fn::GetAtt'] as string[])[0]!;
const stateMachineRef = resolved(workflow.stateMachine.stateMachineArn);
const stateMachineId = onlyLogicalId(template, 'AWS::StepFunctions::StateMachine');
const stateMachine = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId]!.Properties;
const topicRefs = SEVERITIES.map((severity) => resolved(topics.topics[severity].topicArn));
const roleOf = (fn: { role?: unknown }) => resolved((fn.role as { roleName: string }).roleName);
const policiesOfRole = (role: unknown) =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some((each) => JSON.stringify(each) === JSON.stringify(role)),
    )
    .map(([id]) => id);
const statementsOfRole = (role: unknown) => {
  const policies = policiesOfRole(role);
  return iamStatements(template).filter((statement) => policies.includes(statement.policy));
};
const variablesOf = (fn: { node: { defaultChild?: unknown } }) => {
  const id = stack.getLogicalId(fn.node.defaultChild as never);
  return template.findResources('AWS::Lambda::Function')[id]!.Properties.Environment.Variables;
};

describe('EscalationWorkflow', () => {
  describe('state machine', () => {
    it("is a STANDARD workflow running the escalation definition with the step function's ARN", () => {
      const definition = JSON.parse(flattened(stateMachine.DefinitionString));

      assert.equal(stateMachine.StateMachineType, 'STANDARD');
      assert.deepEqual(definition, escalationDefinition({ stepFunctionArn: `<${stepId}.Arn>` }));
    });

    it('waits for the acknowledgement with a task token, for the timeout the notify step gives', () => {
      const definition = JSON.parse(flattened(stateMachine.DefinitionString));
      const wait = definition.States[ESCALATION_STATES.waitForAck];

      assert.equal(wait.Resource, LAMBDA_INVOKE_WAIT);
      assert.equal(wait.Parameters.FunctionName, `<${stepId}.Arn>`);
      assert.equal(wait.Parameters.Payload['taskToken.$'], '$$.Task.Token');
      assert.equal(wait.TimeoutSecondsPath, '$.timeoutSeconds');
    });

    it('logs every event without execution data to an encrypted log group, and traces with X-Ray', () => {
      const logGroupId = stack.getLogicalId(workflow.node.findChild('Logs').node.defaultChild as never);
      const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId]!.Properties;

      assert.deepEqual(stateMachine.LoggingConfiguration, {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      });
      assert.deepEqual(stateMachine.TracingConfiguration, { Enabled: true });
      assert.equal(logGroup.KmsKeyId, KEY_ARN);
      assert.equal(logGroup.LogGroupName, '/aws/vendedlogs/states/vigil-dev-escalation');
      assert.equal(logGroup.RetentionInDays, 7);
    });

    it('may invoke the step function, by its ARN, and no other function', () => {
      const role = resolved((workflow.stateMachine as StateMachine).role.roleName);

      const invokes = statementsOfRole(role).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('lambda:')),
      );

      assert.deepEqual(
        invokes.map((statement) => [actionsOf(statement), statement.Resource]),
        [[['lambda:InvokeFunction'], stepArn]],
      );
    });
  });

  describe('step function', () => {
    it('stops before the Task gives up on it, so a slow step is a retried Lambda error', () => {
      const id = stack.getLogicalId(workflow.stepFunction.node.defaultChild as never);
      const timeout = template.findResources('AWS::Lambda::Function')[id]!.Properties.Timeout;

      assert.ok(timeout < STEP_TIMEOUT_SECONDS, `${timeout} s`);
    });

    it('is told the state table, the topic of each severity and the API base URL', () => {
      const variables = variablesOf(workflow.stepFunction);

      assert.equal(variables[STATE_TABLE_ENV], 'vigil-state');
      assert.equal(variables[API_URL_ENV], API_URL);
      assert.deepEqual(
        JSON.parse(flattened(variables[SEVERITY_TOPICS_ENV])),
        Object.fromEntries(SEVERITIES.map((severity, index) => [severity, `<${topicRefs[index]!.Ref}>`])),
      );
    });

    it('publishes to the severity topics only and reads and writes the state table', () => {
      const statements = statementsOfRole(roleOf(workflow.stepFunction));
      const publish = statements.filter((statement) => actionsOf(statement).includes('sns:Publish'));

      assert.equal(publish.length, 1);
      assert.deepEqual(
        publish[0]?.Resource,
        [...topicRefs].sort((a, b) => String(a.Ref).localeCompare(String(b.Ref))),
      );
      assert.ok(statements.some((statement) => actionsOf(statement).includes('dynamodb:PutItem')));
      assert.ok(
        !statements.some((statement) => actionsOf(statement).some((action) => action.startsWith('states:'))),
      );
    });
  });

  describe('acknowledge-link key', () => {
    it('is a secret Secrets Manager generates, so no template holds it', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
        assert.equal(secret.Properties.SecretString, undefined);
      }
    });

    it('is named to the step function and the acknowledge-link function, and readable by them alone', () => {
      const secretRef = resolved(workflow.ackLinkKey.secretArn);
      const ackLink = alerting.functions.AckLink!;
      for (const fn of [workflow.stepFunction, ackLink]) {
        assert.deepEqual(variablesOf(fn)[ACK_LINK_KEY_ENV], secretRef, fn.node.id);
      }
      const readers = iamStatements(template)
        .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
        .map((statement) => statement.policy.replace(/[0-9A-F]{8}$/, ''))
        .sort();
      assert.deepEqual(readers, ['AlertingAckLinkRoleDefaultPolicy', 'EscalationStepRoleDefaultPolicy']);
      for (const fn of Object.values(alerting.functions).filter((each) => each !== ackLink)) {
        assert.equal(variablesOf(fn)[ACK_LINK_KEY_ENV], undefined, fn.node.id);
      }
    });
  });

  describe('control by the alerting functions', () => {
    const alertingFunctions = Object.values(alerting.functions);

    it('tells every alerting function the state machine, the severity topics and the API base URL', () => {
      for (const fn of alertingFunctions) {
        const variables = variablesOf(fn);

        assert.deepEqual(variables[ESCALATION_STATE_MACHINE_ENV], stateMachineRef, fn.node.id);
        assert.equal(variables[API_URL_ENV], API_URL, fn.node.id);
        assert.deepEqual(
          JSON.parse(flattened(variables[SEVERITY_TOPICS_ENV])),
          JSON.parse(flattened(variablesOf(workflow.stepFunction)[SEVERITY_TOPICS_ENV])),
          fn.node.id,
        );
      }
    });

    it('lets every alerting function start executions of this state machine only, and complete waits', () => {
      for (const fn of alertingFunctions) {
        const statements = statementsOfRole(roleOf(fn));
        const starts = statements.filter((statement) =>
          actionsOf(statement).includes('states:StartExecution'),
        );
        const responses = statements.filter((statement) =>
          actionsOf(statement).includes('states:SendTaskSuccess'),
        );

        assert.deepEqual(
          starts.map((statement) => statement.Resource),
          [stateMachineRef],
          fn.node.id,
        );
        assert.deepEqual(
          responses.map((statement) => [actionsOf(statement).sort(), statement.Resource]),
          [[['states:SendTaskSuccess'], '*']],
          fn.node.id,
        );
      }
    });

    it('keeps the "*" task-token actions in one policy of their own, held by the alerting functions only', () => {
      const holders = iamStatements(template)
        .filter((statement) => actionsOf(statement).includes('states:SendTaskSuccess'))
        .map((statement) => statement.policy);
      const [policy] = holders;

      assert.equal(holders.length, 1);
      assert.deepEqual(
        (template.findResources('AWS::IAM::Policy')[policy!]!.Properties.Roles as unknown[])
          .map((role) => JSON.stringify(role))
          .sort(),
        alertingFunctions.map((fn) => JSON.stringify(roleOf(fn))).sort(),
      );
    });

    it('lets them publish to the severity topics and their alert topic, and nothing on "*"', () => {
      for (const statement of iamStatements(template).filter((candidate) =>
        actionsOf(candidate).includes('sns:Publish'),
      )) {
        assert.notEqual(statement.Resource, '*', statement.policy);
        assert.ok(Array.isArray(statement.Resource) || typeof statement.Resource === 'object');
      }
      const alertsApi = statementsOfRole(roleOf(alerting.functions.AlertsApi!));
      const [publish] = alertsApi.filter((statement) => actionsOf(statement).includes('sns:Publish'));
      assert.ok(publish);
      assert.deepEqual(
        (publish.Resource as unknown[]).map((each) => JSON.stringify(each)).sort(),
        [resolved(alerting.topic.topicArn), ...topicRefs].map((each) => JSON.stringify(each)).sort(),
      );
    });

    it('refuses to grant control to a function without a role it can name', () => {
      // In a stack of its own: the one above is synthesized already.
      const other = new Stack(testApp(), 'Other');
      const imported = LambdaFunction.fromFunctionArn(other, 'Imported', arn('lambda', 'function:other'));

      assert.throws(() => workflow.grantControl(imported), /function Other\/Imported has no role/);
    });
  });
});

describe('EscalationWorkflow with a tier that targets a topic of its own', () => {
  it('lets the step function and the controllers publish to that topic by its ARN', () => {
    // Prepare: p0's manager tier pages the team's own topic.
    const team = 'arn:aws:sns:us-east-1:123456789012:team-pager';
    const own = new Stack(testApp(), 'OwnTopic', { env: { account: '123456789012', region: 'us-east-1' } });
    const ownKey = Key.fromKeyArn(own, 'Key', KEY_ARN);
    const environment = parseEnvironment({
      ...environments.dev,
      escalation: {
        policies: {
          p0: {
            tiers: [
              { name: 'on-call', targets: ['severity-topic'], timeoutMs: '5m' },
              { name: 'manager', targets: [team], timeoutMs: '15m' },
            ],
          },
        },
        severityPolicies: { critical: 'p0' },
      },
    });
    const ownWorkflow = new EscalationWorkflow(own, 'Escalation', {
      functionDefaults: {
        ...functionDefaults,
        runtimeConfig: toRuntimeConfig(environment),
        logEncryptionKey: ownKey,
      },
      stateTable: Table.fromTableAttributes(own, 'State', { tableArn: TABLE_ARN, encryptionKey: ownKey }),
      topics: new NotificationTopics(own, 'SeverityTopics', {
        environmentName: 'dev',
        key: ownKey,
        subscriptions: { critical: [], high: [], warning: [], info: [] },
      }),
      apiUrl: API_URL,
    });
    const controller = new LambdaFunction(own, 'Controller', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
    });

    // Act
    ownWorkflow.grantControl(controller);
    const ownTemplate = Template.fromStack(own);

    // Assess: one statement per role names that ARN (CDK may merge it with the severity topics').
    const publishers = iamStatements(ownTemplate)
      .filter(
        (statement) =>
          actionsOf(statement).includes('sns:Publish') && [statement.Resource].flat().includes(team),
      )
      .map((statement) => statement.policy)
      .sort();
    assert.equal(publishers.length, 2);
    const rolesOf = (policy: string) =>
      JSON.stringify(ownTemplate.findResources('AWS::IAM::Policy')[policy]!.Properties.Roles);
    assert.deepEqual(
      publishers.map(rolesOf).sort(),
      [ownWorkflow.stepFunction, controller]
        .map((fn) => JSON.stringify([own.resolve(fn.role!.roleName)]))
        .sort(),
    );
  });
});
