import type { MetricRollup } from '../../core/rollup.js';
import { sketchBins } from '../../core/rollup-codec.js';
import { mergeSketches, type QuantileSketch } from '../../core/sketch.js';
import { DASHBOARD_DIMENSION, DASHBOARD_METRICS } from '../../metric-store-names.js';
import type { MetricWriter, WriteOutcome } from '../../ports/metric-store.js';

/** Members of an EMF document's root besides `_aws`: dimension values and metric values. */
type EmfMembers = Record<string, string | number | number[]>;

/** One CloudWatch Embedded Metric Format document (one log line). */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: ReadonlyArray<readonly string[]>;
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly [member: string]: unknown;
}

/** EMF allows at most 100 values in a metric's array. */
export const EMF_MAX_VALUES = 100;

/**
 * Latency values one write publishes per model and minute, at most. Up to this many predictions every
 * value is published (as its sketch bin's value); above it, this many values at evenly spaced quantiles.
 * @default 1000, ten log lines
 */
export const DEFAULT_MAX_LATENCY_SAMPLES = 1000;

function compact(value: number): number {
  // Six significant digits: far finer than the sketch's 1 %, and half the length of a full double.
  return Number(value.toPrecision(6));
}

/**
 * The latency values to publish for one sketch. EMF has no counts beside its value arrays, so a bin's
 * value is repeated once per value in it: CloudWatch's percentiles then match the sketch's, and the
 * sample count is exact. Past `maxSamples` the values are the sketch's quantiles at (i + 0.5) / maxSamples:
 * percentiles stay right within this write, but the write weighs as `maxSamples` values against other
 * Lambdas' writes and LatencyMs's SampleCount and Sum are understated (Predictions keeps the exact count).
 */
export function latencySamples(sketch: QuantileSketch, maxSamples: number): number[] {
  const bins = sketchBins(sketch);
  const total = bins.reduce((sum, bin) => sum + Math.round(bin.count), 0);
  if (total <= maxSamples)
    return bins.flatMap((bin) => Array<number>(Math.round(bin.count)).fill(compact(bin.value)));
  return Array.from({ length: maxSamples }, (_, index) =>
    compact(sketch.getValueAtQuantile((index + 0.5) / maxSamples)),
  );
}

interface ModelMinute {
  readonly model: string;
  readonly minute: number;
  predictions?: number;
  errors: number;
  latency: QuantileSketch[];
}

/**
 * The EMF documents for the dashboard aggregates of some rollups: per model and minute, `Predictions` and
 * `PredictionErrors` (Count, from `predictions` and from `errors` of every `errorType`; errors default
 * to 0 so error-rate math has both terms) and `LatencyMs` (Milliseconds, the merged latency sketches of all
 * model versions as a value array, in more documents when there are over 100 values). Other rollups are
 * not dashboard metrics and are left out.
 */
export function dashboardDocuments(
  rollups: readonly MetricRollup[],
  namespace: string,
  maxLatencySamples = DEFAULT_MAX_LATENCY_SAMPLES,
): { documents: EmfDocument[]; used: number } {
  const groups = new Map<string, ModelMinute>();
  let used = 0;
  for (const rollup of rollups) {
    const model = rollup.dimensions.model;
    const isPredictions = rollup.metric === 'predictions';
    const isErrors = rollup.metric === 'errors';
    const isLatency = rollup.metric === 'latency_ms' && rollup.sketch !== undefined;
    if (model === undefined || !(isPredictions || isErrors || isLatency)) continue;
    const key = `${rollup.minute}\u0000${model}`;
    const group = groups.get(key) ?? { model, minute: rollup.minute, errors: 0, latency: [] };
    groups.set(key, group);
    used += 1;
    if (isPredictions) group.predictions = (group.predictions ?? 0) + rollup.sum;
    if (isErrors) group.errors += rollup.sum;
    if (isLatency) group.latency.push(rollup.sketch!);
  }

  const documents: EmfDocument[] = [];
  for (const group of groups.values()) {
    const samples =
      group.latency.length > 0 ? latencySamples(mergeSketches(group.latency), maxLatencySamples) : [];
    const first: EmfMembers = {};
    if (group.predictions !== undefined) {
      first[DASHBOARD_METRICS.predictions] = group.predictions;
      first[DASHBOARD_METRICS.predictionErrors] = group.errors;
    } else if (group.errors > 0) {
      first[DASHBOARD_METRICS.predictionErrors] = group.errors;
    }
    const chunks: EmfMembers[] = [first];
    for (let start = 0; start < samples.length; start += EMF_MAX_VALUES) {
      const values = samples.slice(start, start + EMF_MAX_VALUES);
      if (start === 0) first[DASHBOARD_METRICS.latency] = values;
      else chunks.push({ [DASHBOARD_METRICS.latency]: values });
    }
    for (const members of chunks) {
      if (Object.keys(members).length === 0) continue;
      documents.push(emfDocument(namespace, group.minute, { [DASHBOARD_DIMENSION]: group.model }, members));
    }
  }
  return { documents, used };
}

