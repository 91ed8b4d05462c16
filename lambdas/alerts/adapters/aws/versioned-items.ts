import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE_KEYS, STATE_TABLE_TTL_ATTRIBUTE } from '../../../shared/state-table.js';

/*
 * The alert context keeps each kind of record in one partition of the state table (`pk` names the kind,
 * `sk` the record), so listing a kind is one paged Query: alerts, groups, incidents and silences number in
 * the hundreds, not millions. A record is stored whole as a JSON string (`data`): doubles and absent
 * optional fields round-trip exactly, with no marshalling options to get right. The few fields that
 * filters read are copied beside it as attributes.
 *
 * Writes are optimistic: a record of version n is stored only over version n - 1 (over nothing when n is
 * 1), in one conditional write, since dynalite (the local platform) has no transactions.
 *
 * Expiry: the TTL attribute `expiresAt` holds whole epoch seconds (DynamoDB's format) and TTL deletes
 * lazily, so the exact expiry in ms is kept too (`expiresAtMs`), and reads and conditions use it: an
 * item past it is absent to readers, may be created anew, and refuses versioned writes.
 */

/** Attribute with the exact expiry, epoch ms; `expiresAt` (seconds, for TTL) is rounded up from it. */
export const EXPIRES_AT_MS_ATTRIBUTE = 'expiresAtMs';

/** Keys per BatchGetItem: DynamoDB's limit. */
const BATCH_GET_LIMIT = 100;

/** What every alert repository on the state table is built from. */
export interface StateTableRepositoryProps {
  /** Document client for the state table; it needs no marshalling options. */
  readonly client: DynamoDBDocumentClient;
  /** The state table's name. */
  readonly tableName: string;
  /** The current time, epoch ms, which decides expiry (TTL deletion lags). @default Date.now */
  readonly now?: () => number;
  /** Items per Query page, to bound each call (tests use it to force paging). @default DynamoDB's 1 MB pages */
  readonly pageSize?: number;
  /** BatchGetItem calls per chunk of keys before unprocessed keys are given up on, with an error. @default 8 */
  readonly maxBatchGetAttempts?: number;
  /** First wait before retrying unprocessed keys, doubled on each retry, ms. @default 25 */
  readonly retryBaseDelayMs?: number;
}

/** A condition on items' attributes for a Query's FilterExpression. */
export interface ItemFilter {
  readonly expression: string;
  readonly names?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, unknown>>;
}

/** Attribute values a repository copies beside a record for filters (undefined ones are left out). */
export type FilterAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** One record to store, with the version it gets and what is kept beside it. */
export interface VersionedWrite<T> {
  /** The record's sort key. */
  readonly key: string;
  readonly version: number;
  readonly record: T;
  readonly attributes?: FilterAttributes;
  /** When the record may be forgotten, epoch ms; never when undefined. */
  readonly expiresAtMs?: number;
}

/** A state table item as read: keys plus any attributes. */
export type StateItem = Record<string, unknown>;

/** Whether an item is past its exact expiry at `now` (epoch ms); items without one never expire. */
export function isExpired(item: StateItem, now: number): boolean {
  const expiresAtMs = item[EXPIRES_AT_MS_ATTRIBUTE];
  return typeof expiresAtMs === 'number' && expiresAtMs <= now;
}

/** The expiry attributes of an item that expires at `expiresAtMs`: TTL seconds (rounded up) and exact ms. */
export function expiryAttributes(expiresAtMs: number): Record<string, number> {
  return {
    [STATE_TABLE_TTL_ATTRIBUTE]: Math.ceil(expiresAtMs / 1000),
    [EXPIRES_AT_MS_ATTRIBUTE]: expiresAtMs,
  };
}

/** Whether a write failed on its condition (the SDK's class, or its name when the class came from elsewhere). */
export function isConditionalCheckFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/** Which items of one partition `queryPartition` reads. */
export interface PartitionQuery {
  readonly tableName: string;
  readonly partition: string;
  /** Only sort keys between these, inclusive. */
  readonly sortKeyBetween?: readonly [string, string];
  readonly filter?: ItemFilter;
  readonly pageSize?: number;
}

