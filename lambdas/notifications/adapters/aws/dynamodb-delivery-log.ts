import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLog } from '../../ports/delivery-log.js';

/** The partition key prefix of delivery receipts in the state table. */
export const DELIVERY_RECEIPT_PREFIX = 'NOTIFICATION#';
const CHANNEL_PREFIX = 'CHANNEL#';

/** Where receipts are kept and for how long. */
export interface DynamoDbDeliveryLogProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * How long a receipt is kept: longer than Lambda retries an event (6 hours at most) and long enough for a
   * message redriven from the dead-letter queue within the week to skip the channels it reached.
   * @default 7 days
   */
  readonly retentionMs?: number;
}

/**
 * Delivery receipts in the state table: one item per message and channel (`pk` NOTIFICATION#<message id>,
 * `sk` CHANNEL#<name>), expiring by `expiresAt`; since TTL deletes lazily, expired receipts are ignored.
 */
export class DynamoDbDeliveryLog implements DeliveryLog {
  private readonly retentionMs: number;

  constructor(private readonly props: DynamoDbDeliveryLogProps) {
    this.retentionMs = props.retentionMs ?? 7 * 86_400_000;
  }

  async deliveredChannels(messageId: string, now: number): Promise<ReadonlySet<string>> {
    const channels = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.props.client.send(
        new QueryCommand({
          TableName: this.props.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${DELIVERY_RECEIPT_PREFIX}${messageId}` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now) continue;
        if (typeof item.sk === 'string') channels.add(item.sk.slice(CHANNEL_PREFIX.length));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return channels;
  }

  async recordDelivery(messageId: string, channel: string, now: number): Promise<void> {
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: {
          pk: `${DELIVERY_RECEIPT_PREFIX}${messageId}`,
          sk: `${CHANNEL_PREFIX}${channel}`,
          deliveredAt: now,
          expiresAt: Math.ceil((now + this.retentionMs) / 1000),
        },
      }),
    );
  }
}
