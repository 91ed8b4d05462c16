import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../../../../lambdas/alerts/core/alert.js';
import { processAlert } from '../../../../../lambdas/alerts/core/pipeline.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../../lambdas/alerts/core/pipeline-config.js';
import {
  EMPTY_PIPELINE_STATE,
  type PipelineWrites,
} from '../../../../../lambdas/alerts/core/pipeline-state.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../../lib/local/dynalite-state-store.js';

/** 2026-03-10T14:00:00Z, the time the tests start at. */
export const T0 = Date.parse('2026-03-10T14:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A fresh state table on dynalite, with a document client that has no marshalling options. */
export interface TestStateTable {
  readonly store: DynaliteStateStore;
  /** Without `removeUndefinedValues`: the adapters must not depend on it. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The raw items of a partition, in sort key order. */
  items(partition: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Starts dynalite in memory with the state table (about 15 ms, so each test gets its own). */
export async function startTestStateTable(): Promise<TestStateTable> {
  const store = await startDynaliteStateStore();
  const client = DynamoDBDocumentClient.from(store.client);
  return {
    store,
    client,
    tableName: store.tableName,
    async items(partition) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: store.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': partition },
        }),
      );
      return Items ?? [];
    },
    close: () => store.close(),
  };
}

/** A mutable clock for the repositories' `now`. */
export class TestClock {
  constructor(public at: number = T0) {}
  readonly now = () => this.at;
}

/** A firing alert as a rule would send it. */
export function ruleAlert(overrides: Partial<Alert> & { model?: string; severity?: string } = {}): Alert {
  const { model = 'fraud-detector', severity = 'critical', ...rest } = overrides;
  return {
    name: 'HighErrorRate',
    labels: { model, severity },
    annotations: {
      summary: `error rate of ${model} is 4.2 %`,
      runbook_url: 'https://runbooks.example/errors',
    },
    source: 'rule',
    status: 'firing',
    startsAt: T0 - 5 * MINUTE,
    ...rest,
  };
}

/** What the pipeline writes when this alert arrives first, on an empty state, at `now`. */
export function firstArrival(alert: Alert, now: number = T0): PipelineWrites {
  return processAlert({ alert, now, state: EMPTY_PIPELINE_STATE, config: DEFAULT_PIPELINE_CONFIG }).writes;
}

/**
 * The record without properties set to undefined: the core sets optional fields to undefined where a
 * stored record simply lacks them, and both mean the same.
 */
export function withoutUndefined<T>(record: T): T {
  if (Array.isArray(record)) return record.map(withoutUndefined) as T;
  if (record === null || typeof record !== 'object') return record;
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, withoutUndefined(value)]),
  ) as T;
}