/** Every item of a partition that matches, reading page after page until no LastEvaluatedKey is left. */
export async function queryPartition(
  client: DynamoDBDocumentClient,
  query: PartitionQuery,
): Promise<StateItem[]> {
  const names: Record<string, string> = { '#pk': STATE_TABLE_KEYS.partitionKey, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': query.partition, ...query.filter?.values };
  let keyCondition = '#pk = :pk';
  if (query.sortKeyBetween) {
    names['#sk'] = STATE_TABLE_KEYS.sortKey;
    values[':skFrom'] = query.sortKeyBetween[0];
    values[':skTo'] = query.sortKeyBetween[1];
    keyCondition += ' AND #sk BETWEEN :skFrom AND :skTo';
  }
  const items: StateItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: query.tableName,
        KeyConditionExpression: keyCondition,
        FilterExpression: query.filter?.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // Strongly consistent: a pipeline run must not compute from a version another run already replaced.
        ConsistentRead: true,
        Limit: query.pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Records of one kind (one partition of the state table), stored whole as JSON and written with a
 * condition on their version. Expired items are absent to every read.
 */
export class VersionedItems<T> {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly pageSize: number | undefined;
  private readonly maxBatchGetAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(
    /** The partition key value of this kind of record, e.g. `ALERT`. */
    readonly partition: string,
    props: StateTableRepositoryProps,
  ) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? Date.now;
    this.pageSize = props.pageSize;
    this.maxBatchGetAttempts = props.maxBatchGetAttempts ?? 8;
    this.retryBaseDelayMs = props.retryBaseDelayMs ?? 25;
  }

  /** The record under this sort key, unless absent or expired. */
  async get(key: string): Promise<T | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }),
    );
    return Item && !isExpired(Item, this.now()) ? this.recordOf(Item) : undefined;
  }

  /** The live records under these sort keys, by key; repeated and unknown keys are fine. */
  async getMany(keys: readonly string[]): Promise<Map<string, T>> {
    const unique = [...new Set(keys)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    const items = (await Promise.all(chunks.map((chunk) => this.batchGet(chunk)))).flat();
    const now = this.now();
    const records = new Map<string, T>();
    for (const item of items) {
      if (!isExpired(item, now)) records.set(item[STATE_TABLE_KEYS.sortKey] as string, this.recordOf(item));
    }
    return records;
  }

  /** Every live record of the partition, in sort key order, optionally filtered on the stored attributes. */
  async query(filter?: ItemFilter): Promise<T[]> {
    const items = await queryPartition(this.client, {
      tableName: this.tableName,
      partition: this.partition,
      filter,
      pageSize: this.pageSize,
    });
    const now = this.now();
    return items.filter((item) => !isExpired(item, now)).map((item) => this.recordOf(item));
  }

  /**
   * Stores the record if the stored version is `version - 1`, or, for version 1, if none is stored (or
   * only an expired one); returns false, storing nothing, otherwise.
   */
  async put(write: VersionedWrite<T>): Promise<boolean> {
    if (!Number.isInteger(write.version) || write.version < 1) {
      throw new Error(
        `${this.partition} ${write.key}: version must be an integer of at least 1, got ${write.version}`,
      );
    }
    const attributes = Object.fromEntries(
      Object.entries(write.attributes ?? {}).filter(([, value]) => value !== undefined),
    );
    const item = {
      ...attributes,
      ...this.keyOf(write.key),
      version: write.version,
      data: JSON.stringify(write.record),
      ...(write.expiresAtMs === undefined ? {} : expiryAttributes(write.expiresAtMs)),
    };
    const now = this.now();
    const condition =
      write.version === 1
        ? {
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAtMs <= :now',
            ExpressionAttributeNames: {
              '#pk': STATE_TABLE_KEYS.partitionKey,
              '#expiresAtMs': EXPIRES_AT_MS_ATTRIBUTE,
            },
            ExpressionAttributeValues: { ':now': now },
          }
        : this.liveVersionCondition(write.version - 1, now);
    return this.conditionally(() =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition })),
    );
  }

  /** Deletes the record if the stored, live version is `expectedVersion`; false, changing nothing, if not. */
  async delete(key: string, expectedVersion: number): Promise<boolean> {
    return this.conditionally(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ...this.liveVersionCondition(expectedVersion, this.now()),
        }),
      ),
    );
  }

  /** A versioned write must find the version it read, still live: it never lands on a forgotten record. */
  private liveVersionCondition(version: number, now: number) {
    return {
      ConditionExpression:
        '#version = :version AND (attribute_not_exists(#expiresAtMs) OR #expiresAtMs > :now)',
      ExpressionAttributeNames: { '#version': 'version', '#expiresAtMs': EXPIRES_AT_MS_ATTRIBUTE },
      ExpressionAttributeValues: { ':version': version, ':now': now },
    };
  }

  /** Runs a conditional write: true when it was applied, false when its condition failed. */
  private async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  private keyOf(key: string): Record<string, string> {
    return { [STATE_TABLE_KEYS.partitionKey]: this.partition, [STATE_TABLE_KEYS.sortKey]: key };
  }

  private recordOf(item: StateItem): T {
    return JSON.parse(item.data as string) as T;
  }

  /** Reads one chunk of at most 100 keys, retrying the keys DynamoDB leaves unprocessed (throttling, size). */
  private async batchGet(keys: readonly string[]): Promise<StateItem[]> {
    const found: StateItem[] = [];
    let pending: Record<string, unknown>[] = keys.map((key) => this.keyOf(key));
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > this.maxBatchGetAttempts) {
        throw new Error(
          `${this.partition}: ${pending.length} keys still unprocessed after ${this.maxBatchGetAttempts} BatchGetItem attempts`,
        );
      }
      if (attempt > 1) await delay(this.retryBaseDelayMs * 2 ** (attempt - 2));
      const response = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      found.push(...(response.Responses?.[this.tableName] ?? []));
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return found;
  }
}