const UNITS: Record<string, string> = {
  [DASHBOARD_METRICS.predictions]: 'Count',
  [DASHBOARD_METRICS.predictionErrors]: 'Count',
  [DASHBOARD_METRICS.latency]: 'Milliseconds',
  [DASHBOARD_METRICS.rejectedRecords]: 'Count',
};

function emfDocument(
  namespace: string,
  timestamp: number,
  dimensions: Record<string, string>,
  metrics: EmfMembers,
): EmfDocument {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(metrics).map((name) => ({ Name: name, Unit: UNITS[name] ?? 'None' })),
        },
      ],
    },
    ...dimensions,
    ...metrics,
  };
}

/** Where EMF lines go; Lambda sends stdout to CloudWatch Logs, which extracts the metrics. */
export type EmfSink = (line: string) => void;

/** Writes each line to stdout as it is, with no prefix that would hide the JSON from CloudWatch. */
export const stdoutSink: EmfSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Where and how an `EmfMetricWriter` publishes. */
export interface EmfMetricWriterProps {
  /** The dashboards' namespace, `Vigil/<env>` (runtime config `metricNamespace`). */
  readonly namespace: string;
  /** @default stdoutSink */
  readonly sink?: EmfSink;
  /** The current time, epoch ms, for `RejectedRecords`. @default Date.now */
  readonly now?: () => number;
  /** @default DEFAULT_MAX_LATENCY_SAMPLES */
  readonly maxLatencySamples?: number;
}

/**
 * Publishes the dashboards' low-cardinality aggregates as CloudWatch Embedded Metric Format log lines
 * (see `dashboardDocuments`), and the `RejectedRecords` count that the platform alarm watches. Hand-written
 * rather than Powertools Metrics: each line needs its own timestamp (the rollup's minute) and model, which
 * one Powertools `Metrics` instance per flush does not give.
 */
export class EmfMetricWriter implements MetricWriter {
  private readonly sink: EmfSink;
  private readonly now: () => number;

  constructor(private readonly props: EmfMetricWriterProps) {
    this.sink = props.sink ?? stdoutSink;
    this.now = props.now ?? Date.now;
  }

  async write(rollups: readonly MetricRollup[]): Promise<WriteOutcome> {
    const { documents, used } = dashboardDocuments(
      rollups,
      this.props.namespace,
      this.props.maxLatencySamples,
    );
    for (const document of documents) this.sink(JSON.stringify(document));
    return { written: used, rejected: [] };
  }

  /** Publishes how many rollups the metric store refused (`RejectedRecords`, no dimension). */
  writeRejectedRecords(count: number): void {
    if (count <= 0) return;
    const document = emfDocument(
      this.props.namespace,
      this.now(),
      {},
      { [DASHBOARD_METRICS.rejectedRecords]: count },
    );
    this.sink(JSON.stringify(document));
  }
}
