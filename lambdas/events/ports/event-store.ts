import type { LogLevel, LogRecord, PredictionEventRecord, SpanRecord } from '../core/records.js';

/** A record the store refused, by its position in the write, with the store's reason. */
export interface RejectedRecord {
  readonly index: number;
  readonly reason: string;
}

/** What a write did: how many records were stored and which were refused (the rest are kept). */
export interface EventWriteOutcome {
  readonly written: number;
  readonly rejected: readonly RejectedRecord[];
}

/** A log search: every field optional but the time range; results newest first. */
export interface LogSearch {
  /** Full-text query on the message (words, all must match). */
  readonly text?: string;
  /** Only these levels. */
  readonly levels?: readonly LogLevel[];
  readonly model?: string;
  readonly service?: string;
  readonly traceId?: string;
  /** Range, epoch ms: from inclusive, to exclusive. */
  readonly from: number;
  readonly to: number;
  /** Page size. */
  readonly limit: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** One page of log search results. */
export interface LogSearchPage {
  readonly logs: readonly LogRecord[];
  /** How many logs match in all (may be a lower bound, see `totalIsExact`). */
  readonly total: number;
  readonly totalIsExact: boolean;
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** An error pattern: error and critical logs grouped by their normalised template. */
export interface ErrorPattern {
  readonly fingerprint: string;
  readonly template: string;
  readonly count: number;
  /** Epoch ms. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly services: readonly string[];
  readonly models: readonly string[];
  /** One full message of the pattern, for context. */
  readonly example: string;
}

/** A question for error patterns over a time range. */
export interface PatternSearch {
  readonly from: number;
  readonly to: number;
  readonly service?: string;
  readonly model?: string;
  /** Most patterns returned, most frequent first. */
  readonly limit: number;
}

/** Stores and searches logs, spans and raw prediction events (OpenSearch in AWS, DuckDB locally). */
export interface EventStore {
  writeLogs(logs: readonly LogRecord[]): Promise<EventWriteOutcome>;
  writeSpans(spans: readonly SpanRecord[]): Promise<EventWriteOutcome>;
  writePredictionEvents(events: readonly PredictionEventRecord[]): Promise<EventWriteOutcome>;
  searchLogs(search: LogSearch): Promise<LogSearchPage>;
  /** Every span of a trace, in any order (the core builds the tree). */
  getTraceSpans(traceId: string): Promise<SpanRecord[]>;
  errorPatterns(search: PatternSearch): Promise<ErrorPattern[]>;
}
