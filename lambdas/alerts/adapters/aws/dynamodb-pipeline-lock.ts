import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE_KEYS } from '../../../shared/state-table.js';
import type { PipelineLock } from '../../ports/pipeline-lock.js';
import { expiryAttributes, isConditionalCheckFailure } from './versioned-items.js';

/** Partition key of the pipeline's lease (`sk` is `LOCK`). */
export const PIPELINE_LOCK_PARTITION = 'PIPELINE';
const LOCK_KEY = {
  [STATE_TABLE_KEYS.partitionKey]: PIPELINE_LOCK_PARTITION,
  [STATE_TABLE_KEYS.sortKey]: 'LOCK',
};

/** Properties of `DynamoDbPipelineLock`. */
export interface DynamoDbPipelineLockProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The wall clock, epoch ms: leases expire in real time even when a run evaluates another time. @default Date.now */
  readonly clock?: () => number;
}

/** The pipeline's lease as one item of the state table, taken and given back with conditional writes. */
export class DynamoDbPipelineLock implements PipelineLock {
  private readonly clock: () => number;

  constructor(private readonly props: DynamoDbPipelineLockProps) {
    this.clock = props.clock ?? Date.now;
  }

  async acquire(owner: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    try {
      await this.props.client.send(
        new PutCommand({
          TableName: this.props.tableName,
          Item: { ...LOCK_KEY, owner, leaseUntil: now + leaseMs, ...expiryAttributes(now + leaseMs) },
          ConditionExpression: 'attribute_not_exists(#pk) OR leaseUntil <= :now',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async release(owner: string): Promise<void> {
    try {
      await this.props.client.send(
        new DeleteCommand({
          TableName: this.props.tableName,
          Key: LOCK_KEY,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Its lease ran out and another run holds it now: that one is not ours to end.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}
