import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { cloudWatchStoreNamespace } from '../../lambdas/metrics/metric-store-names.js';
import { toRuntimeConfig } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import type { MetricStoreRef } from '../constructs/metric-store-access.js';
import { RetryQueue } from '../constructs/retry-queue.js';
import { StateTable } from '../constructs/state-table.js';
import { TimestreamMetricStore } from '../constructs/timestream-metric-store.js';

/** Properties of the {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** The environment whose data this stack keeps. */
  readonly environment: EnvironmentConfig;
}

/**
 * Everything that holds data and so outlives deployments of the compute: the environment's KMS key, the
 * state table, the metric store (Timestream, or nothing when metrics go to CloudWatch) and the retry
 * queue with its dead-letter queue, whose messages are batches not yet stored.
 */
export class StorageStack extends Stack {
  /** The customer managed key that encrypts the environment's data, queues, topic and logs. */
  readonly key: IKey;

  /** The state table. */
  readonly stateTable: ITable;

  /** The metric store the compute writes rollups to and reads them from. */
  readonly metricStore: MetricStoreRef;

  /** Where ingest spills batches the metric store would not take. */
  readonly retryQueue: IQueue;

  /** Where spilled batches that failed replay end up. */
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    const { environment, ...stackProps } = props;
    super(scope, id, { terminationProtection: environment.retainData, ...stackProps });
    const retainData = environment.retainData;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const key = new Key(this, 'Key', {
      description: `Encrypts Vigil's ${environment.name} data, queues, topic and logs`,
      alias: `alias/vigil-${environment.name}`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(retainData ? 30 : 7),
    });
    this.allowServiceUse(key);
    this.key = key;

    this.stateTable = new StateTable(this, 'State', { encryptionKey: key, retainData }).table;
    new CfnOutput(this, 'StateTableName', {
      value: this.stateTable.tableName,
      description: 'State table: where `vigil token create --table` stores hashed bearer tokens',
    });

    if (environment.metricStore === 'timestream') {
      const store = new TimestreamMetricStore(this, 'Metrics', {
        encryptionKey: key,
        memoryStoreRetentionHours: environment.retention.memoryStoreHours,
        magneticStoreRetentionDays: environment.retention.magneticStoreDays,
        retainData,
      });
      this.metricStore = { kind: 'timestream', table: store.table };
    } else {
      this.metricStore = {
        kind: 'cloudwatch',
        namespace: cloudWatchStoreNamespace(toRuntimeConfig(environment)),
      };
    }

    const retry = new RetryQueue(this, 'Retry', { encryptionKey: key, removalPolicy });
    this.retryQueue = retry.queue;
    this.deadLetterQueue = retry.deadLetterQueue;
  }

  /**
   * Services that encrypt on the environment's behalf need the key policy itself to let them: CloudWatch
   * Logs for the encrypted log groups (any group of this account and region), and CloudWatch alarms for
   * publishing to the encrypted ops topic.
   */
  private allowServiceUse(key: Key): void {
    const logs = new ServicePrincipal(`logs.${this.region}.amazonaws.com`);
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccount',
        principals: [logs],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
  }
}
