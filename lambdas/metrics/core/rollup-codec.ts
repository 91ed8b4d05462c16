import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { LOG_LEVELS } from '../../events/core/records.js';
import type { IdentifiedRollup, SpilledEvents } from '../ports/retry-queue.js';
import type { MetricRollup } from './rollup.js';
import { decodeSketch, encodeSketch, newSketch, type QuantileSketch } from './sketch.js';

/** One bin of a quantile sketch: a value within the sketch's accuracy of every value in the bin, and their count. */
export interface SketchBin {
  readonly value: number;
  readonly count: number;
}

/**
 * Serialises a sketch to text: base64 of the raw-deflated DDSketch protobuf (`encodeSketch`).
 *
 * Deflate matters: the protobuf stores the dense bin array padded to chunks of 128 doubles, so even a
 * ten-bin sketch is 1 KiB, more than half a Timestream record. Deflated, a 180-bin latency sketch is about
 * 250 bytes. The output is deterministic, so the same rollup always encodes to the same text.
 */
export function encodeSketchBase64(sketch: QuantileSketch): string {
  return Buffer.from(deflateRawSync(encodeSketch(sketch))).toString('base64');
}

/** Reads a sketch written by `encodeSketchBase64`. */
export function decodeSketchBase64(text: string): QuantileSketch {
  return decodeSketch(inflateRawSync(Buffer.from(text, 'base64')));
}

/**
 * The non-empty bins of a sketch, lowest value first: negative values, zeros, positive values. Each bin's
 * value is the one DDSketch itself answers quantiles with, so weighted values built from the bins give the
 * same quantiles as the sketch (CloudWatch `Values`/`Counts`, EMF value arrays).
 */
export function sketchBins(sketch: QuantileSketch): SketchBin[] {
  const bins: SketchBin[] = [];
  const { store, negativeStore, mapping } = sketch;
  negativeStore.bins.forEach((count, index) => {
    if (count > 0) bins.push({ value: -mapping.value(index + negativeStore.offset), count });
  });
  if (sketch.zeroCount > 0) bins.push({ value: 0, count: sketch.zeroCount });
  store.bins.forEach((count, index) => {
    if (count > 0) bins.push({ value: mapping.value(index + store.offset), count });
  });
  return bins.sort((a, b) => a.value - b.value);
}

/**
 * Builds a sketch from bins made by `sketchBins`. A bin's value maps back to its own bin: it lies half a bin
 * width inside it, far from either edge, so the round trip keeps every bin and count.
 */
export function sketchFromBins(bins: Iterable<SketchBin>): QuantileSketch {
  const sketch = newSketch();
  for (const { value, count } of bins) if (count > 0) sketch.accept(value, count);
  return sketch;
}

/**
 * A smaller sketch that keeps the `keep` highest bins and folds the counts of the lower ones into the lowest
 * kept bin: DDSketch's own "collapsing lowest" strategy. Counts stay exact and quantiles in the kept bins keep
 * their accuracy; only the lowest quantiles are overstated. It stays mergeable with every Vigil sketch.
 */
export function collapseLowestBins(sketch: QuantileSketch, keep: number): QuantileSketch {
  const bins = sketchBins(sketch);
  if (keep < 1) throw new Error(`a collapsed sketch keeps at least 1 bin; got keep=${keep}`);
  if (bins.length <= keep) return sketchFromBins(bins);
  const kept = bins.slice(bins.length - keep);
  const folded = bins.slice(0, bins.length - keep).reduce((total, bin) => total + bin.count, 0);
  const [lowest, ...rest] = kept;
  return sketchFromBins([{ value: lowest!.value, count: lowest!.count + folded }, ...rest]);
}

