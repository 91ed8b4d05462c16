import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { STATE_TABLE_TTL_ATTRIBUTE } from '../../../lambdas/shared/state-table.js';
import { loadEnvironment } from '../../../lib/config/load-environment.js';
import { StorageStack } from '../../../lib/stacks/storage-stack.js';
import { onlyLogicalId, testApp } from '../support/cdk-app.js';

// One app, one synth: the three storage variants that differ in what they create or keep.
const app = testApp();
const env = { account: '123456789012', region: 'us-east-1' };
const devStack = new StorageStack(app, 'Dev', { env, environment: loadEnvironment('dev') });
const prodStack = new StorageStack(app, 'Prod', { env, environment: loadEnvironment('prod') });
const cloudWatchStack = new StorageStack(app, 'DevCloudWatch', {
  env,
  environment: loadEnvironment('dev', { metricStore: 'cloudwatch' }),
});
const dev = Template.fromStack(devStack);
const prod = Template.fromStack(prodStack);
const cloudWatch = Template.fromStack(cloudWatchStack);

const keyArn = (template: Template) => ({ 'Fn::GetAtt': [onlyLogicalId(template, 'AWS::KMS::Key'), 'Arn'] });

describe('StorageStack', () => {
  describe('key', () => {
    it('rotates automatically', () => {
      dev.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('lets CloudWatch Logs use it only for log groups of this account and region', () => {
      dev.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logs.us-east-1.amazonaws.com' },
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:123456789012:log-group:*',
                },
              },
            }),
          ]),
        },
      });
    });

    it('is kept when prod storage is deleted', () => {
      prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });
  });

  describe('state table', () => {
    it('is keyed by string pk and sk, on demand', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('is encrypted with the environment key and has point-in-time recovery', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn(dev) },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('outputs its name for `vigil token create --table`', () => {
      const [tableId] = Object.keys(dev.findResources('AWS::DynamoDB::Table'));
      dev.hasOutput('StateTableName', { Value: { Ref: tableId } });
    });

    it('expires items by their expiresAt attribute, which every repository writes in epoch seconds', () => {
      dev.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: STATE_TABLE_TTL_ATTRIBUTE, Enabled: true },
      });
    });

    it('is retained and deletion-protected in prod only', () => {
      prod.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
      dev.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });
  });

  describe('Timestream metric store', () => {
    it('encrypts the database with the environment key', () => {
      dev.hasResourceProperties('AWS::Timestream::Database', { KmsKeyId: keyArn(dev) });
    });

    it("keeps records in memory and on magnetic storage for the environment's retention", () => {
      dev.hasResourceProperties('AWS::Timestream::Table', {
        RetentionProperties: {
          MemoryStoreRetentionPeriodInHours: '24',
          MagneticStoreRetentionPeriodInDays: '30',
        },
      });
      prod.hasResourceProperties('AWS::Timestream::Table', {
        RetentionProperties: {
          MemoryStoreRetentionPeriodInHours: '72',
          MagneticStoreRetentionPeriodInDays: '400',
        },
      });
    });

    it('accepts late writes and reports what it rejects to the encrypted bucket', () => {
      dev.hasResourceProperties('AWS::Timestream::Table', {
        MagneticStoreWriteProperties: {
          EnableMagneticStoreWrites: true,
          MagneticStoreRejectedDataLocation: {
            S3Configuration: {
              BucketName: { Ref: onlyLogicalId(dev, 'AWS::S3::Bucket') },
              EncryptionOption: 'SSE_KMS',
              KmsKeyId: keyArn(dev),
            },
          },
        },
      });
    });

    it('keeps rejected-record reports in a private, versioned, KMS-encrypted, TLS-only bucket', () => {
      dev.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(dev) } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      dev.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('is not synthesized at all when metrics go to CloudWatch', () => {
      cloudWatch.resourceCountIs('AWS::Timestream::Database', 0);
      cloudWatch.resourceCountIs('AWS::Timestream::Table', 0);
      cloudWatch.resourceCountIs('AWS::S3::Bucket', 0);
      assert.deepEqual(cloudWatchStack.metricStore, { kind: 'cloudwatch', namespace: 'Vigil/dev/Metrics' });
    });
  });

  describe('retry path', () => {
    it('encrypts both queues with the environment key', () => {
      dev.resourceCountIs('AWS::SQS::Queue', 2);
      dev.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn(dev) });
    });

    it('moves a batch that failed replay five times to the dead-letter queue', () => {
      const queues = dev.findResources('AWS::SQS::Queue', {
        Properties: { RedrivePolicy: Match.anyValue() },
      });
      const [retryQueue] = Object.values(queues);
      const deadLetterQueueId = Object.keys(dev.findResources('AWS::SQS::Queue')).find(
        (id) => !(id in queues),
      );

      assert.deepEqual(retryQueue?.Properties.RedrivePolicy, {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId, 'Arn'] },
        maxReceiveCount: 5,
      });
    });

    it('hides a received batch for six times the replay timeout, and keeps batches for 14 days', () => {
      dev.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: Match.anyValue(),
        VisibilityTimeout: 180,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it('refuses requests without TLS on both queues', () => {
      const policies = dev.findResources('AWS::SQS::QueuePolicy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        },
      });
      assert.equal(Object.keys(policies).length, 2);
    });
  });

  it('turns on termination protection for prod only', () => {
    assert.equal(prodStack.terminationProtection, true);
    assert.equal(devStack.terminationProtection, false);
  });
});
