import { createHash, randomUUID } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  type RetryOptions,
  realSleep,
} from '../../../metrics/adapters/aws/retry.js';
import { UnavailableError } from '../../../shared/unavailable-error.js';
import type {
  AttributeValue,
  LogLevel,
  LogRecord,
  PredictionEventRecord,
  SpanRecord,
} from '../../core/records.js';
import { decodeSearchCursor, encodeSearchCursor } from '../../core/search-cursor.js';
import {
  type EventWriteOptions,
  type IdentifyingEventStore,
  IncompleteWriteError,
} from '../../core/spilling-event-store.js';
import type {
  ErrorPattern,
  EventWriteOutcome,
  LogSearch,
  LogSearchPage,
  PatternSearch,
  RejectedRecord,
} from '../../ports/event-store.js';
import { dailyIndexName, type EventIndexKind, indexPattern, indicesForRange } from './opensearch-schema.js';

/** Most hits OpenSearch counts exactly (and returns in one page) before it answers "at least". */
export const MAX_TRACKED_HITS = 10_000;

/** Largest `_bulk` request body, bytes: well under the 10 MiB the smallest AWS instance types accept. */
export const DEFAULT_MAX_BULK_BYTES = 5 * 1024 * 1024;

/** Most distinct services and models an error pattern lists. */
export const MAX_PATTERN_NAMES = 100;

/** Levels that error patterns group. */
const ERROR_LEVELS: readonly LogLevel[] = ['error', 'critical'];

/** OpenSearch caps a document id at 512 bytes. */
const MAX_DOCUMENT_ID_BYTES = 512;

/** How the event store is deployed: a domain, or a Serverless (time series) collection. */
export type OpenSearchDeployment = 'domain' | 'serverless';

/** What an `OpenSearchEventStore` talks to, and how it retries. */
export interface OpenSearchEventStoreProps extends RetryOptions {
  /**
   * The client (`createSignedOpenSearchClient` for AWS), or the URL of a node that needs no signing (a local
   * OpenSearch), for which the store makes a client that does not retry by itself.
   */
  readonly client: Client | string;
  /**
   * Serverless time series collections refuse custom document ids, so there every document gets an id from
   * OpenSearch. @default 'domain'
   */
  readonly deployment?: OpenSearchDeployment;
  /** Largest `_bulk` request body, bytes; larger writes are sent in parts. @default DEFAULT_MAX_BULK_BYTES */
  readonly maxBulkBytes?: number;
  /** Makes the id of a log written without one. @default randomUUID */
  readonly newLogId?: () => string;
}

/** One record ready for `_bulk`: its position in the write, and its action and source lines. */
interface BulkDocument {
  readonly position: number;
  readonly lines: readonly [string, string];
  readonly bytes: number;
}

/** What one part of a bulk write came to. */
interface PartOutcome {
  written: number;
  readonly rejected: RejectedRecord[];
  /** Documents still not written when the part gave up; empty when it finished. */
  unwritten: readonly BulkDocument[];
  problem?: string;
}

/** One item of a `_bulk` response (OpenSearch Bulk API reference). */
interface BulkResponseItem {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string; readonly caused_by?: unknown };
}

/** A search hit as the documents this store writes come back. */
interface Hit {
  readonly _source?: Record<string, unknown>;
  readonly sort?: readonly unknown[];
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The HTTP status of a client error that has one (a response), else undefined (no response at all). */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

// The client's errors are told apart by name: a bundle may hold more than one copy of the client library.
const UNANSWERED_REQUEST_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);

/** Whether a failed request is worth sending again: throttling, server faults, timeouts, no connection. */
export function isTransientOpenSearchError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNANSWERED_REQUEST_ERRORS.has(error.name)) return true;
  const status = error.name === 'ResponseError' ? statusOf(error) : undefined;
  return status !== undefined && isTransientStatus(status);
}

function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Why OpenSearch refused a document, from a bulk item's `error` (type, reason and the first cause). */
function itemReason(item: BulkResponseItem): string {
  const { error } = item;
  if (!error) return `opensearch answered ${item.status}`;
  const cause = error.caused_by as { type?: string; reason?: string } | undefined;
  const causeText = cause?.type ? `; caused by ${cause.type}: ${cause.reason ?? ''}`.trimEnd() : '';
  return `${error.type ?? 'error'}: ${error.reason ?? `status ${item.status}`}${causeText}`;
}

