import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricRollup } from '../../core/rollup.js';
import { sketchBins } from '../../core/rollup-codec.js';
import type { MetricWriter, RejectedRollup, WriteOutcome } from '../../ports/metric-store.js';
import { type RetryOptions, withRetries } from './retry.js';

/** CloudWatch PutMetricData limits (API reference: PutMetricData, MetricDatum, Dimension). */
export const CLOUDWATCH_LIMITS = {
  datumsPerPut: 1000,
  /** A request is at most 1 MB; half of it leaves room for the encoding's overhead. */
  requestBytes: 512 * 1024,
  dimensionsPerDatum: 30,
  /** Unique values in one datum's `Values` array. */
  valuesPerDatum: 150,
  metricNameLength: 255,
  dimensionNameLength: 255,
  dimensionValueLength: 1024,
  /** CloudWatch refuses values beyond ±2^360. */
  maxAbsoluteValue: 2 ** 360,
} as const;

/** A rollup as CloudWatch datums, or why it cannot be published. */
export type RollupDatumsResult =
  | { readonly ok: true; readonly datums: MetricDatum[] }
  | { readonly ok: false; readonly reason: string };

function valueProblem(name: string, value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > CLOUDWATCH_LIMITS.maxAbsoluteValue)
    return `${name} is ${value}; CloudWatch takes finite values within ±2^360`;
  return undefined;
}

/**
 * Turns a rollup into PutMetricData datums. The metric name and dimensions (`model`, `modelVersion`, any
 * other) map one to one; dimensions with an empty value are left out, as CloudWatch allows none.
 *
 * A rollup without a sketch becomes one datum with `StatisticValues` (exact count, sum, min, max). A
 * distribution becomes `Values`/`Counts` from its sketch bins, split over datums of at most 150 values,
 * so that CloudWatch can answer percentiles; CloudWatch then derives sum, min and max from the bin values,
 * which are within the sketch's 1 % of the exact figures (a datum cannot carry both forms).
 */
export function rollupToDatums(rollup: MetricRollup): RollupDatumsResult {
  const fail = (reason: string): RollupDatumsResult => ({ ok: false, reason });
  if (rollup.metric.length === 0 || rollup.metric.length > CLOUDWATCH_LIMITS.metricNameLength)
    return fail(`metric name has ${rollup.metric.length} characters; CloudWatch takes 1 to 255`);
  if (!(rollup.count > 0)) return fail(`count is ${rollup.count}; CloudWatch needs at least one sample`);
  for (const name of ['sum', 'min', 'max'] as const) {
    const problem = valueProblem(name, rollup[name]);
    if (problem) return fail(problem);
  }
  const dimensions = Object.entries(rollup.dimensions)
    .filter(([, value]) => value.length > 0)
    .map(([Name, Value]) => ({ Name, Value }));
  if (dimensions.length > CLOUDWATCH_LIMITS.dimensionsPerDatum)
    return fail(`the rollup has ${dimensions.length} dimensions; CloudWatch takes at most 30`);
  for (const { Name, Value } of dimensions) {
    if (Name.length === 0 || Name.length > CLOUDWATCH_LIMITS.dimensionNameLength)
      return fail(`dimension name "${Name}" has ${Name.length} characters; CloudWatch takes 1 to 255`);
    if (Value.length > CLOUDWATCH_LIMITS.dimensionValueLength)
      return fail(`dimension "${Name}" has a ${Value.length}-character value; CloudWatch takes at most 1024`);
  }
  const base = { MetricName: rollup.metric, Dimensions: dimensions, Timestamp: new Date(rollup.minute) };
  if (!rollup.sketch) {
    return {
      ok: true,
      datums: [
        {
          ...base,
          StatisticValues: {
            SampleCount: rollup.count,
            Sum: rollup.sum,
            Minimum: rollup.min,
            Maximum: rollup.max,
          },
        },
      ],
    };
  }
  const bins = sketchBins(rollup.sketch);
  if (bins.length === 0) return fail('the sketch is empty while count is positive');
  const datums: MetricDatum[] = [];
  for (let start = 0; start < bins.length; start += CLOUDWATCH_LIMITS.valuesPerDatum) {
    const chunk = bins.slice(start, start + CLOUDWATCH_LIMITS.valuesPerDatum);
    datums.push({ ...base, Values: chunk.map((bin) => bin.value), Counts: chunk.map((bin) => bin.count) });
  }
  return { ok: true, datums };
}

