import { type MetricRollup, RollupAccumulator, type SeriesKey } from '../../metrics/core/rollup.js';
import { UnavailableError } from '../../shared/unavailable-error.js';
import type { StreamStateRepository } from '../ports/stream-state-repository.js';
import { type CumulativePoint, type DeltaOptions, type StreamState, toDelta } from './cumulative.js';
import { INGEST_LIMITS } from './limits.js';
import { canonicalAttributes, type KeyValue, partialSuccessResponse } from './otlp-json.js';
import {
  AGGREGATION_TEMPORALITY,
  type DataPoint,
  type OtlpMetric,
  type PointProblem,
  type PointReading,
  parseExportMetricsServiceRequest,
  readExponentialHistogramDataPoint,
  readHistogramDataPoint,
  readNumberDataPoint,
} from './otlp-metrics-request.js';
import { type AdditiveValue, observeAdditive } from './otlp-point-values.js';
import { DimensionValueCap, dimensionsOf, MODEL_ATTRIBUTE, modelOf, streamIdOf } from './otlp-series.js';

/** Attempts to store a stream's new state, re-reading after each lost race, before its points are rejected. */
export const MAX_STREAM_WRITE_ATTEMPTS = 5;

/** Streams whose state is written at once, so a large export does not open hundreds of requests. */
const STREAM_WRITE_CONCURRENCY = 16;

/** At most this many problems are spelled out in the response's message; the counts stay exact. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * The stream state could not be read, so no cumulative point could be turned into a delta. Nothing was
 * stored; the handler should answer 503, which OTLP exporters retry.
 */
export class StreamStateUnavailableError extends UnavailableError {
  override readonly name = 'StreamStateUnavailableError';
}

/** What OTLP metrics ingest needs: stream state for cumulative points, the time, and the runtime limits. */
export interface OtlpMetricsDependencies {
  /** Last state of each cumulative stream. */
  readonly streamState: StreamStateRepository;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** How far back a data point's time may lie (the metric store's retention edge), ms. */
  readonly maxTimestampAgeMs: number;
  /** Distinct values per dimension name and metric in one request before further ones become `__other__`. */
  readonly maxDimensionValuesPerMetric: number;
}

/** What an OTLP metrics export came to: the rollups to store and the counts for the OTLP response. */
export interface OtlpMetricsIngestion {
  /** Per-series, per-minute rollups of the accepted points, for the metric store. */
  readonly rollups: MetricRollup[];
  readonly acceptedDataPoints: number;
  readonly rejectedDataPoints: number;
  /** Why points were rejected, and any dimension values capped; absent when there is nothing to say. */
  readonly errorMessage?: string;
}

/** The body of an OTLP `ExportMetricsServiceResponse` in OTLP/JSON. */
export interface ExportMetricsServiceResponse {
  /** Set only when points were rejected or there is a warning; `rejectedDataPoints` is an int64: a string. */
  readonly partialSuccess?: { readonly rejectedDataPoints: string; readonly errorMessage: string };
}

/**
 * The OTLP/HTTP answer to an export: `{}` when everything was accepted without remark, else `partialSuccess`
 * with the rejected count and the message (OTLP spec, "Partial Success"; clients do not retry it).
 */
export function exportMetricsServiceResponse(ingestion: OtlpMetricsIngestion): ExportMetricsServiceResponse {
  return partialSuccessResponse('rejectedDataPoints', ingestion.rejectedDataPoints, ingestion.errorMessage);
}

/** Counts rejected points, grouping them by metric and reason so 10,000 stale points make one line. */
class PointRejections {
  total = 0;
  private readonly byReason = new Map<
    string,
    { metric: string; reason: string; detail?: string; points: number }
  >();

  reject(metric: string, problem: PointProblem, points = 1): void {
    if (points <= 0) return;
    this.total += points;
    const key = JSON.stringify([metric, problem.reason]);
    const entry = this.byReason.get(key) ?? {
      metric,
      reason: problem.reason,
      detail: problem.detail,
      points: 0,
    };
    entry.points += points;
    this.byReason.set(key, entry);
  }

