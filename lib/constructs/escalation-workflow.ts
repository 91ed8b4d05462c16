import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  DefinitionBody,
  type IStateMachine,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ACK_LINK_KEY_ENV } from '../../lambdas/alerts/alert-routes.js';
import { escalationDefinition, STEP_TIMEOUT_SECONDS } from '../../lambdas/escalation/core/definition.js';
import { configTopicArns, parseEscalationConfig } from '../../lambdas/escalation/core/policy.js';
import {
  API_URL_ENV,
  ESCALATION_STATE_MACHINE_ENV,
  SEVERITY_TOPICS_ENV,
} from '../../lambdas/escalation/escalation-names.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import type { NotificationTopics } from './notification-topics.js';
import { grantStateReadWrite } from './state-table.js';
import { VigilFunction, type VigilFunctionProps } from './vigil-function.js';

/** What a function needs to start escalations and complete their waits: where they are, and the right to. */
export interface EscalationControlAccess {
  /** The environment variables naming the state machine, the severity topics and the API's base URL. */
  readonly environment: Readonly<Record<string, string>>;

  /** Lets a function start escalations, complete their waits and publish incident notices. */
  grantControl(fn: IFunction): void;

  /** Tells a function the secret acknowledge links are signed with, and lets it read that secret. */
  grantAckLinkKey(fn: VigilFunction): void;
}

/** Properties of {@link EscalationWorkflow}. */
export interface EscalationWorkflowProps {
  /** What the step function shares with the stack's other functions: runtime config (policies), memory, logs. */
  readonly functionDefaults: Omit<VigilFunctionProps, 'entry' | 'environment' | 'timeout' | 'description'>;

  /** The state table incidents and the waits' task tokens live in. */
  readonly stateTable: ITable;

  /** The severity topics incident notices go to. */
  readonly topics: NotificationTopics;

  /** The API's base URL (`https://abc123.execute-api.eu-west-1.amazonaws.com`), for the links in notices. */
  readonly apiUrl: string;

  /**
   * What happens to the state machine's log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Incident escalation on AWS Step Functions: a STANDARD state machine (waits last minutes to hours) built
 * from the escalation definition of `lambdas/escalation/core/definition.ts`, whose every Task invokes the one
 * step function: notify a tier, wait for an acknowledgement with a task token and the tier's timeout, go on
 * to the next tier, tell that nobody acknowledged or that the escalation failed. The state machine logs
 * every event (without execution data, which holds incident ids and summaries) to an encrypted log group and
 * traces with X-Ray; its role may invoke the step function and nothing else. The alerting functions get
 * {@link EscalationWorkflow.grantControl} to start escalations and complete their waits.
 */
export class EscalationWorkflow extends Construct implements EscalationControlAccess {
  /**
   * How long one step may run: well under the Task's own timeout, so a slow step fails as a Lambda error,
   * which the state machine retries, not as a Task timeout, which it does not.
   */
  static readonly STEP_TIMEOUT = Duration.seconds(STEP_TIMEOUT_SECONDS / 2);

  /**
   * The task-token actions the controllers call: SendTaskSuccess completes a wait when its incident is
   * acknowledged or resolved (the Step Functions adapter calls nothing else; add SendTaskFailure here if it
   * ever fails a wait).
   */
  static readonly TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess'] as const;

  /** The step function every Task invokes. */
  readonly stepFunction: IFunction;

  /** The secret acknowledge links are signed with. */
  readonly ackLinkKey: ISecret;

  /** The escalation state machine. */
  readonly stateMachine: IStateMachine;

  /** What the controlling functions are told: the state machine, the severity topics and the API base URL. */
  readonly environment: Readonly<Record<string, string>>;

  /** The task-token actions, which support no resource-level permissions; one policy for every controller. */
  private taskResponsePolicy?: Policy;

  private readonly topics: NotificationTopics;

  /** The SNS topics tiers target by ARN, besides the severity topics. */
  private readonly tierTopicArns: readonly string[];

