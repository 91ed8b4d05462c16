import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  expiryAttributes,
  isConditionalCheckFailure,
  isExpired,
} from '../../../alerts/adapters/aws/versioned-items.js';
import { STATE_TABLE_KEYS } from '../../../shared/state-table.js';
import type { TaskTokenStore, WaitingTask } from '../../ports/task-token-store.js';

/** Partition key prefix of escalation waits (`pk = ESCALATION#<incident id>`, `sk = WAIT`). */
export const ESCALATION_WAIT_PREFIX = 'ESCALATION#';
const WAIT_SORT_KEY = 'WAIT';

/** How long a wait's item outlives its timeout before TTL may remove it: a day. */
export const WAIT_RETENTION_MS = 86_400_000;

/** Properties of `DynamoDbTaskTokenStore`. */
export interface DynamoDbTaskTokenStoreProps {
  /** Document client for the state table; it needs no marshalling options. */
  readonly client: DynamoDBDocumentClient;
  /** The state table's name. */
  readonly tableName: string;
  /** The current time, epoch ms, which decides expiry (TTL deletion lags). @default Date.now */
  readonly now?: () => number;
}

function keyOf(incidentId: string) {
  return {
    [STATE_TABLE_KEYS.partitionKey]: `${ESCALATION_WAIT_PREFIX}${incidentId}`,
    [STATE_TABLE_KEYS.sortKey]: WAIT_SORT_KEY,
  };
}

/**
 * Escalation waits in the state table, one item per incident, the wait stored whole as JSON (`data`) with
 * its token beside it for the conditional delete. An item expires a day after its wait times out, since an
 * execution never waits longer; expired items are absent to reads, as TTL deletes lazily.
 */
export class DynamoDbTaskTokenStore implements TaskTokenStore {
  private readonly now: () => number;

  constructor(private readonly props: DynamoDbTaskTokenStoreProps) {
    this.now = props.now ?? Date.now;
  }

  async put(task: WaitingTask): Promise<void> {
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: {
          ...keyOf(task.incidentId),
          token: task.token,
          data: JSON.stringify(task),
          ...expiryAttributes(task.until + WAIT_RETENTION_MS),
        },
      }),
    );
  }

  async get(incidentId: string): Promise<WaitingTask | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: keyOf(incidentId), ConsistentRead: true }),
    );
    if (!Item || isExpired(Item, this.now())) return undefined;
    return JSON.parse(Item.data as string) as WaitingTask;
  }

  async delete(incidentId: string, token: string): Promise<void> {
    try {
      await this.props.client.send(
        new DeleteCommand({
          TableName: this.props.tableName,
          Key: keyOf(incidentId),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      // A newer wait holds the item (or none is left): it is not this wait's to delete.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}
