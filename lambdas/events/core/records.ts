/*
 * The records Vigil keeps in its event store (OpenSearch in AWS, DuckDB locally): logs, spans and sampled
 * raw prediction events. Every record is redacted before it reaches this shape's store.
 */

/** Log severities, lowest first (OTLP severity numbers map onto these). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical'] as const;

/** One log severity. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Attribute values as stored: flat strings, numbers and booleans (nested values are JSON text). */
export type AttributeValue = string | number | boolean;

/** One structured log record. */
export interface LogRecord {
  /** When the event happened, epoch ms. */
  readonly timestamp: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly service?: string;
  readonly model?: string;
  /** W3C trace id, 32 lower-case hex characters. */
  readonly traceId?: string;
  /** W3C span id, 16 lower-case hex characters. */
  readonly spanId?: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** For error and critical logs: the normalised message template and its fingerprint (error patterns). */
  readonly pattern?: { readonly fingerprint: string; readonly template: string };
}

/** OTLP span kinds, by name. */
export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** One span of a distributed trace. */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: SpanKind;
  /** Start and end, epoch ms with sub-millisecond precision kept as a fraction. */
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly status: 'unset' | 'ok' | 'error';
  readonly statusMessage?: string;
  readonly service?: string;
  readonly model?: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: ReadonlyArray<{
    readonly timestamp: number;
    readonly name: string;
    readonly attributes: Readonly<Record<string, AttributeValue>>;
  }>;
}

/** A raw prediction event as received (after redaction), kept for a sampled share of predictions. */
export interface PredictionEventRecord {
  readonly timestamp: number;
  readonly id?: string;
  readonly model: string;
  readonly modelVersion?: string;
  readonly status: 'ok' | 'error';
  readonly errorType?: string;
  readonly latencyMs: number;
  readonly confidence?: number;
  /** The model's output, as JSON text. */
  readonly prediction?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}
