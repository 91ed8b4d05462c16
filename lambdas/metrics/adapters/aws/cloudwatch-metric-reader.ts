import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { labelsOf } from '../../core/aggregate.js';
import { type Dimensions, dimensionsKey } from '../../core/rollup.js';
import type { MetricQuery, MetricReader, Series, Stat } from '../../ports/metric-store.js';

/** CloudWatch statistic names, by the Vigil statistic they help answer. */
export const CLOUDWATCH_STATISTICS: Readonly<Record<Stat, readonly string[]>> = {
  avg: ['Sum', 'SampleCount'],
  sum: ['Sum'],
  count: ['SampleCount'],
  min: ['Minimum'],
  max: ['Maximum'],
  rate: ['Sum'],
  p50: ['p50'],
  p90: ['p90'],
  p95: ['p95'],
  p99: ['p99'],
};

/** Metric data queries in one GetMetricData call. */
const QUERIES_PER_CALL = 500;
const DAY_MS = 86_400_000;

/**
 * The GetMetricData period for a query, seconds: the step (or the whole range without one), rounded up to
 * what CloudWatch keeps for data of that age: 1 minute up to 15 days old, 5 minutes up to 63 days, then
 * 1 hour.
 */
export function cloudWatchPeriodSeconds(query: MetricQuery, now: number): number {
  const widthSeconds = Math.ceil((query.stepMs ?? query.to - query.from) / 1000);
  const age = now - query.from;
  const granularity = age > 63 * DAY_MS ? 3600 : age > 15 * DAY_MS ? 300 : 60;
  return Math.max(granularity, Math.ceil(widthSeconds / granularity) * granularity);
}

interface StoredSeries {
  readonly dimensions: Dimensions;
  readonly cloudWatchDimensions: Dimension[];
}

/** One CloudWatch series' answer to one statistic: value by period start (epoch ms). */
type StatisticValues = Map<number, number>;

/**
 * Combines the series of one group at one period start. Counts, sums, minima and maxima combine exactly.
 * Percentiles cannot be merged from CloudWatch's answers: the group's is the largest of its series'
 * percentiles, an upper bound of the true one (the p-th percentile of a mixture never exceeds the largest
 * component's), and exact when the group is a single series.
 */
function combine(stat: Stat, parts: ReadonlyArray<Readonly<Record<string, number>>>, periodSeconds: number) {
  const total = (name: string) => parts.reduce((sum, part) => sum + (part[name] ?? 0), 0);
  switch (stat) {
    case 'sum':
      return total('Sum');
    case 'count':
      return total('SampleCount');
    case 'rate':
      return total('Sum') / periodSeconds;
    case 'avg': {
      const count = total('SampleCount');
      return count === 0 ? undefined : total('Sum') / count;
    }
    case 'min':
      return Math.min(...parts.map((part) => part.Minimum ?? Number.POSITIVE_INFINITY));
    case 'max':
      return Math.max(...parts.map((part) => part.Maximum ?? Number.NEGATIVE_INFINITY));
    default:
      return Math.max(...parts.map((part) => part[stat] ?? Number.NEGATIVE_INFINITY));
  }
}

/** What a `CloudWatchMetricReader` reads from. */
export interface CloudWatchMetricReaderProps {
  readonly client: CloudWatchClient;
  /** The namespace the `CloudWatchMetricWriter` publishes to. */
  readonly namespace: string;
  /** The current time, epoch ms, to pick the period CloudWatch still keeps. @default Date.now */
  readonly now?: () => number;
}

/**
 * Answers metric queries from CloudWatch (the metric store of accounts without Timestream).
 *
 * ListMetrics finds the stored series of the metric that match the filters (CloudWatch keeps a series per
 * full dimension set, so `model=a` may match one series per model version), GetMetricData reads the needed
 * statistics of each, 500 queries per call, page by page, with the period set to the step (at least 60 s),
 * and the series are grouped by `groupBy` here. Limits: ListMetrics only lists series with data in the last
 * two weeks, and a percentile over a group of several series is an upper bound (see `combine`).
 */
export class CloudWatchMetricReader implements MetricReader {
  constructor(private readonly props: CloudWatchMetricReaderProps) {}