  constructor(scope: Construct, id: string, props: EscalationWorkflowProps) {
    super(scope, id);
    const { functionDefaults, stateTable, topics } = props;
    const stack = Stack.of(this);
    this.topics = topics;
    this.tierTopicArns = configTopicArns(parseEscalationConfig(functionDefaults.runtimeConfig.escalation));

    const stepFunction = new VigilFunction(this, 'Step', {
      ...functionDefaults,
      entry: 'lambdas/escalation/handlers/escalation-step.ts',
      description: 'Runs each step of the escalation workflow: notify, await, advance, give up, fail',
      timeout: EscalationWorkflow.STEP_TIMEOUT,
      environment: {
        [STATE_TABLE_ENV]: stateTable.tableName,
        [SEVERITY_TOPICS_ENV]: topics.topicArnsJson(),
        [API_URL_ENV]: props.apiUrl,
      },
    });
    grantStateReadWrite(stateTable, stepFunction);
    this.grantPublish(stepFunction);

    // The key of acknowledge links: made by Secrets Manager, so it is in no template; the step function signs
    // links with it and the acknowledge-link function checks them.
    this.ackLinkKey = new Secret(this, 'AckLinkKey', {
      description: `Signs the acknowledge links of Vigil ${functionDefaults.runtimeConfig.environment} incident notices`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.ackLinkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key signs acknowledge links that expire within a day; rotating it only cuts short the links ' +
        'outstanding, and replacing the secret (a redeploy with a new logical id) does the same when needed.',
    });
    this.grantAckLinkKey(stepFunction);

    const logGroup = new LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/ Step Functions needs no log resource policy per group (which has a size limit).
      logGroupName: `/aws/vendedlogs/states/vigil-${functionDefaults.runtimeConfig.environment}-escalation`,
      retention: functionDefaults.logRetention,
      encryptionKey: functionDefaults.logEncryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(
        stack.toJsonString(escalationDefinition({ stepFunctionArn: stepFunction.functionArn })),
      ),
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The definition names the step function by its unqualified ARN, so that ARN is all the role may invoke.
    stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [stepFunction.functionArn] }),
    );
    Validations.of(stateMachine.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions logging (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray ' +
        '(xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets) ' +
        'support no resource-level permissions, so AWS requires "*" for them; the role invokes only the step function.',
    });

    this.stepFunction = stepFunction;
    this.stateMachine = stateMachine;
    this.environment = {
      [ESCALATION_STATE_MACHINE_ENV]: stateMachine.stateMachineArn,
      [SEVERITY_TOPICS_ENV]: topics.topicArnsJson(),
      [API_URL_ENV]: props.apiUrl,
    };
  }

  /**
   * Lets a function start escalations (StartExecution on this state machine only), complete the waits of
   * acknowledged and resolved incidents (the task-token actions) and publish the notices that say so to the
   * severity topics.
   */
  grantControl(fn: IFunction): void {
    if (!fn.role)
      throw new Error(`function ${fn.node.path} has no role; expected one to grant escalation control to`);
    this.stateMachine.grantStartExecution(fn);
    this.taskResponses().attachToRole(fn.role);
    this.grantPublish(fn);
  }

  /**
   * Lets a function publish notices to the severity topics and to the topics tiers target by ARN. A topic of
   * one's own encrypted with a customer managed key must also let the function's role use that key, in the
   * key policy, which these stacks do not own.
   */
  private grantPublish(fn: IFunction): void {
    this.topics.grantPublish(fn);
    if (this.tierTopicArns.length === 0) return;
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [...this.tierTopicArns] }));
  }

  grantAckLinkKey(fn: VigilFunction): void {
    fn.addEnvironment(ACK_LINK_KEY_ENV, this.ackLinkKey.secretArn);
    this.ackLinkKey.grantRead(fn);
  }

  /** The policy of the task-token actions, made when the first controller is granted (a policy needs one). */
  private taskResponses(): Policy {
    if (!this.taskResponsePolicy) {
      this.taskResponsePolicy = new Policy(this, 'TaskResponsePolicy', {
        statements: [
          new PolicyStatement({ actions: [...EscalationWorkflow.TASK_RESPONSE_ACTIONS], resources: ['*'] }),
        ],
      });
      Validations.of(this.taskResponsePolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'states:SendTaskSuccess supports no resource-level permissions (the Service Authorization ' +
          'Reference lists no resource type for it), so AWS requires "*"; the task token itself names the ' +
          'waiting task, and only the functions that control escalations hold this policy.',
      });
    }
    return this.taskResponsePolicy;
  }
}
