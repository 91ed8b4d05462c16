import { randomBatchId } from '../../metrics/core/spilling-metric-writer.js';
import type { EventRetryQueue, SpilledEvents } from '../../metrics/ports/retry-queue.js';
import { UnavailableError } from '../../shared/unavailable-error.js';
import type {
  ErrorPattern,
  EventStore,
  EventWriteOutcome,
  LogSearch,
  LogSearchPage,
  PatternSearch,
} from '../ports/event-store.js';
import type { LogRecord, PredictionEventRecord, SpanRecord } from './records.js';

/** How one write to an event store is made. */
export interface EventWriteOptions {
  /**
   * One document id per record, in the same order, for records without a natural id (every log; raw
   * prediction events without `id`). A record keeps its id across retries and the replay of a spilled
   * batch, so a store that already holds it overwrites it instead of storing it twice.
   */
  readonly documentIds?: readonly string[];
}

/** An event store whose writes take the records' document ids (the OpenSearch adapter). */
export interface IdentifyingEventStore extends EventStore {
  writeLogs(logs: readonly LogRecord[], options?: EventWriteOptions): Promise<EventWriteOutcome>;
  writeSpans(spans: readonly SpanRecord[], options?: EventWriteOptions): Promise<EventWriteOutcome>;
  writePredictionEvents(
    events: readonly PredictionEventRecord[],
    options?: EventWriteOptions,
  ): Promise<EventWriteOutcome>;
}

/** A write's outcome when the retry queue took part: `spilled` records wait there for the replay function. */
export interface SpillingEventWriteOutcome extends EventWriteOutcome {
  readonly spilled: number;
}

/** What an event store managed before it gave up on a write: the records it did not get to keep. */
export interface IncompleteWrite extends EventWriteOutcome {
  /** Positions (in the write's input) of the records the store could not take now, ascending. */
  readonly unwritten: readonly number[];
}

/**
 * A store gave up on part of a write after its own retries (throttled, unavailable, unreachable). It tells
 * which records were written, which were refused for good, and which were not written, so that only the
 * last go to the retry queue. A caller that does not know this error still sees a failed write.
 */
export class IncompleteWriteError extends Error {
  override readonly name: string = 'IncompleteWriteError';

  constructor(
    message: string,
    readonly outcome: IncompleteWrite,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Options of a `SpillingEventStore`. */
export interface SpillingEventStoreOptions {
  /**
   * Makes the id of a write; each record's document id is the write's id and its position.
   * @default 96 random bits, base64url
   */
  readonly newBatchId?: () => string;
}

/** The document ids of the records of one write: the write's id and each record's position. */
export function documentIdsFor(batchId: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${batchId}.${index.toString(36)}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Nothing is lost: wraps the event store so that records it still cannot take after its own retries go to
 * the retry queue, for the replay function to write later, and count as spilled.
 *
 * Every record gets its document id before the first attempt and keeps it in the queue, so records that did
 * land before the failure are overwritten, not stored twice, when the batch is replayed. Records the store
 * refuses (bad data) are reported, not spilled: replaying them would fail again. When the queue fails too,
 * the write throws `UnavailableError`, so the client is answered 503 and sends again.
 */
export class SpillingEventStore implements EventStore {
  private readonly newBatchId: () => string;

  constructor(
    private readonly store: IdentifyingEventStore,
    private readonly retryQueue: EventRetryQueue,
    options: SpillingEventStoreOptions = {},
  ) {
    this.newBatchId = options.newBatchId ?? randomBatchId;
  }

  writeLogs(logs: readonly LogRecord[]): Promise<SpillingEventWriteOutcome> {
    return this.write(
      logs,
      (documentIds) => this.store.writeLogs(logs, { documentIds }),
      (records) => ({ kind: 'logs', records }),
    );
  }

  writeSpans(spans: readonly SpanRecord[]): Promise<SpillingEventWriteOutcome> {
    return this.write(
      spans,
      (documentIds) => this.store.writeSpans(spans, { documentIds }),
      (records) => ({ kind: 'spans', records }),
    );
  }

  writePredictionEvents(events: readonly PredictionEventRecord[]): Promise<SpillingEventWriteOutcome> {
    return this.write(
      events,
      (documentIds) => this.store.writePredictionEvents(events, { documentIds }),
      (records) => ({ kind: 'prediction-events', records }),
    );
  }

  searchLogs(search: LogSearch): Promise<LogSearchPage> {
    return this.store.searchLogs(search);
  }

  getTraceSpans(traceId: string): Promise<SpanRecord[]> {
    return this.store.getTraceSpans(traceId);
  }

  errorPatterns(search: PatternSearch): Promise<ErrorPattern[]> {
    return this.store.errorPatterns(search);
  }

  private async write<T>(
    records: readonly T[],
    writeToStore: (documentIds: readonly string[]) => Promise<EventWriteOutcome>,
    spilledEvents: (records: Array<{ id: string; record: T }>) => SpilledEvents,
  ): Promise<SpillingEventWriteOutcome> {
    if (records.length === 0) return { written: 0, rejected: [], spilled: 0 };
    const documentIds = documentIdsFor(this.newBatchId(), records.length);
    let reason: string;
    let incomplete: IncompleteWrite;
    try {
      return { ...(await writeToStore(documentIds)), spilled: 0 };
    } catch (storeError) {
      reason = describe(storeError);
      // A store that failed without saying more wrote nothing that it knows of: all of it goes to the queue.
      incomplete =
        storeError instanceof IncompleteWriteError
          ? storeError.outcome
          : { written: 0, rejected: [], unwritten: records.map((_, index) => index) };
    }
    const { written, rejected, unwritten } = incomplete;
    const spilled = unwritten.map((index) => ({ id: documentIds[index]!, record: records[index]! }));
    if (spilled.length === 0) return { written, rejected, spilled: 0 };
    try {
      await this.retryQueue.send(spilledEvents(spilled), reason);
    } catch (queueError) {
      throw new UnavailableError(
        `the event store failed (${reason}) and the retry queue failed too (${describe(queueError)})`,
        { cause: queueError },
      );
    }
    return { written, rejected, spilled: spilled.length };
  }
}