  async query(query: MetricQuery): Promise<Series[]> {
    const stored = await this.listSeries(query.metric, query.filters);
    if (stored.length === 0) return [];
    const periodSeconds = cloudWatchPeriodSeconds(query, (this.props.now ?? Date.now)());
    const statistics = CLOUDWATCH_STATISTICS[query.stat];
    const queries: MetricDataQuery[] = stored.flatMap((series, seriesIndex) =>
      statistics.map((statistic, statisticIndex) => ({
        Id: `s${seriesIndex}_${statisticIndex}`,
        MetricStat: {
          Metric: {
            Namespace: this.props.namespace,
            MetricName: query.metric,
            Dimensions: series.cloudWatchDimensions,
          },
          Period: periodSeconds,
          Stat: statistic,
        },
        ReturnData: true,
      })),
    );
    const valuesById = await this.metricData(queries, query.from, query.to);

    const groups = new Map<string, { labels: Dimensions; seriesIndexes: number[] }>();
    stored.forEach((series, seriesIndex) => {
      const labels = labelsOf(series.dimensions, query.groupBy);
      const key = dimensionsKey(labels);
      const group = groups.get(key) ?? { labels, seriesIndexes: [] };
      group.seriesIndexes.push(seriesIndex);
      groups.set(key, group);
    });
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { labels, seriesIndexes }]) => {
        const partsByTime = new Map<number, Record<string, number>[]>();
        for (const seriesIndex of seriesIndexes) {
          const partsOfSeries = new Map<number, Record<string, number>>();
          statistics.forEach((statistic, statisticIndex) => {
            for (const [time, value] of valuesById.get(`s${seriesIndex}_${statisticIndex}`) ?? []) {
              const part = partsOfSeries.get(time) ?? {};
              part[statistic] = value;
              partsOfSeries.set(time, part);
            }
          });
          for (const [time, part] of partsOfSeries)
            partsByTime.set(time, [...(partsByTime.get(time) ?? []), part]);
        }
        const points = [...partsByTime.entries()]
          .sort(([a], [b]) => a - b)
          .flatMap(([time, parts]) => {
            const value = combine(query.stat, parts, periodSeconds);
            return value === undefined || !Number.isFinite(value) ? [] : [[time, value] as const];
          });
        return { labels, points };
      })
      .filter((series) => series.points.length > 0);
  }

  /** The stored series of `metric` whose dimensions include the filters. */
  private async listSeries(metric: string, filters: Dimensions): Promise<StoredSeries[]> {
    const series: StoredSeries[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.props.client.send(
        new ListMetricsCommand({
          Namespace: this.props.namespace,
          MetricName: metric,
          Dimensions: Object.entries(filters).map(([Name, Value]) => ({ Name, Value })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const listed of page.Metrics ?? []) {
        const cloudWatchDimensions = listed.Dimensions ?? [];
        const dimensions = Object.fromEntries(cloudWatchDimensions.map(({ Name, Value }) => [Name!, Value!]));
        // ListMetrics matches filters already; checking again keeps the answer right whatever it returns.
        if (Object.entries(filters).every(([name, value]) => dimensions[name] === value))
          series.push({ dimensions, cloudWatchDimensions });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return series;
  }

  /** Runs the queries, 500 per call, following NextToken; returns each query's values by time. */
  private async metricData(
    queries: readonly MetricDataQuery[],
    from: number,
    to: number,
  ): Promise<Map<string, StatisticValues>> {
    const valuesById = new Map<string, StatisticValues>();
    for (let start = 0; start < queries.length; start += QUERIES_PER_CALL) {
      let nextToken: string | undefined;
      do {
        const page = await this.props.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries.slice(start, start + QUERIES_PER_CALL),
            StartTime: new Date(from),
            EndTime: new Date(to),
            ScanBy: 'TimestampAscending',
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const values = valuesById.get(result.Id!) ?? new Map<number, number>();
          result.Timestamps?.forEach((timestamp, index) => {
            const value = result.Values?.[index];
            if (value !== undefined) values.set(new Date(timestamp).getTime(), value);
          });
          valuesById.set(result.Id!, values);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return valuesById;
  }
}