/** A rollup in JSON-safe form, for queue messages. Non-finite numbers travel as `null`. */
export interface EncodedRollup {
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly minute: number;
  readonly count: number | null;
  readonly sum: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** `encodeSketchBase64` of the sketch, when the rollup has one. */
  readonly sketch?: string;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Encodes a rollup to JSON-safe form; its sketch becomes base64 text. */
export function encodeRollup(rollup: MetricRollup): EncodedRollup {
  return {
    metric: rollup.metric,
    dimensions: { ...rollup.dimensions },
    minute: rollup.minute,
    count: finiteOrNull(rollup.count),
    sum: finiteOrNull(rollup.sum),
    min: finiteOrNull(rollup.min),
    max: finiteOrNull(rollup.max),
    ...(rollup.sketch ? { sketch: encodeSketchBase64(rollup.sketch) } : {}),
  };
}

// `null` comes back as NaN rather than a made-up number: the store then refuses that rollup with a reason.
const statistic = z
  .number()
  .nullable()
  .transform((value) => value ?? Number.NaN);

const encodedRollupSchema = z.object({
  metric: z.string().min(1),
  dimensions: z.record(z.string(), z.string()),
  minute: z.number().int(),
  count: statistic,
  sum: statistic,
  min: statistic,
  max: statistic,
  sketch: z.string().min(1).optional(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

function toRollup(encoded: z.output<typeof encodedRollupSchema>): MetricRollup {
  return {
    metric: encoded.metric,
    dimensions: encoded.dimensions,
    minute: encoded.minute,
    count: encoded.count,
    sum: encoded.sum,
    min: encoded.min,
    max: encoded.max,
    ...(encoded.sketch ? { sketch: decodeSketchBase64(encoded.sketch) } : {}),
  };
}

/** Decodes a rollup written by `encodeRollup`, failing with every problem listed by its path. */
export function decodeRollup(value: unknown): MetricRollup {
  const parsed = encodedRollupSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid encoded rollup: ${describeIssues(parsed.error)}`);
  return toRollup(parsed.data);
}

/** Version of the retry message format, so that a replay function never misreads a message of another. */
export const RETRY_MESSAGE_VERSION = 1;

/**
 * What a retry message holds: rollups, or event records of one kind. Messages without a `kind` hold
 * rollups: they were written before the queue carried events too.
 */
export const RETRY_MESSAGE_KINDS = ['rollups', 'logs', 'spans', 'prediction-events'] as const;

/** A batch of spilled rollups as the replay function reads it back. */
export interface RetryMessage {
  readonly reason: string;
  readonly rollups: readonly IdentifiedRollup[];
}

/** A batch of spilled logs, spans or raw prediction events as the replay function reads it back. */
export interface EventRetryMessage {
  readonly reason: string;
  readonly events: SpilledEvents;
}

/** Any retry queue message, told apart by `kind`. */
export type QueuedRetryMessage =
  | ({ readonly kind: 'rollups' } & RetryMessage)
  | ({ readonly kind: 'events' } & EventRetryMessage);

const envelopeSchema = z.object({
  version: z.literal(RETRY_MESSAGE_VERSION),
  kind: z.enum(RETRY_MESSAGE_KINDS).default('rollups'),
});

const retryMessageSchema = z.object({
  reason: z.string(),
  rollups: z.array(encodedRollupSchema.extend({ id: z.string().min(1) })),
});

// Event records travel as they are: they are JSON-safe by construction (finite numbers, flat attributes).
const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const logRecordSchema = z.object({
  timestamp: z.number(),
  level: z.enum(LOG_LEVELS),
  message: z.string(),
  service: z.string().optional(),
  model: z.string().optional(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  attributes: attributesSchema,
  pattern: z.object({ fingerprint: z.string(), template: z.string() }).optional(),
});

const spanRecordSchema = z.object({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.enum(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']),
  startTime: z.number(),
  endTime: z.number(),
  durationMs: z.number(),
  status: z.enum(['unset', 'ok', 'error']),
  statusMessage: z.string().optional(),
  service: z.string().optional(),
  model: z.string().optional(),
  attributes: attributesSchema,
  events: z.array(z.object({ timestamp: z.number(), name: z.string(), attributes: attributesSchema })),
});

const predictionEventRecordSchema = z.object({
  timestamp: z.number(),
  id: z.string().optional(),
  model: z.string(),
  modelVersion: z.string().optional(),
  status: z.enum(['ok', 'error']),
  errorType: z.string().optional(),
  latencyMs: z.number(),
  confidence: z.number().optional(),
  prediction: z.string().optional(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  costUsd: z.number().optional(),
  attributes: attributesSchema,
});

function eventMessageSchema<T extends z.ZodType>(record: T) {
  return z.object({
    reason: z.string(),
    records: z.array(z.object({ id: z.string().min(1), record })),
  });
}

const eventMessageSchemas = {
  logs: eventMessageSchema(logRecordSchema),
  spans: eventMessageSchema(spanRecordSchema),
  'prediction-events': eventMessageSchema(predictionEventRecordSchema),
} as const;

/** Encodes spilled rollups, each with its id, as one retry queue message body (JSON). */
export function encodeRetryMessage(rollups: readonly IdentifiedRollup[], reason: string): string {
  return JSON.stringify({
    version: RETRY_MESSAGE_VERSION,
    kind: 'rollups',
    reason,
    rollups: rollups.map(({ id, rollup }) => ({ id, ...encodeRollup(rollup) })),
  });
}

/** Encodes spilled event records of one kind, each with its document id, as one retry queue message body. */
export function encodeEventRetryMessage(events: SpilledEvents, reason: string): string {
  return JSON.stringify({
    version: RETRY_MESSAGE_VERSION,
    kind: events.kind,
    reason,
    records: events.records,
  });
}

function parseWith<T extends z.ZodType>(schema: T, json: unknown): z.output<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid retry message: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Decodes any retry queue message body: rollups (`encodeRetryMessage`) or events (`encodeEventRetryMessage`). */
export function decodeQueuedRetryMessage(body: string): QueuedRetryMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new Error(`retry message is not JSON: ${(error as Error).message}`);
  }
  const { kind } = parseWith(envelopeSchema, json);
  switch (kind) {
    case 'rollups': {
      const { reason, rollups } = parseWith(retryMessageSchema, json);
      return {
        kind,
        reason,
        rollups: rollups.map(({ id, ...encoded }) => ({ id, rollup: toRollup(encoded) })),
      };
    }
    case 'logs': {
      const { reason, records } = parseWith(eventMessageSchemas.logs, json);
      return { kind: 'events', reason, events: { kind, records } };
    }
    case 'spans': {
      const { reason, records } = parseWith(eventMessageSchemas.spans, json);
      return { kind: 'events', reason, events: { kind, records } };
    }
    case 'prediction-events': {
      const { reason, records } = parseWith(eventMessageSchemas['prediction-events'], json);
      return { kind: 'events', reason, events: { kind, records } };
    }
  }
}

/** Decodes a retry queue message body written by `encodeRetryMessage`; a message of events is an error. */
export function decodeRetryMessage(body: string): RetryMessage {
  const message = decodeQueuedRetryMessage(body);
  if (message.kind !== 'rollups')
    throw new Error(`invalid retry message: expected rollups, got ${message.events.kind}`);
  return { reason: message.reason, rollups: message.rollups };
}
