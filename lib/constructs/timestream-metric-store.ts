import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnDatabase, CfnTable, type TableReference } from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';

/** Properties of a {@link TimestreamMetricStore}. */
export interface TimestreamMetricStoreProps {
  /** The customer managed key that encrypts the database and the rejected-records reports. */
  readonly encryptionKey: IKey;

  /** Hours a record stays in the memory store before it moves to the magnetic store. */
  readonly memoryStoreRetentionHours: number;

  /** Days a record stays in the magnetic store; writes older than this are rejected. */
  readonly magneticStoreRetentionDays: number;

  /**
   * Keep the database, table and reports when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;

  /**
   * Days a rejected-records report is kept.
   * @default Duration.days(90)
   */
  readonly rejectedRecordsExpiration?: Duration;
}

/**
 * The Timestream for LiveAnalytics metric store: a KMS-encrypted database with one rollups table whose
 * magnetic-store writes are enabled (so late data within the magnetic retention is accepted) and whose
 * asynchronously rejected records are reported to an encrypted, private, versioned S3 bucket.
 */
export class TimestreamMetricStore extends Construct {
  /**
   * The rollups table as handed to the compute stacks: plain attributes, so that a consuming stack reads
   * each as one value rather than splitting the table's composite `Ref` (`database|table`).
   */
  readonly table: TableReference;

  /** Where Timestream writes reports of records the magnetic store rejected after accepting the write. */
  readonly rejectedRecordsBucket: IBucket;

  constructor(scope: Construct, id: string, props: TimestreamMetricStoreProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const rejectedRecordsBucket = new Bucket(this, 'RejectedRecords', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [
        {
          expiration: props.rejectedRecordsExpiration ?? Duration.days(90),
          noncurrentVersionExpiration: Duration.days(7),
        },
      ],
      removalPolicy,
    });
    Validations.of(rejectedRecordsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only Timestream writes here (error reports of rejected magnetic-store records), and people read ' +
        'them rarely; CloudTrail records those calls. A second bucket for access logs would log the logs.',
    });
    this.rejectedRecordsBucket = rejectedRecordsBucket;

    const database = new CfnDatabase(this, 'Database', { kmsKeyId: props.encryptionKey.keyArn });
    database.applyRemovalPolicy(removalPolicy);

    // Both properties are untyped JSON in the L1 and pass through verbatim, hence CloudFormation's casing.
    const table = new CfnTable(this, 'Rollups', {
      databaseName: database.ref,
      retentionProperties: {
        MemoryStoreRetentionPeriodInHours: String(props.memoryStoreRetentionHours),
        MagneticStoreRetentionPeriodInDays: String(props.magneticStoreRetentionDays),
      },
      magneticStoreWriteProperties: {
        EnableMagneticStoreWrites: true,
        MagneticStoreRejectedDataLocation: {
          S3Configuration: {
            BucketName: rejectedRecordsBucket.bucketName,
            ObjectKeyPrefix: 'rejected-records/',
            EncryptionOption: 'SSE_KMS',
            KmsKeyId: props.encryptionKey.keyArn,
          },
        },
      },
    });
    for (const resource of [database, table]) {
      Validations.of(resource).acknowledge({
        id: 'CloudFormation-Validate::W3697',
        reason:
          'Timestream for LiveAnalytics is the default metric store by design; accounts that cannot use it ' +
          "(created after 2025-06-20) set metricStore: 'cloudwatch', which synthesizes no Timestream at all.",
      });
    }
    table.applyRemovalPolicy(removalPolicy);
    this.table = { databaseName: database.ref, tableName: table.attrName, tableArn: table.attrArn };
  }
}
