import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ClaimRequest,
  IdempotencyClaim,
  IdempotencyStore,
  StoredResponse,
} from '../../ports/idempotency-store.js';

const PREFIX = 'IDEMPOTENCY#';
const SORT_KEY = 'IDEMPOTENCY';

/**
 * Idempotency records in the state table, claimed with a conditional write so two concurrent requests with
 * one key cannot both proceed. `expiresAt` (epoch seconds) drives DynamoDB TTL; since TTL deletes lazily,
 * an expired record is also treated as absent by the condition.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(request: ClaimRequest): Promise<IdempotencyClaim> {
    const key = { pk: `${PREFIX}${request.key}`, sk: SORT_KEY };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            status: 'in-progress',
            requestHash: request.requestHash,
            lockedUntil: request.now + request.lockMs,
            expiresAt: Math.ceil((request.now + request.retentionMs) / 1000),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':nowSeconds': Math.floor(request.now / 1000),
            ':now': request.now,
            ':inProgress': 'in-progress',
          },
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) return this.claim(request); // released between the write and the read: try again
    if (Item.requestHash !== request.requestHash) return { outcome: 'mismatch' };
    if (Item.status === 'completed') {
      return { outcome: 'replay', response: { statusCode: Item.statusCode, body: Item.body } };
    }
    return { outcome: 'in-progress' };
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `${PREFIX}${key}`, sk: SORT_KEY },
        UpdateExpression:
          'SET #status = :completed, statusCode = :statusCode, body = :body REMOVE lockedUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':completed': 'completed',
          ':statusCode': response.statusCode,
          ':body': response.body,
        },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: `${PREFIX}${key}`, sk: SORT_KEY } }),
    );
  }
}