function attributePairs(attributes: Readonly<Record<string, AttributeValue>>): string[] {
  return Object.entries(attributes).map(([key, value]) => `${key}=${String(value)}`);
}

/** A document id within OpenSearch's limit: the readable form, or its SHA-256 when that is too long. */
function documentId(readable: string): string {
  return Buffer.byteLength(readable) <= MAX_DOCUMENT_ID_BYTES
    ? readable
    : createHash('sha256').update(readable).digest('hex');
}

function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function attributesOf(value: unknown): Record<string, AttributeValue> {
  return typeof value === 'object' && value !== null ? (value as Record<string, AttributeValue>) : {};
}

function logFromSource(source: Record<string, unknown>): LogRecord {
  const pattern = source.pattern as { fingerprint?: unknown; template?: unknown } | undefined;
  return {
    timestamp: Number(source.timestamp),
    level: source.level as LogLevel,
    message: text(source.message) ?? '',
    ...optional('service', text(source.service)),
    ...optional('model', text(source.model)),
    ...optional('traceId', text(source.traceId)),
    ...optional('spanId', text(source.spanId)),
    attributes: attributesOf(source.attributes),
    ...(typeof pattern?.fingerprint === 'string' && typeof pattern.template === 'string'
      ? { pattern: { fingerprint: pattern.fingerprint, template: pattern.template } }
      : {}),
  };
}

function spanFromSource(source: Record<string, unknown>): SpanRecord {
  return {
    traceId: String(source.traceId),
    spanId: String(source.spanId),
    ...optional('parentSpanId', text(source.parentSpanId)),
    name: text(source.name) ?? '',
    kind: source.kind as SpanRecord['kind'],
    startTime: Number(source.startTime),
    endTime: Number(source.endTime),
    durationMs: Number(source.durationMs),
    status: source.status as SpanRecord['status'],
    ...optional('statusMessage', text(source.statusMessage)),
    ...optional('service', text(source.service)),
    ...optional('model', text(source.model)),
    attributes: attributesOf(source.attributes),
    events: Array.isArray(source.events) ? (source.events as SpanRecord['events']) : [],
  };
}

/**
 * The event store on OpenSearch (an AWS domain or Serverless collection): logs, spans and raw prediction
 * events in daily indices (`opensearch-schema.ts`), written with `_bulk` and read with searches and
 * aggregations.
 *
 * Writes. Each record goes to the index of its own UTC day. Documents get deterministic ids where there is
 * one (a span: trace and span id; a raw event: model and id; else the id the caller gives in
 * `documentIds`), so a retried or replayed write overwrites instead of adding. Items OpenSearch throttles
 * (429) or fails (5xx) are sent again, alone, with backoff and jitter; items it refuses (mapping errors and
 * other 4xx) are reported with OpenSearch's reason. When records still cannot be written after the last
 * attempt, or OpenSearch cannot be reached, the write throws `IncompleteWriteError`, which says what was
 * written, refused and left over, for `SpillingEventStore` to spill the rest.
 *
 * Reads retry transient failures the same way and then throw `UnavailableError` (a 503 for the client).
 *
 * Times. `timestamp` is a `date` of whole epoch milliseconds (fractions are rounded down), so logs and raw
 * events read back at millisecond precision; spans keep their sub-millisecond start and end as doubles.
 */
export class OpenSearchEventStore implements IdentifyingEventStore {
  private readonly client: Client;
  private readonly customIds: boolean;
  private readonly maxBulkBytes: number;
  private readonly newLogId: () => string;

  constructor(private readonly props: OpenSearchEventStoreProps) {
    this.client =
      typeof props.client === 'string'
        ? new Client({ node: props.client, maxRetries: 0, resurrectStrategy: 'none' })
        : props.client;
    this.customIds = (props.deployment ?? 'domain') === 'domain';
    this.maxBulkBytes = props.maxBulkBytes ?? DEFAULT_MAX_BULK_BYTES;
    this.newLogId = props.newLogId ?? randomUUID;
  }

  /** Indexes logs into their days' `vigil-logs-*` indices; each gets a `logId`, also its document id. */
  writeLogs(logs: readonly LogRecord[], options: EventWriteOptions = {}): Promise<EventWriteOutcome> {
    return this.bulkIndex('logs', logs, (log, position) => {
      const logId = options.documentIds?.[position] ?? this.newLogId();
      return {
        timestamp: log.timestamp,
        id: logId,
        source: {
          ...log,
          timestamp: Math.floor(log.timestamp),
          logId,
          attributePairs: attributePairs(log.attributes),
        },
      };
    });
  }