/** What a `CloudWatchMetricWriter` writes to, and how it retries. */
export interface CloudWatchMetricWriterProps extends RetryOptions {
  readonly client: CloudWatchClient;
  /** The namespace of the metric store's metrics (apart from the dashboards' EMF namespace). */
  readonly namespace: string;
}

interface PendingRollup {
  readonly rollup: MetricRollup;
  readonly datums: MetricDatum[];
  readonly bytes: number;
}

/** A generous estimate of a datum's size on the wire, whatever protocol the SDK speaks. */
function estimatedBytes(datums: readonly MetricDatum[]): number {
  return datums.reduce(
    (total, datum) =>
      total +
      200 +
      (datum.MetricName?.length ?? 0) +
      (datum.Dimensions ?? []).reduce(
        (sum, { Name, Value }) => sum + 60 + (Name?.length ?? 0) + (Value?.length ?? 0),
        0,
      ) +
      (datum.Values?.length ?? 0) * 100,
    0,
  );
}

const INVALID_REQUEST_ERRORS = new Set([
  'InvalidParameterValueException',
  'InvalidParameterValue',
  'InvalidParameterCombinationException',
  'InvalidParameterCombination',
  'MissingRequiredParameterException',
  'MissingParameter',
]);

/**
 * The metric store for accounts without Timestream: publishes rollups with PutMetricData, at most 1000
 * datums per call. Throttling and server faults are retried with backoff and then propagate (to the retry
 * queue). CloudWatch refuses a whole call when one datum is invalid, so such a call is split in halves until
 * the offending rollups are isolated and reported, and the rest are published.
 */
export class CloudWatchMetricWriter implements MetricWriter {
  constructor(private readonly props: CloudWatchMetricWriterProps) {}

  async write(rollups: readonly MetricRollup[]): Promise<WriteOutcome> {
    const rejected: RejectedRollup[] = [];
    const pending: PendingRollup[] = [];
    for (const rollup of rollups) {
      const result = rollupToDatums(rollup);
      if (result.ok) pending.push({ rollup, datums: result.datums, bytes: estimatedBytes(result.datums) });
      else rejected.push({ rollup, reason: result.reason });
    }
    let written = 0;
    for (const call of this.calls(pending)) {
      const refused = await this.publish(call);
      rejected.push(...refused);
      written += call.length - refused.length;
    }
    return { written, rejected };
  }

  /** Groups rollups into calls within the datum and size limits, keeping a rollup's datums together. */
  private calls(pending: readonly PendingRollup[]): PendingRollup[][] {
    const calls: PendingRollup[][] = [];
    let current: PendingRollup[] = [];
    let datums = 0;
    let bytes = 0;
    for (const item of pending) {
      if (
        current.length > 0 &&
        (datums + item.datums.length > CLOUDWATCH_LIMITS.datumsPerPut ||
          bytes + item.bytes > CLOUDWATCH_LIMITS.requestBytes)
      ) {
        calls.push(current);
        current = [];
        datums = 0;
        bytes = 0;
      }
      current.push(item);
      datums += item.datums.length;
      bytes += item.bytes;
    }
    if (current.length > 0) calls.push(current);
    return calls;
  }

  /** Publishes one call's rollups; returns those CloudWatch refused as invalid. */
  private async publish(call: readonly PendingRollup[]): Promise<RejectedRollup[]> {
    const command = new PutMetricDataCommand({
      Namespace: this.props.namespace,
      MetricData: call.flatMap((item) => item.datums),
    });
    try {
      await withRetries(() => this.props.client.send(command), this.props);
      return [];
    } catch (error) {
      if (!INVALID_REQUEST_ERRORS.has((error as Error).name)) throw error;
      if (call.length === 1)
        return [
          { rollup: call[0]!.rollup, reason: `cloudwatch refused the datum: ${(error as Error).message}` },
        ];
      const half = Math.ceil(call.length / 2);
      return [...(await this.publish(call.slice(0, half))), ...(await this.publish(call.slice(half)))];
    }
  }
}
