import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE_KEYS } from '../../../shared/state-table.js';
import type { StreamState } from '../../core/cumulative.js';
import type { AdditiveValue } from '../../core/otlp-point-values.js';
import type { StreamStateRepository } from '../../ports/stream-state-repository.js';

/** Partition key prefix of OTLP stream state items (`pk = OTLPSTREAM#<stream id>`, `sk = STREAM`). */
export const STREAM_STATE_PREFIX = 'OTLPSTREAM#';
const STREAM_SORT_KEY = 'STREAM';

/** Keys per BatchGetItem: DynamoDB's limit. */
const BATCH_GET_LIMIT = 100;

/** Properties of `DynamoDbStreamStateRepository`. */
export interface DynamoDbStreamStateRepositoryProps {
  /** Document client for the state table. */
  readonly client: DynamoDBDocumentClient;
  /** The state table's name. */
  readonly tableName: string;
  /** How long an idle stream's state is kept after its last write, ms. @default 7 days */
  readonly retentionMs?: number;
  /** The current time, epoch ms (expiry is decided by it, as TTL deletion lags). @default Date.now */
  readonly now?: () => number;
  /** BatchGetItem calls per chunk before unprocessed keys are given up on, with an error. @default 8 */
  readonly maxBatchGetAttempts?: number;
  /** First wait before retrying unprocessed keys, doubled on each retry, ms. @default 25 */
  readonly retryBaseDelayMs?: number;
}

interface StreamStateItem {
  readonly pk: string;
  readonly sk: string;
  readonly version: number;
  readonly startTimeUnixNano: string;
  readonly timeUnixNano: string;
  /** The cumulative value as JSON: doubles round-trip exactly and no number hits DynamoDB's or JS's limits. */
  readonly value: string;
  readonly expiresAt: number;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

function keyOf(streamId: string) {
  return {
    [STATE_TABLE_KEYS.partitionKey]: `${STREAM_STATE_PREFIX}${streamId}`,
    [STATE_TABLE_KEYS.sortKey]: STREAM_SORT_KEY,
  };
}

/**
 * Cumulative stream state in the state table, one item per stream, written with conditional puts on the
 * item's version (dynalite, used locally, has no transactions). Items carry `expiresAt` so DynamoDB's TTL
 * removes idle streams; since TTL deletes lazily, an expired item is treated as absent when read and may be
 * overwritten as if absent.
 */
export class DynamoDbStreamStateRepository implements StreamStateRepository {
  readonly retentionMs: number;
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly maxBatchGetAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(props: DynamoDbStreamStateRepositoryProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.retentionMs = props.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = props.now ?? Date.now;
    this.maxBatchGetAttempts = props.maxBatchGetAttempts ?? 8;
    this.retryBaseDelayMs = props.retryBaseDelayMs ?? 25;
  }

  async getMany(streamIds: readonly string[]): Promise<Map<string, StreamState>> {
    const unique = [...new Set(streamIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    const items = (await Promise.all(chunks.map((chunk) => this.batchGet(chunk)))).flat();
    const nowSeconds = this.now() / 1000;
    const states = new Map<string, StreamState>();
    for (const item of items) {
      if (item.expiresAt <= nowSeconds) continue;
      const streamId = item.pk.slice(STREAM_STATE_PREFIX.length);
      states.set(streamId, {
        streamId,
        version: item.version,
        startTimeUnixNano: item.startTimeUnixNano,
        timeUnixNano: item.timeUnixNano,
        value: JSON.parse(item.value) as AdditiveValue,
      });
    }
    return states;
  }

  async put(state: StreamState, expectedVersion: number): Promise<boolean> {
    const now = this.now();
    const item: StreamStateItem = {
      ...(keyOf(state.streamId) as { pk: string; sk: string }),
      version: state.version,
      startTimeUnixNano: state.startTimeUnixNano,
      timeUnixNano: state.timeUnixNano,
      value: JSON.stringify(state.value),
      expiresAt: Math.ceil((now + this.retentionMs) / 1000),
    };
    // An expired item is absent to readers, so "no live state" also covers one TTL has not deleted yet; a
    // versioned write requires the item to be live still, so it never lands on a stream that was forgotten.
    const condition =
      expectedVersion === 0
        ? {
            ConditionExpression: `attribute_not_exists(${STATE_TABLE_KEYS.partitionKey}) OR expiresAt <= :now`,
            ExpressionAttributeValues: { ':now': now / 1000 },
          }
        : {
            ConditionExpression: 'version = :expected AND expiresAt > :now',
            ExpressionAttributeValues: { ':expected': expectedVersion, ':now': now / 1000 },
          };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  /** Reads one chunk of at most 100 keys, retrying the keys DynamoDB leaves unprocessed (throttling, size). */
  private async batchGet(streamIds: readonly string[]): Promise<StreamStateItem[]> {
    const found: StreamStateItem[] = [];
    let keys: Record<string, unknown>[] = streamIds.map(keyOf);
    for (let attempt = 1; keys.length > 0; attempt += 1) {
      if (attempt > this.maxBatchGetAttempts) {
        throw new Error(
          `stream state: ${keys.length} keys still unprocessed after ${this.maxBatchGetAttempts} BatchGetItem attempts`,
        );
      }
      if (attempt > 1) await delay(this.retryBaseDelayMs * 2 ** (attempt - 2));
      const response = await this.client.send(
        // Strongly consistent, so a writer rarely computes from a state another writer already replaced.
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      found.push(...((response.Responses?.[this.tableName] ?? []) as StreamStateItem[]));
      keys = (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return found;
  }
}