  /** Indexes spans into the days of their start; a span's document id is its trace and span id. */
  writeSpans(spans: readonly SpanRecord[]): Promise<EventWriteOutcome> {
    return this.bulkIndex('spans', spans, (span) => ({
      timestamp: span.startTime,
      id: `${span.traceId}-${span.spanId}`,
      // `timestamp` is a `date` of whole milliseconds; startTime keeps the fraction.
      source: {
        timestamp: Math.floor(span.startTime),
        ...span,
        attributePairs: attributePairs(span.attributes),
      },
    }));
  }

  /** Indexes raw prediction events; one with an `id` is stored once per model and id, however often sent. */
  writePredictionEvents(
    events: readonly PredictionEventRecord[],
    options: EventWriteOptions = {},
  ): Promise<EventWriteOutcome> {
    return this.bulkIndex('predictions', events, (event, position) => ({
      timestamp: event.timestamp,
      id:
        event.id === undefined
          ? options.documentIds?.[position]
          : documentId(JSON.stringify([event.model, event.id])),
      source: {
        ...event,
        timestamp: Math.floor(event.timestamp),
        attributePairs: attributePairs(event.attributes),
      },
    }));
  }

  /**
   * One page of matching logs, newest first (ties by `logId`, descending), paged with `search_after`. The
   * total is exact up to 10,000 matches and a lower bound beyond.
   */
  async searchLogs(search: LogSearch): Promise<LogSearchPage> {
    const after = search.cursor === undefined ? undefined : decodeSearchCursor(search.cursor);
    const filter: object[] = [this.timeRange(search.from, search.to)];
    if (search.levels !== undefined) filter.push({ terms: { level: [...search.levels] } });
    for (const field of ['model', 'service', 'traceId'] as const) {
      const value = search[field];
      if (value !== undefined) filter.push({ term: { [field]: value } });
    }
    const body = {
      // One hit past the page says whether another page follows.
      size: search.limit + 1,
      track_total_hits: MAX_TRACKED_HITS,
      query: {
        bool: {
          ...(search.text === undefined
            ? {}
            : { must: [{ match: { message: { query: search.text, operator: 'and' } } }] }),
          filter,
        },
      },
      sort: [{ timestamp: { order: 'desc' } }, { logId: { order: 'desc' } }],
      ...(after === undefined ? {} : { search_after: [after.timestamp, after.logId] }),
      _source: { excludes: ['attributePairs'] },
    };
    const response = await this.search(indicesForRange('logs', search.from, search.to), body);
    const hits = (response.hits?.hits ?? []) as Hit[];
    const page = hits.slice(0, search.limit);
    const last = page.at(-1);
    const total = response.hits?.total as { value?: number; relation?: string } | number | undefined;
    return {
      logs: page.map((hit) => logFromSource(hit._source ?? {})),
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      totalIsExact: typeof total === 'number' || total?.relation === 'eq',
      ...(hits.length > search.limit && last?.sort
        ? { nextCursor: encodeSearchCursor({ timestamp: Number(last.sort[0]), logId: String(last.sort[1]) }) }
        : {}),
    };
  }

  /** Every span of the trace (up to 10,000), by start time, from every day's spans index. */
  async getTraceSpans(traceId: string): Promise<SpanRecord[]> {
    const response = await this.search([indexPattern('spans')], {
      size: MAX_TRACKED_HITS,
      query: { bool: { filter: [{ term: { traceId } }] } },
      sort: [{ startTime: { order: 'asc' } }, { spanId: { order: 'asc' } }],
      _source: { excludes: ['attributePairs'] },
    });
    return ((response.hits?.hits ?? []) as Hit[]).map((hit) => spanFromSource(hit._source ?? {}));
  }