  messages(): string[] {
    return [...this.byReason.values()].map(({ metric, reason, detail, points }) => {
      const where = metric === '' ? 'a metric without a name' : `metric "${metric}"`;
      const example = detail === undefined ? '' : points === 1 ? `: ${detail}` : `; first: ${detail}`;
      return `${where}: ${points} data point${points === 1 ? '' : 's'} rejected: ${reason}${example}`;
    });
  }
}

/** A cumulative point waiting for its stream's state, with the series and minute its delta goes to. */
interface PendingCumulativePoint {
  readonly series: SeriesKey;
  readonly timestamp: number;
  readonly point: CumulativePoint;
}

/** One request's work: the rollups, the rejections, and the cumulative points grouped by stream. */
interface Ingestion {
  readonly accumulator: RollupAccumulator;
  readonly rejections: PointRejections;
  readonly cap: DimensionValueCap;
  readonly streams: Map<string, PendingCumulativePoint[]>;
  readonly earliest: number;
  readonly latest: number;
}

type PointType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
const POINT_TYPES: readonly PointType[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

function pointCount(metric: OtlpMetric): number {
  return POINT_TYPES.reduce((total, type) => total + (metric[type]?.dataPoints?.length ?? 0), 0);
}

/** What all points of one metric share: its name, unit, resource and scope. */
interface MetricContext {
  readonly name: string;
  readonly resourceAttributes: readonly KeyValue[] | undefined;
  readonly resource: unknown;
  readonly scopeName: string;
  readonly scopeVersion: string;
  readonly unit: string;
}

/** Checks a metric as a whole (one data type, a usable name, a supported type), then records its points. */
function readMetric(metric: OtlpMetric, context: MetricContext, ingestion: Ingestion): void {
  const { rejections } = ingestion;
  const name = context.name;
  const types = POINT_TYPES.filter((type) => metric[type] !== undefined);
  const points = pointCount(metric);
  if (types.length === 0 || points === 0) return;
  if (types.length > 1) {
    rejections.reject(
      name,
      {
        reason: `a metric carries exactly one of ${POINT_TYPES.join(', ')}`,
        detail: `got ${types.join(' and ')}`,
      },
      points,
    );
    return;
  }
  if (name === '') {
    rejections.reject(name, { reason: 'the metric name is empty' }, points);
    return;
  }
  if (name.length > INGEST_LIMITS.maxStringLength) {
    rejections.reject(
      name.slice(0, 40),
      {
        reason: `metric names are at most ${INGEST_LIMITS.maxStringLength} characters`,
        detail: `${name.length} characters`,
      },
      points,
    );
    return;
  }
  if (metric.summary) {
    rejections.reject(
      name,
      { reason: 'summary metrics are not supported; export a histogram or an exponential histogram instead' },
      points,
    );
    return;
  }
  if (metric.gauge) {
    for (const raw of metric.gauge.dataPoints ?? []) {
      const accepted = seriesOf(readNumberDataPoint(raw), context, ingestion);
      if (accepted) {
        ingestion.accumulator.observe(accepted.series, accepted.timestamp, accepted.value, {
          distribution: true,
        });
      }
    }
    return;
  }
  readAdditiveMetric(metric, types[0] as 'sum' | 'histogram' | 'exponentialHistogram', context, ingestion);
}

/** Records a sum or histogram metric: delta points at once, cumulative points grouped by stream for later. */
function readAdditiveMetric(
  metric: OtlpMetric,
  kind: 'sum' | 'histogram' | 'exponentialHistogram',
  context: MetricContext,
  ingestion: Ingestion,
): void {
  const additive = metric[kind]!;
  const temporality = additive.aggregationTemporality;
  if (temporality !== AGGREGATION_TEMPORALITY.delta && temporality !== AGGREGATION_TEMPORALITY.cumulative) {
    ingestion.rejections.reject(
      context.name,
      {
        reason: 'aggregationTemporality must be 1 (delta) or 2 (cumulative)',
        detail: `got ${temporality ?? 'none'}`,
      },
      pointCount(metric),
    );
    return;
  }
  // Histograms only ever grow; sums say whether they do.
  const monotonic = metric.sum ? metric.sum.isMonotonic === true : true;
  for (const raw of additive.dataPoints ?? []) {
    const reading: PointReading<AdditiveValue> =
      kind === 'sum'
        ? mapReading(readNumberDataPoint(raw), (value) => ({ kind: 'sum', value }))
        : kind === 'histogram'
          ? readHistogramDataPoint(raw)
          : readExponentialHistogramDataPoint(raw);
    const accepted = seriesOf(reading, context, ingestion);
    if (!accepted) continue;
    if (temporality === AGGREGATION_TEMPORALITY.delta) {
      observeAdditive(ingestion.accumulator, accepted.series, accepted.timestamp, accepted.value);
      continue;
    }
    const { resource, scopeName, scopeVersion, name: metricName, unit } = context;
    const streamId = streamIdOf(
      { resource, scopeName, scopeVersion, metricName, unit, kind },
      accepted.point.attributes,
    );
    const pending = ingestion.streams.get(streamId) ?? [];
    pending.push({
      series: accepted.series,
      timestamp: accepted.timestamp,
      point: {
        streamId,
        startTimeUnixNano: accepted.point.startTimeUnixNano,
        timeUnixNano: accepted.point.timeUnixNano,
        monotonic,
        value: accepted.value,
      },
    });
    ingestion.streams.set(streamId, pending);
  }
}

function mapReading<V, W>(reading: PointReading<V>, map: (value: V) => W): PointReading<W> {
  if ('problem' in reading) return reading;
  const { value, ...rest } = reading.point;
  return { point: { ...rest, value: value === undefined ? undefined : map(value) } };
}

/**
 * Checks a read point's time, model and dimensions; rejects it with the reason, or returns its (capped)
 * series and minute. Points flagged as having no recorded value are accepted and go no further.
 */
function seriesOf<V>(
  reading: PointReading<V>,
  context: MetricContext,
  ingestion: Ingestion,
): { series: SeriesKey; timestamp: number; value: V; point: DataPoint<V> } | undefined {
  const { rejections } = ingestion;
  if ('problem' in reading) {
    rejections.reject(context.name, reading.problem);
    return undefined;
  }
  const { point } = reading;
  const timestamp = Number(point.timeUnixNano / 1_000_000n);
  if (timestamp < ingestion.earliest || timestamp > ingestion.latest) {
    rejections.reject(context.name, {
      reason: `timeUnixNano must lie from the store's retention edge (${new Date(ingestion.earliest).toISOString()}) to 5 minutes ahead (${new Date(ingestion.latest).toISOString()})`,
      detail: `timeUnixNano ${point.timeUnixNano} (${new Date(timestamp).toISOString()})`,
    });
    return undefined;
  }
  const model = modelOf(point.attributes, context.resourceAttributes);
  if (model === undefined) {
    rejections.reject(context.name, {
      reason: `no model: set the data point's "${MODEL_ATTRIBUTE}" attribute, or the resource's "vigil.model" or "service.name"`,
    });
    return undefined;
  }
  const dimensions = dimensionsOf(point.attributes, model);
  if ('problem' in dimensions) {
    rejections.reject(context.name, dimensions.problem);
    return undefined;
  }
  if (point.value === undefined) return undefined;
  return {
    series: { metric: context.name, dimensions: ingestion.cap.apply(context.name, dimensions.dimensions) },
    timestamp,
    value: point.value,
    point,
  };
}

function byTime(a: PendingCumulativePoint, b: PendingCumulativePoint): number {
  return a.point.timeUnixNano < b.point.timeUnixNano
    ? -1
    : a.point.timeUnixNano > b.point.timeUnixNano
      ? 1
      : 0;
}

/** Runs the points of one stream, oldest first, through `toDelta` from `previous`. */
function deltasOf(
  previous: StreamState | undefined,
  pending: readonly PendingCumulativePoint[],
  options: DeltaOptions,
) {
  const deltas: Array<{ series: SeriesKey; timestamp: number; delta: AdditiveValue }> = [];
  let state = previous;
  for (const { series, timestamp, point } of pending) {
    const { delta, next } = toDelta(state, point, options);
    if (delta) deltas.push({ series, timestamp, delta });
    state = next;
  }
  return { deltas, next: state };
}

async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length) await work(items[nextIndex++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Turns the request's cumulative points into deltas against the stored stream state and records them.
 * A stream's deltas are recorded only once its new state is stored, so a retried or repeated export is not
 * counted twice; a stream whose state cannot be stored has its points rejected, which loses nothing: its
 * next export carries the same totals and the deltas are taken then.
 */
async function recordCumulativeStreams(
  ingestion: Ingestion,
  dependencies: OtlpMetricsDependencies,
  now: number,
): Promise<void> {
  if (ingestion.streams.size === 0) return;
  const { streamState } = dependencies;
  const options: DeltaOptions = {
    rememberedSinceUnixNano: BigInt(Math.floor(now - streamState.retentionMs)) * 1_000_000n,
  };
  let stored: Map<string, StreamState>;
  try {
    stored = await streamState.getMany([...ingestion.streams.keys()]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StreamStateUnavailableError(`cumulative stream state could not be read: ${reason}`, {
      cause: error,
    });
  }
  const rejectStream = (pending: readonly PendingCumulativePoint[], problem: PointProblem) =>
    ingestion.rejections.reject(pending[0]!.series.metric, problem, pending.length);

  await forEachConcurrently(
    [...ingestion.streams.entries()],
    STREAM_WRITE_CONCURRENCY,
    async ([streamId, pending]) => {
      pending.sort(byTime);
      let previous = stored.get(streamId);
      for (let attempt = 1; ; attempt += 1) {
        const { deltas, next } = deltasOf(previous, pending, options);
        try {
          if (next === previous || (next && (await streamState.put(next, previous?.version ?? 0)))) {
            for (const { series, timestamp, delta } of deltas)
              observeAdditive(ingestion.accumulator, series, timestamp, delta);
            return;
          }
          if (attempt >= MAX_STREAM_WRITE_ATTEMPTS) {
            rejectStream(pending, {
              reason: `the cumulative stream was updated concurrently ${attempt} times; its next export will carry these totals`,
            });
            return;
          }
          previous = (await streamState.getMany([streamId])).get(streamId);
        } catch (error) {
          rejectStream(pending, {
            reason:
              'the cumulative stream state could not be stored; its next export will carry these totals',
            detail: error instanceof Error ? error.message : String(error),
          });
          return;
        }
      }
    },
  );
}

/**
 * Ingests an OTLP/HTTP JSON metrics export (`POST /v1/metrics`): reads the envelope (throwing a
 * `ValidationError` for a 400 when it cannot), maps every data point to a Vigil series (the metric's own
 * name; `model` from the point, the resource's `vigil.model` or its `service.name`; other point attributes
 * as dimensions, capped per metric), turns cumulative sums and histograms into deltas per stream, and rolls
 * everything up per minute. Gauges are distributions; sums add their (delta) values; histograms add their
 * counts, sums and bucket representatives. Points that cannot be used are counted and explained, never
 * allowed to cost the others.
 */
export async function ingestOtlpMetrics(
  body: unknown,
  dependencies: OtlpMetricsDependencies,
): Promise<OtlpMetricsIngestion> {
  const request = parseExportMetricsServiceRequest(body);
  const now = dependencies.now();
  const ingestion: Ingestion = {
    accumulator: new RollupAccumulator(),
    rejections: new PointRejections(),
    cap: new DimensionValueCap(dependencies.maxDimensionValuesPerMetric),
    streams: new Map(),
    earliest: now - dependencies.maxTimestampAgeMs,
    latest: now + INGEST_LIMITS.maxFutureSkewMs,
  };
  let totalPoints = 0;
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resourceAttributes = resourceMetrics.resource?.attributes;
    const resource = canonicalAttributes(resourceAttributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        totalPoints += pointCount(metric);
        const context: MetricContext = {
          name: metric.name ?? '',
          resourceAttributes,
          resource,
          scopeName: scopeMetrics.scope?.name ?? '',
          scopeVersion: scopeMetrics.scope?.version ?? '',
          unit: metric.unit ?? '',
        };
        readMetric(metric, context, ingestion);
      }
    }
  }
  await recordCumulativeStreams(ingestion, dependencies, now);

  const problems = [...ingestion.rejections.messages(), ...ingestion.cap.notes()];
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  const more =
    problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
  return {
    rollups: ingestion.accumulator.rollups(),
    acceptedDataPoints: totalPoints - ingestion.rejections.total,
    rejectedDataPoints: ingestion.rejections.total,
    ...(problems.length > 0 ? { errorMessage: `${listed}${more}` } : {}),
  };
}
