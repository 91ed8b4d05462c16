import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Channel, parseChannels } from '../../lambdas/notifications/core/channels.js';
import { STATE_TABLE_ENV } from '../../lambdas/shared/state-table.js';
import { EncryptedQueueDestination } from './alerting.js';
import { grantStateReadWrite } from './state-table.js';
import { VigilFunction, type VigilFunctionProps } from './vigil-function.js';

/** Properties of {@link NotificationFormatter}. */
export interface NotificationFormatterProps {
  /**
   * What the formatter shares with the stack's other functions: runtime config (whose channels it posts to
   * and whose secrets it may read), memory, logs.
   */
  readonly functionDefaults: Omit<VigilFunctionProps, 'entry' | 'environment' | 'timeout' | 'description'>;

  /** The state table its delivery receipts live in. */
  readonly stateTable: ITable;

  /** The topics whose messages it delivers: the severity topics and the alert topic. */
  readonly topics: readonly ITopic[];

  /** The key that encrypts the dead-letter queue. */
  readonly deadLetterKey: IKey;

  /**
   * The customer managed keys of the channels' secrets, which it may decrypt with through Secrets Manager.
   * @default - none: the secrets are under the AWS managed key `aws/secretsmanager`
   */
  readonly channelSecretKeyArns?: readonly string[];

  /**
   * What happens to the dead-letter queue when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The formatter Lambda, subscribed to every given topic: it posts each notification to the channels of the
 * runtime config (Slack, PagerDuty, Teams, webhooks), keeping a receipt per message and channel in the state
 * table so a retry skips what was delivered. SNS invokes it asynchronously: Lambda retries a failed
 * invocation twice, then sends it to a dead-letter queue, whose depth alarms the operators. It may read only
 * the channels' secrets.
 */
export class NotificationFormatter extends Construct {
  /**
   * How long one invocation may run: every channel's post with its own retries and backoff, within a
   * deadline the handler derives from the remaining time.
   */
  static readonly TIMEOUT = Duration.seconds(90);

  /** Lambda's retries of a failed invocation before it is dead-lettered. */
  static readonly RETRY_ATTEMPTS = 2;

  /**
   * How long a notification may wait for an invocation (throttling, retries) before it is dead-lettered: an
   * hour, by when the escalation has moved on and the dead letter is the better place for it.
   */
  static readonly MAX_EVENT_AGE = Duration.hours(1);

  /** The formatter function. */
  readonly function: IFunction;

  /** Where notifications that failed after Lambda's retries end up; it must stay empty. */
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: NotificationFormatterProps) {
    super(scope, id);
    const { functionDefaults, stateTable } = props;

    const formatter = new VigilFunction(this, 'Formatter', {
      ...functionDefaults,
      entry: 'lambdas/notifications/handlers/formatter.ts',
      description: 'Posts notifications to Slack, PagerDuty, Teams and webhooks',
      timeout: NotificationFormatter.TIMEOUT,
      environment: { [STATE_TABLE_ENV]: stateTable.tableName },
    });
    grantStateReadWrite(stateTable, formatter);
    // The channels the function reads at cold start, so it may read exactly their secrets.
    const channels = parseChannels(functionDefaults.runtimeConfig.channels, 'the runtime config');
    this.grantChannelSecrets(formatter, channels, props.channelSecretKeyArns ?? []);

    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.deadLetterKey,
      // Reusing a data key for the SQS maximum of 24 h keeps KMS calls (and their cost) per queue, not per message.
      dataKeyReuse: Duration.hours(24),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is itself the dead-letter queue (on-failure destination) of the notification formatter; its ' +
        'depth alarms the operators instead.',
    });
    formatter.configureAsyncInvoke({
      retryAttempts: NotificationFormatter.RETRY_ATTEMPTS,
      maxEventAge: NotificationFormatter.MAX_EVENT_AGE,
      onFailure: new EncryptedQueueDestination(deadLetterQueue),
    });

    for (const topic of props.topics) topic.addSubscription(new LambdaSubscription(formatter));

    this.function = formatter;
    this.deadLetterQueue = deadLetterQueue;
  }

  /**
   * Lets the formatter read the secrets its channels name, and nothing else: each secret by the ARN given and,
   * since a partial ARN (without the six random characters Secrets Manager appends) names a secret by name,
   * by that ARN with the suffix; and decrypt with the configured keys only on behalf of Secrets Manager.
   */
  private grantChannelSecrets(
    formatter: VigilFunction,
    channels: readonly Channel[],
    keyArns: readonly string[],
  ): void {
    const secretArns = [
      ...new Set(channels.flatMap((channel) => (channel.secretArn === undefined ? [] : [channel.secretArn]))),
    ];
    if (secretArns.length > 0) {
      const resources = secretArns.flatMap((arn) => [arn, `${arn}-??????`]);
      formatter.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources }),
      );
    }
    if (keyArns.length > 0) {
      formatter.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [...keyArns],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
  }
}