  /**
   * Error and critical logs in [from, to) that carry a pattern, grouped by fingerprint: a `terms`
   * aggregation, most frequent first (then most recently seen), with first and last seen, the services and
   * models (up to 100 each, sorted) and the latest message and template. Across many shards the counts of
   * the last groups returned can be approximate, as with any `terms` aggregation.
   */
  async errorPatterns(search: PatternSearch): Promise<ErrorPattern[]> {
    const filter: object[] = [
      this.timeRange(search.from, search.to),
      { terms: { level: [...ERROR_LEVELS] } },
      { exists: { field: 'pattern.fingerprint' } },
    ];
    if (search.service !== undefined) filter.push({ term: { service: search.service } });
    if (search.model !== undefined) filter.push({ term: { model: search.model } });
    const response = await this.search(indicesForRange('logs', search.from, search.to), {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter } },
      aggs: {
        patterns: {
          terms: {
            field: 'pattern.fingerprint',
            size: search.limit,
            order: [{ _count: 'desc' }, { lastSeen: 'desc' }],
          },
          aggs: {
            firstSeen: { min: { field: 'timestamp' } },
            lastSeen: { max: { field: 'timestamp' } },
            services: { terms: { field: 'service', size: MAX_PATTERN_NAMES } },
            models: { terms: { field: 'model', size: MAX_PATTERN_NAMES } },
            latest: {
              top_hits: {
                size: 1,
                sort: [{ timestamp: { order: 'desc' } }],
                _source: { includes: ['message', 'pattern.template'] },
              },
            },
          },
        },
      },
    });
    const aggregation = (response.aggregations as Record<string, unknown> | undefined)?.patterns as
      | { buckets?: PatternBucket[] }
      | undefined;
    return (aggregation?.buckets ?? []).map(patternFromBucket);
  }

  /**
   * Resolves when OpenSearch counts the logs, on every shard (a red index fails it). A count works alike on
   * a domain and on Serverless (which has no cluster APIs), and needs only the read permission the search
   * functions have anyway.
   */
  async healthCheck(): Promise<void> {
    const response = await this.client.count({
      index: indexPattern('logs'),
      allow_no_indices: true,
      ignore_unavailable: true,
    });
    const shards = response.body._shards;
    if (shards && shards.failed > 0)
      throw new Error(`opensearch counted logs on ${shards.successful} of ${shards.total} shards`);
  }

  /** [from, to) over whole milliseconds, the precision of the `timestamp` field. */
  private timeRange(from: number, to: number): object {
    return {
      range: { timestamp: { gte: Math.floor(from), lt: Math.ceil(to), format: 'epoch_millis' } },
    };
  }

  private async search(indices: readonly string[], body: Record<string, unknown>) {
    const response = await this.withRetries(() =>
      this.client.search({
        index: [...indices],
        ignore_unavailable: true,
        allow_no_indices: true,
        // The request bodies follow the OpenSearch Search API reference; the client's generated types are
        // stricter than the API about unions such as sort orders.
        body: body as never,
      }),
    );
    return response.body;
  }

  /** Runs a read, retrying transient failures; after the last attempt they become `UnavailableError`. */
  private async withRetries<T>(operation: () => Promise<T>): Promise<T> {
    const policy = this.props.backoff ?? DEFAULT_BACKOFF;
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (!isTransientOpenSearchError(error)) throw error;
        if (attempt >= policy.maxAttempts)
          throw new UnavailableError(`opensearch is unavailable: ${describe(error)}`, { cause: error });
        await this.sleep(attempt - 1);
      }
    }
  }

  private sleep(retry: number): Promise<void> {
    const policy = this.props.backoff ?? DEFAULT_BACKOFF;
    return (this.props.sleep ?? realSleep)(backoffDelayMs(retry, policy, this.props.random ?? Math.random));
  }

  /**
   * Writes records with `_bulk`, in parts of at most `maxBulkBytes`. A part that gives up leaves it and the
   * parts after it unwritten: the cluster is in no state to take them now.
   */
  private async bulkIndex<T>(
    kind: EventIndexKind,
    records: readonly T[],
    toDocument: (record: T, position: number) => { timestamp: number; id?: string; source: object },
  ): Promise<EventWriteOutcome> {
    const rejected: RejectedRecord[] = [];
    const documents: BulkDocument[] = [];
    records.forEach((record, position) => {
      const { timestamp, id, source } = toDocument(record, position);
      if (!Number.isFinite(timestamp)) {
        rejected.push({
          index: position,
          reason: `timestamp must be a finite number of epoch ms, got ${timestamp}`,
        });
        return;
      }
      const action = JSON.stringify({
        index: { _index: dailyIndexName(kind, timestamp), ...(this.customIds && id ? { _id: id } : {}) },
      });
      const document = JSON.stringify(source);
      documents.push({
        position,
        lines: [action, document],
        bytes: Buffer.byteLength(action) + Buffer.byteLength(document) + 2,
      });
    });
    let written = 0;
    const parts = this.parts(documents);
    for (const [index, part] of parts.entries()) {
      const outcome = await this.indexPart(part);
      written += outcome.written;
      rejected.push(...outcome.rejected);
      if (outcome.unwritten.length > 0) {
        const unwritten = [...outcome.unwritten, ...parts.slice(index + 1).flat()].map((d) => d.position);
        throw new IncompleteWriteError(
          `opensearch did not take ${unwritten.length} of ${records.length} ${kind}: ${outcome.problem}`,
          { written, rejected: byPosition(rejected), unwritten: unwritten.sort((a, b) => a - b) },
        );
      }
    }
    return { written, rejected: byPosition(rejected) };
  }

  private parts(documents: readonly BulkDocument[]): BulkDocument[][] {
    const parts: BulkDocument[][] = [];
    let current: BulkDocument[] = [];
    let bytes = 0;
    for (const document of documents) {
      if (current.length > 0 && bytes + document.bytes > this.maxBulkBytes) {
        parts.push(current);
        current = [];
        bytes = 0;
      }
      current.push(document);
      bytes += document.bytes;
    }
    if (current.length > 0) parts.push(current);
    return parts;
  }

  /** Sends one part, then again only its items that failed transiently, until done or out of attempts. */
  private async indexPart(part: readonly BulkDocument[]): Promise<PartOutcome> {
    const policy = this.props.backoff ?? DEFAULT_BACKOFF;
    const outcome: PartOutcome = { written: 0, rejected: [], unwritten: part };
    for (let attempt = 1; ; attempt++) {
      const pending = outcome.unwritten;
      let items: BulkResponseItem[];
      try {
        items = await this.sendBulk(pending);
      } catch (error) {
        // Unanswered, throttled or failed as a whole: nothing of this attempt is known to have landed.
        outcome.problem = describe(error);
        if (!isTransientOpenSearchError(error) || attempt >= policy.maxAttempts) return outcome;
        await this.sleep(attempt - 1);
        continue;
      }
      const retry: BulkDocument[] = [];
      items.forEach((item, index) => {
        const document = pending[index]!;
        if (item.status >= 200 && item.status < 300) outcome.written++;
        else if (isTransientStatus(item.status)) {
          retry.push(document);
          outcome.problem = `${item.status} ${itemReason(item)}`;
        } else outcome.rejected.push({ index: document.position, reason: itemReason(item) });
      });
      outcome.unwritten = retry;
      if (retry.length === 0 || attempt >= policy.maxAttempts) return outcome;
      await this.sleep(attempt - 1);
    }
  }

  private async sendBulk(documents: readonly BulkDocument[]): Promise<BulkResponseItem[]> {
    const response = await this.client.bulk({
      // Lines that are already JSON go out as they are (the client's `ndserialize` passes strings through),
      // so every record is serialised once, for sizing and sending alike.
      body: documents.flatMap((document) => document.lines) as never,
    });
    const items = (response.body.items ?? []).map((item) => item.index as BulkResponseItem | undefined);
    if (items.length !== documents.length || items.some((item) => item === undefined))
      throw new Error(`opensearch answered ${items.length} bulk items for ${documents.length} index actions`);
    return items as BulkResponseItem[];
  }
}

