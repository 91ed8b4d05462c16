import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type IQueue, Queue, QueueEncryption, QueueGrants } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of a {@link RetryQueue}. */
export interface RetryQueueProps {
  /** The key that encrypts both queues at rest. */
  readonly encryptionKey: IKey;

  /**
   * How often a message is received (and fails) before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long a received message stays hidden; AWS advises six times the consumer's timeout so that a
   * batch that is still being retried is not handed out twice.
   * @default - six times {@link RetryQueue.CONSUMER_TIMEOUT}
   */
  readonly visibilityTimeout?: Duration;

  /**
   * What happens to the queues, and the messages in them, when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where ingest spills batches the metric store would not take after retries, so that nothing is lost: a
 * retry queue drained by the replay function, and a dead-letter queue behind it for what fails again.
 * Both keep messages for the SQS maximum of 14 days and accept TLS requests only.
 */
export class RetryQueue extends Construct {
  /** The longest a consumer of the retry queue may take per batch; the visibility timeout is six times it. */
  static readonly CONSUMER_TIMEOUT = Duration.seconds(30);

  /** The queue ingest functions send failed batches to. */
  readonly queue: IQueue;

  /** The queue that receives messages the replay function failed `maxReceiveCount` times. */
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: RetryQueueProps) {
    super(scope, id);
    const common = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Reusing a data key for the SQS maximum of 24 h keeps KMS calls (and their cost) per queue, not per message.
      dataKeyReuse: Duration.hours(24),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    };
    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', common);
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the retry queue; its depth alarms the operators instead.',
    });
    this.deadLetterQueue = deadLetterQueue;
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout:
        props.visibilityTimeout ?? Duration.seconds(RetryQueue.CONSUMER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}

/**
 * Lets a principal send to an encrypted queue with exactly the key actions SQS needs from a producer
 * (`kms:GenerateDataKey`, `kms:Decrypt`), where `grantSendMessages` would add `kms:ReEncrypt*` and
 * `kms:GenerateDataKey*`.
 */
export function grantSendToEncryptedQueue(queue: IQueue, grantee: IGrantable): void {
  QueueGrants.fromQueue(queue).actions(
    grantee,
    ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    {
      keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    },
  );
}
