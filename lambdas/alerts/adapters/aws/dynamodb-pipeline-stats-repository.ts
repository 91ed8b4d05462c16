import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE_KEYS } from '../../../shared/state-table.js';
import { addCounters, type PipelineCounters, ZERO_COUNTERS } from '../../core/pipeline-state.js';
import type { PipelineStatsRepository } from '../../ports/pipeline-stats-repository.js';
import {
  expiryAttributes,
  isExpired,
  queryPartition,
  type StateTableRepositoryProps,
} from './versioned-items.js';

/** Partition key of the pipeline's hourly counters (`sk` is the hour's start, ISO-8601, which sorts by time). */
export const PIPELINE_STATS_PARTITION = 'PIPELINESTATS';

/** How long an hour's counters are kept: 400 days, enough to compare a year with the one before. */
export const PIPELINE_STATS_RETENTION_MS = 400 * 86_400_000;

const HOUR_MS = 3_600_000;

/** Properties of `DynamoDbPipelineStatsRepository`. */
export type DynamoDbPipelineStatsRepositoryProps = Pick<
  StateTableRepositoryProps,
  'client' | 'tableName' | 'now' | 'pageSize'
>;

const COUNTER_NAMES = Object.keys(ZERO_COUNTERS) as (keyof PipelineCounters)[];

const hourStartOf = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;
const hourKeyOf = (hourStart: number) => new Date(hourStart).toISOString();

/**
 * The pipeline's counters per hour in the state table's `PIPELINESTATS` partition, one item per hour with
 * a number attribute per counter. Adding is one UpdateItem with `ADD`, atomic without versions.
 */
export class DynamoDbPipelineStatsRepository implements PipelineStatsRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly pageSize: number | undefined;

  constructor(props: DynamoDbPipelineStatsRepositoryProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? Date.now;
    this.pageSize = props.pageSize;
  }

  async add(at: number, counters: PipelineCounters): Promise<void> {
    const added = COUNTER_NAMES.filter((name) => counters[name] !== 0);
    if (added.length === 0) return;
    const hourStart = hourStartOf(at);
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const additions = added.map((name, i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = counters[name];
      return `#c${i} :c${i}`;
    });
    const expiry = Object.entries(expiryAttributes(hourStart + PIPELINE_STATS_RETENTION_MS));
    const settings = expiry.map(([name, value], i) => {
      names[`#e${i}`] = name;
      values[`:e${i}`] = value;
      return `#e${i} = :e${i}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: {
          [STATE_TABLE_KEYS.partitionKey]: PIPELINE_STATS_PARTITION,
          [STATE_TABLE_KEYS.sortKey]: hourKeyOf(hourStart),
        },
        UpdateExpression: `ADD ${additions.join(', ')} SET ${settings.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Sums the hours that overlap [from, to). */
  async sum(from: number, to: number): Promise<PipelineCounters> {
    if (to <= from) return ZERO_COUNTERS;
    const items = await queryPartition(this.client, {
      tableName: this.tableName,
      partition: PIPELINE_STATS_PARTITION,
      sortKeyBetween: [hourKeyOf(hourStartOf(from)), hourKeyOf(hourStartOf(to - 1))],
      pageSize: this.pageSize,
    });
    const now = this.now();
    let total = ZERO_COUNTERS;
    for (const item of items) {
      if (isExpired(item, now)) continue;
      const hour: Partial<Record<keyof PipelineCounters, number>> = {};
      for (const name of COUNTER_NAMES) {
        if (typeof item[name] === 'number') hour[name] = item[name];
      }
      total = addCounters(total, hour);
    }
    return total;
  }
}