function byPosition(rejected: readonly RejectedRecord[]): RejectedRecord[] {
  return [...rejected].sort((a, b) => a.index - b.index);
}

/** One bucket of the `patterns` aggregation. */
interface PatternBucket {
  readonly key: string;
  readonly doc_count: number;
  readonly firstSeen?: { readonly value?: number | null };
  readonly lastSeen?: { readonly value?: number | null };
  readonly services?: { readonly buckets?: ReadonlyArray<{ readonly key: string }> };
  readonly models?: { readonly buckets?: ReadonlyArray<{ readonly key: string }> };
  readonly latest?: { readonly hits?: { readonly hits?: readonly Hit[] } };
}

function patternFromBucket(bucket: PatternBucket): ErrorPattern {
  const latest = bucket.latest?.hits?.hits?.[0]?._source ?? {};
  const pattern = latest.pattern as { template?: unknown } | undefined;
  const keys = (terms?: { readonly buckets?: ReadonlyArray<{ readonly key: string }> }) =>
    (terms?.buckets ?? []).map((term) => String(term.key)).sort();
  return {
    fingerprint: String(bucket.key),
    template: text(pattern?.template) ?? '',
    count: bucket.doc_count,
    firstSeen: number(bucket.firstSeen?.value) ?? Number.NaN,
    lastSeen: number(bucket.lastSeen?.value) ?? Number.NaN,
    services: keys(bucket.services),
    models: keys(bucket.models),
    example: text(latest.message) ?? '',
  };
}
