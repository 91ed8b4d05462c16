import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  EXPIRES_AT_MS_ATTRIBUTE,
  expiryAttributes,
  isConditionalCheckFailure,
  isExpired,
} from '../../../alerts/adapters/aws/versioned-items.js';
import { STATE_TABLE_KEYS } from '../../../shared/state-table.js';
import type {
  LabelClaim,
  PredictionJoinStore,
  RememberedPrediction,
} from '../../ports/prediction-join-store.js';

/** Partition key prefix of remembered predictions: `PREDICTION#<model>#<id>` (one partition each, no hot key). */
export const PREDICTION_PREFIX = 'PREDICTION#';
const SORT_KEY = 'P';

/** Items per BatchWriteItem: DynamoDB's limit. */
const BATCH_WRITE_LIMIT = 25;
/** Batch writes in flight at once. */
const WRITE_CONCURRENCY = 8;

/** Properties of `DynamoDbPredictionJoinStore`. */
export interface DynamoDbPredictionJoinStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** BatchWriteItem calls per chunk before unprocessed items are given up on, with an error. @default 8 */
  readonly maxBatchWriteAttempts?: number;
  /** First wait before retrying unprocessed items, doubled each time, ms. @default 25 */
  readonly retryBaseDelayMs?: number;
}

const keyOf = (model: string, id: string) => ({
  [STATE_TABLE_KEYS.partitionKey]: `${PREDICTION_PREFIX}${model}#${id}`,
  [STATE_TABLE_KEYS.sortKey]: SORT_KEY,
});

/**
 * Remembered predictions in the state table, one item each with a TTL of the join window. A label claims
 * its prediction with one conditional update (`labelledAt` not yet set, not expired), so two labels for
 * the same prediction, even at once, count it once.
 */
export class DynamoDbPredictionJoinStore implements PredictionJoinStore {
  private readonly maxBatchWriteAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(private readonly props: DynamoDbPredictionJoinStoreProps) {
    this.maxBatchWriteAttempts = props.maxBatchWriteAttempts ?? 8;
    this.retryBaseDelayMs = props.retryBaseDelayMs ?? 25;
  }

  async remember(predictions: readonly RememberedPrediction[], expiresAt: number): Promise<void> {
    // The last of repeated (model, id) pairs wins, as BatchWriteItem refuses duplicate keys in one call.
    const unique = new Map(
      predictions.map((prediction) => [`${prediction.model}#${prediction.id}`, prediction]),
    );
    const items = [...unique.values()].map((prediction) => ({
      ...keyOf(prediction.model, prediction.id),
      data: JSON.stringify(prediction),
      ...expiryAttributes(expiresAt),
    }));
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT)
      chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
    for (let i = 0; i < chunks.length; i += WRITE_CONCURRENCY) {
      await Promise.all(chunks.slice(i, i + WRITE_CONCURRENCY).map((chunk) => this.batchWrite(chunk)));
    }
  }

  private async batchWrite(items: readonly Record<string, unknown>[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > this.maxBatchWriteAttempts) {
        throw new Error(
          `DynamoDB left ${pending.length} remembered prediction(s) unprocessed after ${this.maxBatchWriteAttempts} attempts`,
        );
      }
      if (attempt > 1) await delay(this.retryBaseDelayMs * 2 ** (attempt - 2));
      const { UnprocessedItems } = await this.props.client.send(
        new BatchWriteCommand({ RequestItems: { [this.props.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[this.props.tableName] ?? []) as typeof pending;
    }
  }

  claim(
    keys: ReadonlyArray<{ readonly model: string; readonly id: string }>,
    now: number,
  ): Promise<LabelClaim[]> {
    return Promise.all(keys.map(({ model, id }) => this.claimOne(model, id, now)));
  }

  private async claimOne(model: string, id: string, now: number): Promise<LabelClaim> {
    try {
      const { Attributes } = await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: keyOf(model, id),
          UpdateExpression: 'SET labelledAt = :now',
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(labelledAt) AND #expiresAtMs > :now',
          ExpressionAttributeNames: {
            '#pk': STATE_TABLE_KEYS.partitionKey,
            '#expiresAtMs': EXPIRES_AT_MS_ATTRIBUTE,
          },
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return {
        outcome: 'claimed',
        prediction: JSON.parse(Attributes!.data as string) as RememberedPrediction,
      };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    // Why the claim failed: never seen, expired, or labelled before.
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: keyOf(model, id), ConsistentRead: true }),
    );
    if (!Item || isExpired(Item, now)) return { outcome: 'unknown' };
    return { outcome: 'already-labelled', labelledAt: Item.labelledAt as number };
  }
}
