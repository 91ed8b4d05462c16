import { randomUUID } from 'node:crypto';
import {
  DOUBLE,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { DuckDbDatabase } from '../../../shared/adapters/local/duckdb-database.js';
import { ValidationError } from '../../../shared/validation-error.js';
import {
  type AttributeValue,
  LOG_LEVELS,
  type LogLevel,
  type LogRecord,
  type PredictionEventRecord,
  type SpanKind,
  type SpanRecord,
} from '../../core/records.js';
import { decodeSearchCursor, encodeSearchCursor } from '../../core/search-cursor.js';
import type {
  ErrorPattern,
  EventStore,
  EventWriteOutcome,
  LogSearch,
  LogSearchPage,
  PatternSearch,
  RejectedRecord,
} from '../../ports/event-store.js';

// Times are epoch ms as DOUBLE, exactly the JavaScript number given (OTLP times keep their sub-millisecond
// fraction). Attributes and span events are JSON text: it keeps strings, numbers and booleans apart, which a
// MAP(VARCHAR, VARCHAR) would not. No indexes: DuckDB's per-row-group min/max already skip row groups
// outside a time range, and these tables are scanned, not probed, by every query but a trace lookup.
const CREATE_TABLES = `
  CREATE TABLE IF NOT EXISTS logs (
    log_id VARCHAR NOT NULL,
    timestamp_ms DOUBLE NOT NULL,
    level VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    service VARCHAR,
    model VARCHAR,
    trace_id VARCHAR,
    span_id VARCHAR,
    attributes VARCHAR NOT NULL,
    pattern_fingerprint VARCHAR,
    pattern_template VARCHAR
  );
  CREATE TABLE IF NOT EXISTS spans (
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR NOT NULL,
    parent_span_id VARCHAR,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    start_time_ms DOUBLE NOT NULL,
    end_time_ms DOUBLE NOT NULL,
    duration_ms DOUBLE NOT NULL,
    status VARCHAR NOT NULL,
    status_message VARCHAR,
    service VARCHAR,
    model VARCHAR,
    attributes VARCHAR NOT NULL,
    events VARCHAR NOT NULL
  );
  CREATE TABLE IF NOT EXISTS prediction_events (
    timestamp_ms DOUBLE NOT NULL,
    id VARCHAR,
    model VARCHAR NOT NULL,
    model_version VARCHAR,
    status VARCHAR NOT NULL,
    error_type VARCHAR,
    latency_ms DOUBLE NOT NULL,
    confidence DOUBLE,
    prediction VARCHAR,
    input_tokens DOUBLE,
    output_tokens DOUBLE,
    cost_usd DOUBLE,
    attributes VARCHAR NOT NULL
  )`;

const LOG_COLUMNS = `log_id, timestamp_ms, level, message, service, model, trace_id, span_id, attributes,
  pattern_fingerprint, pattern_template`;

/** Levels that error patterns group. */
const ERROR_LEVELS: readonly LogLevel[] = ['error', 'critical'];

const SPAN_KINDS: readonly SpanKind[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const SPAN_STATUSES: readonly SpanRecord['status'][] = ['unset', 'ok', 'error'];
const PREDICTION_STATUSES: readonly PredictionEventRecord['status'][] = ['ok', 'error'];

/** A `logs` row as `getRowObjectsJS` returns it. */
interface LogRow {
  readonly log_id: string;
  readonly timestamp_ms: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly service: string | null;
  readonly model: string | null;
  readonly trace_id: string | null;
  readonly span_id: string | null;
  readonly attributes: string;
  readonly pattern_fingerprint: string | null;
  readonly pattern_template: string | null;
}

/** A `spans` row as `getRowObjectsJS` returns it. */
interface SpanRow {
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id: string | null;
  readonly name: string;
  readonly kind: SpanKind;
  readonly start_time_ms: number;
  readonly end_time_ms: number;
  readonly duration_ms: number;
  readonly status: SpanRecord['status'];
  readonly status_message: string | null;
  readonly service: string | null;
  readonly model: string | null;
  readonly attributes: string;
  readonly events: string;
}

/** A `prediction_events` row as `getRowObjectsJS` returns it. */
interface PredictionEventRow {
  readonly timestamp_ms: number;
  readonly id: string | null;
  readonly model: string;
  readonly model_version: string | null;
  readonly status: PredictionEventRecord['status'];
  readonly error_type: string | null;
  readonly latency_ms: number;
  readonly confidence: number | null;
  readonly prediction: string | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cost_usd: number | null;
  readonly attributes: string;
}

/** An error-pattern group as `getRowObjectsJS` returns it. */
interface PatternRow {
  readonly fingerprint: string;
  readonly template: string;
  readonly count: bigint;
  readonly first_seen: number;
  readonly last_seen: number;
  readonly services: string[];
  readonly models: string[];
  readonly example: string;
}

/** SQL conditions with their named parameters (`$name`) and those parameters' types. */
interface Conditions {
  readonly clauses: string[];
  readonly values: Record<string, DuckDBValue>;
  readonly types: Record<string, DuckDBType>;
}

// What makes a record unstorable. Records come typed from the core, but the store still checks every
// column, because one bad value would otherwise fail the appender, and with it the whole write.
type Problem = string | undefined;

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function finiteNumber(field: string, value: unknown): Problem {
  return typeof value === 'number' && Number.isFinite(value)
    ? undefined
    : `${field} must be a finite number, got ${describe(value)}`;
}

function text(field: string, value: unknown): Problem {
  return typeof value === 'string' ? undefined : `${field} must be a string, got ${describe(value)}`;
}

function oneOf(field: string, value: unknown, allowed: readonly string[]): Problem {
  return allowed.includes(value as string)
    ? undefined
    : `${field} must be one of ${allowed.join(', ')}, got ${describe(value)}`;
}

function optional(check: (field: string, value: unknown) => Problem, field: string, value: unknown): Problem {
  return value === undefined ? undefined : check(field, value);
}

function attributeValues(field: string, attributes: unknown): Problem {
  if (typeof attributes !== 'object' || attributes === null) return `${field} must be an object`;
  for (const [name, value] of Object.entries(attributes)) {
    const stored =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!stored) {
      return `${field}.${name} must be a string, a finite number or a boolean, got ${describe(value)}`;
    }
  }
  return undefined;
}

function logProblem(log: LogRecord): Problem {
  return (
    finiteNumber('timestamp', log.timestamp) ??
    oneOf('level', log.level, LOG_LEVELS) ??
    text('message', log.message) ??
    optional(text, 'service', log.service) ??
    optional(text, 'model', log.model) ??
    optional(text, 'traceId', log.traceId) ??
    optional(text, 'spanId', log.spanId) ??
    attributeValues('attributes', log.attributes) ??
    (log.pattern === undefined
      ? undefined
      : (text('pattern.fingerprint', log.pattern.fingerprint) ??
        text('pattern.template', log.pattern.template)))
  );
}

function spanProblem(span: SpanRecord): Problem {
  const idProblem = (field: string, value: unknown) =>
    text(field, value) ?? (value === '' ? `${field} must not be empty` : undefined);
  return (
    idProblem('traceId', span.traceId) ??
    idProblem('spanId', span.spanId) ??
    optional(text, 'parentSpanId', span.parentSpanId) ??
    text('name', span.name) ??
    oneOf('kind', span.kind, SPAN_KINDS) ??
    finiteNumber('startTime', span.startTime) ??
    finiteNumber('endTime', span.endTime) ??
    finiteNumber('durationMs', span.durationMs) ??
    oneOf('status', span.status, SPAN_STATUSES) ??
    optional(text, 'statusMessage', span.statusMessage) ??
    optional(text, 'service', span.service) ??
    optional(text, 'model', span.model) ??
    attributeValues('attributes', span.attributes) ??
    (Array.isArray(span.events) ? undefined : 'events must be an array') ??
    span.events
      .map(
        (event, index) =>
          finiteNumber(`events[${index}].timestamp`, event.timestamp) ??
          text(`events[${index}].name`, event.name) ??
          attributeValues(`events[${index}].attributes`, event.attributes),
      )
      .find((problem) => problem !== undefined)
  );
}

function predictionEventProblem(event: PredictionEventRecord): Problem {
  return (
    finiteNumber('timestamp', event.timestamp) ??
    optional(text, 'id', event.id) ??
    text('model', event.model) ??
    optional(text, 'modelVersion', event.modelVersion) ??
    oneOf('status', event.status, PREDICTION_STATUSES) ??
    optional(text, 'errorType', event.errorType) ??
    finiteNumber('latencyMs', event.latencyMs) ??
    optional(finiteNumber, 'confidence', event.confidence) ??
    optional(text, 'prediction', event.prediction) ??
    optional(finiteNumber, 'inputTokens', event.inputTokens) ??
    optional(finiteNumber, 'outputTokens', event.outputTokens) ??
    optional(finiteNumber, 'costUsd', event.costUsd) ??
    attributeValues('attributes', event.attributes)
  );
}

/** The records that can be stored, and the positions and reasons of those that cannot. */
function sortOut<T>(records: readonly T[], problem: (record: T) => Problem) {
  const storable: T[] = [];
  const rejected: RejectedRecord[] = [];
  records.forEach((record, index) => {
    const reason = problem(record);
    if (reason === undefined) storable.push(record);
    else rejected.push({ index, reason });
  });
  return { storable, rejected };
}

function appendOptionalText(appender: DuckDBAppender, value: string | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendOptionalNumber(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}

function parseAttributes(json: string): Record<string, AttributeValue> {
  return JSON.parse(json) as Record<string, AttributeValue>;
}

function logFromRow(row: LogRow): LogRecord {
  return {
    timestamp: row.timestamp_ms,
    level: row.level,
    message: row.message,
    ...(row.service === null ? {} : { service: row.service }),
    ...(row.model === null ? {} : { model: row.model }),
    ...(row.trace_id === null ? {} : { traceId: row.trace_id }),
    ...(row.span_id === null ? {} : { spanId: row.span_id }),
    attributes: parseAttributes(row.attributes),
    ...(row.pattern_fingerprint === null || row.pattern_template === null
      ? {}
      : { pattern: { fingerprint: row.pattern_fingerprint, template: row.pattern_template } }),
  };
}

function spanFromRow(row: SpanRow): SpanRecord {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    ...(row.parent_span_id === null ? {} : { parentSpanId: row.parent_span_id }),
    name: row.name,
    kind: row.kind,
    startTime: row.start_time_ms,
    endTime: row.end_time_ms,
    durationMs: row.duration_ms,
    status: row.status,
    ...(row.status_message === null ? {} : { statusMessage: row.status_message }),
    ...(row.service === null ? {} : { service: row.service }),
    ...(row.model === null ? {} : { model: row.model }),
    attributes: parseAttributes(row.attributes),
    events: JSON.parse(row.events) as SpanRecord['events'],
  };
}

function predictionEventFromRow(row: PredictionEventRow): PredictionEventRecord {
  return {
    timestamp: row.timestamp_ms,
    ...(row.id === null ? {} : { id: row.id }),
    model: row.model,
    ...(row.model_version === null ? {} : { modelVersion: row.model_version }),
    status: row.status,
    ...(row.error_type === null ? {} : { errorType: row.error_type }),
    latencyMs: row.latency_ms,
    ...(row.confidence === null ? {} : { confidence: row.confidence }),
    ...(row.prediction === null ? {} : { prediction: row.prediction }),
    ...(row.input_tokens === null ? {} : { inputTokens: row.input_tokens }),
    ...(row.output_tokens === null ? {} : { outputTokens: row.output_tokens }),
    ...(row.cost_usd === null ? {} : { costUsd: row.cost_usd }),
    attributes: parseAttributes(row.attributes),
  };
}

/** The conditions every log query shares: the time range [from, to) and exact service and model filters. */
function rangeConditions(range: {
  readonly from: number;
  readonly to: number;
  readonly service?: string;
  readonly model?: string;
}): Conditions {
  const conditions: Conditions = {
    clauses: ['timestamp_ms >= $from', 'timestamp_ms < $to'],
    values: { from: range.from, to: range.to },
    types: { from: DOUBLE, to: DOUBLE },
  };
  if (range.service !== undefined) addCondition(conditions, 'service = $service', 'service', range.service);
  if (range.model !== undefined) addCondition(conditions, 'model = $model', 'model', range.model);
  return conditions;
}

function addCondition(
  conditions: Conditions,
  clause: string,
  name: string,
  value: DuckDBValue,
  type: DuckDBType = VARCHAR,
): void {
  conditions.clauses.push(clause);
  conditions.values[name] = value;
  conditions.types[name] = type;
}

/** The conditions of a log search, but for its cursor (so they also count the matches). */
function searchConditions(search: LogSearch): Conditions {
  const conditions = rangeConditions(search);
  if (search.levels !== undefined) {
    addCondition(
      conditions,
      'list_contains($levels, level)',
      'levels',
      listValue([...search.levels]),
      LIST(VARCHAR),
    );
  }
  if (search.traceId !== undefined)
    addCondition(conditions, 'trace_id = $traceId', 'traceId', search.traceId);
  // `contains` matches its argument literally, so `%`, `_` and quotes in a word need no escaping, as they
  // would with LIKE; lowering both sides makes the match case-insensitive, Unicode included.
  const words = [...new Set((search.text ?? '').split(/\s+/).filter(Boolean))];
  words.forEach((word, index) => {
    addCondition(conditions, `contains(lower(message), lower($word${index}))`, `word${index}`, word);
  });
  return conditions;
}

function whereClause(conditions: Conditions): string {
  return conditions.clauses.length === 0 ? '' : `WHERE ${conditions.clauses.join(' AND ')}`;
}

/**
 * The local event store: logs, spans and sampled raw prediction events in a DuckDB file of their own
 * (`events.duckdb`; DuckDB opens a file once per process, and the metric store keeps its own).
 *
 * Every log gets a random `log_id` when written. Searches return the newest logs first, and logs that share
 * a timestamp in `log_id` order, so a cursor (the last row's timestamp and id) resumes exactly where a page
 * ended, however many logs share that timestamp. Writes append; a span whose trace and span id are already
 * stored is not appended again (a replayed batch stays one tree) but counts as written.
 *
 * One store owns its file: open each file once.
 */
export class DuckDbEventStore implements EventStore {
  private constructor(private readonly database: DuckDbDatabase) {}

  /** The database file, or `:memory:`. */
  get path(): string {
    return this.database.path;
  }

  private get connection() {
    return this.database.connection;
  }

  /** Opens (creating when missing) the database file at `path`, or an in-memory one for `:memory:`. */
  static async open(path: string): Promise<DuckDbEventStore> {
    return new DuckDbEventStore(await DuckDbDatabase.open(path, 'event store', CREATE_TABLES));
  }

  /** Appends the logs in one transaction; logs that cannot be stored are returned with a reason. */
  async writeLogs(logs: readonly LogRecord[]): Promise<EventWriteOutcome> {
    const { storable, rejected } = sortOut(logs, logProblem);
    if (storable.length > 0) {
      await this.exclusively(() =>
        this.database.inTransaction(() =>
          this.append('logs', storable, (appender, log) => {
            appender.appendVarchar(randomUUID());
            appender.appendDouble(log.timestamp);
            appender.appendVarchar(log.level);
            appender.appendVarchar(log.message);
            appendOptionalText(appender, log.service);
            appendOptionalText(appender, log.model);
            appendOptionalText(appender, log.traceId);
            appendOptionalText(appender, log.spanId);
            appender.appendVarchar(JSON.stringify(log.attributes));
            appendOptionalText(appender, log.pattern?.fingerprint);
            appendOptionalText(appender, log.pattern?.template);
          }),
        ),
      );
    }
    return { written: storable.length, rejected };
  }

  /**
   * Appends the spans in one transaction; spans that cannot be stored are returned with a reason. A span
   * already stored (same trace and span id), or repeated within the write, is kept once.
   */
  async writeSpans(spans: readonly SpanRecord[]): Promise<EventWriteOutcome> {
    const { storable, rejected } = sortOut(spans, spanProblem);
    if (storable.length > 0) {
      await this.exclusively(() =>
        this.database.inTransaction(async () => {
          const stored = await this.storedSpanKeys(storable);
          const fresh = storable.filter((span) => {
            const key = JSON.stringify([span.traceId, span.spanId]);
            if (stored.has(key)) return false;
            stored.add(key);
            return true;
          });
          await this.append('spans', fresh, (appender, span) => {
            appender.appendVarchar(span.traceId);
            appender.appendVarchar(span.spanId);
            appendOptionalText(appender, span.parentSpanId);
            appender.appendVarchar(span.name);
            appender.appendVarchar(span.kind);
            appender.appendDouble(span.startTime);
            appender.appendDouble(span.endTime);
            appender.appendDouble(span.durationMs);
            appender.appendVarchar(span.status);
            appendOptionalText(appender, span.statusMessage);
            appendOptionalText(appender, span.service);
            appendOptionalText(appender, span.model);
            appender.appendVarchar(JSON.stringify(span.attributes));
            appender.appendVarchar(JSON.stringify(span.events));
          });
        }),
      );
    }
    return { written: storable.length, rejected };
  }

  /** Appends the raw prediction events in one transaction; events that cannot be stored are returned. */
  async writePredictionEvents(events: readonly PredictionEventRecord[]): Promise<EventWriteOutcome> {
    const { storable, rejected } = sortOut(events, predictionEventProblem);
    if (storable.length > 0) {
      await this.exclusively(() =>
        this.database.inTransaction(() =>
          this.append('prediction_events', storable, (appender, event) => {
            appender.appendDouble(event.timestamp);
            appendOptionalText(appender, event.id);
            appender.appendVarchar(event.model);
            appendOptionalText(appender, event.modelVersion);
            appender.appendVarchar(event.status);
            appendOptionalText(appender, event.errorType);
            appender.appendDouble(event.latencyMs);
            appendOptionalNumber(appender, event.confidence);
            appendOptionalText(appender, event.prediction);
            appendOptionalNumber(appender, event.inputTokens);
            appendOptionalNumber(appender, event.outputTokens);
            appendOptionalNumber(appender, event.costUsd);
            appender.appendVarchar(JSON.stringify(event.attributes));
          }),
        ),
      );
    }
    return { written: storable.length, rejected };
  }

  /**
   * One page of matching logs, newest first (ties in `log_id` order), with the exact number of matches.
   * Every word of `text` must appear in the message, as a case-insensitive substring.
   */
  async searchLogs(search: LogSearch): Promise<LogSearchPage> {
    if (!Number.isSafeInteger(search.limit) || search.limit < 1) {
      throw new ValidationError(`limit must be a positive whole number, got ${search.limit}`);
    }
    const matching = searchConditions(search);
    const page: Conditions = {
      clauses: [...matching.clauses],
      values: { ...matching.values },
      types: { ...matching.types },
    };
    if (search.cursor !== undefined) {
      const position = decodeSearchCursor(search.cursor);
      // The plain `<=` lets DuckDB skip row groups by their timestamps; the row comparison does the paging.
      page.clauses.push('timestamp_ms <= $afterTime', '(timestamp_ms, log_id) < ($afterTime, $afterId)');
      page.values.afterTime = position.timestamp;
      page.values.afterId = position.logId;
      page.types.afterTime = DOUBLE;
      page.types.afterId = VARCHAR;
    }
    // One row past the page says whether another page follows.
    const pageSql = `SELECT ${LOG_COLUMNS} FROM logs ${whereClause(page)}
      ORDER BY timestamp_ms DESC, log_id DESC LIMIT ${search.limit + 1}`;
    const countSql = `SELECT count(*) AS total FROM logs ${whereClause(matching)}`;
    const [pageReader, countReader] = await this.exclusively(async () => [
      await this.connection.runAndReadAll(pageSql, page.values, page.types),
      await this.connection.runAndReadAll(countSql, matching.values, matching.types),
    ]);
    const rows = pageReader.getRowObjectsJS() as unknown as LogRow[];
    const pageRows = rows.slice(0, search.limit);
    const last = pageRows.at(-1);
    const total = Number((countReader.getRowObjectsJS()[0] as { total: bigint }).total);
    return {
      logs: pageRows.map(logFromRow),
      total,
      totalIsExact: true,
      ...(rows.length > search.limit && last
        ? { nextCursor: encodeSearchCursor({ timestamp: last.timestamp_ms, logId: last.log_id }) }
        : {}),
    };
  }

  /** Every stored span of the trace, by start time. */
  async getTraceSpans(traceId: string): Promise<SpanRecord[]> {
    const reader = await this.exclusively(() =>
      this.connection.runAndReadAll(
        'SELECT * FROM spans WHERE trace_id = $traceId ORDER BY start_time_ms, span_id',
        { traceId },
        { traceId: VARCHAR },
      ),
    );
    return (reader.getRowObjectsJS() as unknown as SpanRow[]).map(spanFromRow);
  }

  /**
   * Error and critical logs in [from, to) that carry a pattern, grouped by fingerprint, most frequent
   * first (then most recently seen). The example is the group's latest message; services and models are
   * sorted. Logs written without a pattern are not grouped.
   */
  async errorPatterns(search: PatternSearch): Promise<ErrorPattern[]> {
    if (!Number.isSafeInteger(search.limit) || search.limit < 1) {
      throw new ValidationError(`limit must be a positive whole number, got ${search.limit}`);
    }
    const conditions = rangeConditions(search);
    addCondition(
      conditions,
      'list_contains($errorLevels, level)',
      'errorLevels',
      listValue([...ERROR_LEVELS]),
      LIST(VARCHAR),
    );
    conditions.clauses.push('pattern_fingerprint IS NOT NULL');
    const sql = `
      SELECT
        pattern_fingerprint AS fingerprint,
        arg_max(pattern_template, timestamp_ms) AS template,
        count(*) AS count,
        min(timestamp_ms) AS first_seen,
        max(timestamp_ms) AS last_seen,
        coalesce(list_sort(list(DISTINCT service) FILTER (WHERE service IS NOT NULL)), []) AS services,
        coalesce(list_sort(list(DISTINCT model) FILTER (WHERE model IS NOT NULL)), []) AS models,
        arg_max(message, timestamp_ms) AS example
      FROM logs ${whereClause(conditions)}
      GROUP BY pattern_fingerprint
      ORDER BY count DESC, last_seen DESC, fingerprint
      LIMIT ${search.limit}`;
    const reader = await this.exclusively(() =>
      this.connection.runAndReadAll(sql, conditions.values, conditions.types),
    );
    return (reader.getRowObjectsJS() as unknown as PatternRow[]).map((row) => ({
      fingerprint: row.fingerprint,
      template: row.template,
      count: Number(row.count),
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      services: row.services,
      models: row.models,
      example: row.example,
    }));
  }

  /**
   * Stored raw prediction events with timestamps in [from, to), oldest first (not part of the port: the
   * local platform and tests read them back).
   */
  async readPredictionEvents(from: number, to: number): Promise<PredictionEventRecord[]> {
    const reader = await this.exclusively(() =>
      this.connection.runAndReadAll(
        `SELECT * FROM prediction_events WHERE timestamp_ms >= $from AND timestamp_ms < $to
          ORDER BY timestamp_ms`,
        { from, to },
        { from: DOUBLE, to: DOUBLE },
      ),
    );
    return (reader.getRowObjectsJS() as unknown as PredictionEventRow[]).map(predictionEventFromRow);
  }

  /** Resolves when the database answers a trivial query; rejects otherwise (for `/readyz`). */
  healthCheck(): Promise<void> {
    return this.database.healthCheck();
  }

  /** Waits for running operations, then releases the file so another process (or a restart) can open it. */
  close(): Promise<void> {
    return this.database.close();
  }

  private exclusively<T>(operation: () => Promise<T>): Promise<T> {
    return this.database.exclusively(operation);
  }

  private async append<T>(
    table: string,
    records: readonly T[],
    appendRow: (appender: DuckDBAppender, record: T) => void,
  ): Promise<void> {
    if (records.length === 0) return;
    const appender = await this.connection.createAppender(table);
    try {
      for (const record of records) {
        appendRow(appender, record);
        appender.endRow();
      }
    } catch (error) {
      appender.clear();
      throw error;
    } finally {
      appender.closeSync();
    }
  }

  /** `[traceId, spanId]` JSON keys of the stored spans among `spans`' traces; called inside the write. */
  private async storedSpanKeys(spans: readonly SpanRecord[]): Promise<Set<string>> {
    const traceIds = [...new Set(spans.map((span) => span.traceId))];
    const reader = await this.connection.runAndReadAll(
      'SELECT trace_id, span_id FROM spans WHERE list_contains($traceIds, trace_id)',
      { traceIds: listValue(traceIds) },
      { traceIds: LIST(VARCHAR) },
    );
    return new Set(
      (reader.getRowObjectsJS() as unknown as SpanRow[]).map((row) =>
        JSON.stringify([row.trace_id, row.span_id]),
      ),
    );
  }
}
