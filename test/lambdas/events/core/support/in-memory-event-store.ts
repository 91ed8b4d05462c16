import type {
  LogRecord,
  PredictionEventRecord,
  SpanRecord,
} from '../../../../../lambdas/events/core/records.js';
import type {
  ErrorPattern,
  EventStore,
  EventWriteOutcome,
  LogSearchPage,
  RejectedRecord,
} from '../../../../../lambdas/events/ports/event-store.js';

/**
 * A stand-in for the event store in use-case tests: keeps what is written, in memory, and refuses the
 * records `refuse` names (with its reason), as a store refuses single documents. Searching is the real
 * stores' job and is not faked here.
 */
export class InMemoryEventStore implements EventStore {
  readonly logs: LogRecord[] = [];
  readonly spans: SpanRecord[] = [];
  readonly predictionEvents: PredictionEventRecord[] = [];

  constructor(private readonly refuse: (record: unknown) => string | undefined = () => undefined) {}

  /** Everything stored, as JSON text, for asserting what never reaches the store. */
  storedJson(): string {
    return JSON.stringify([this.logs, this.spans, this.predictionEvents]);
  }

  async writeLogs(logs: readonly LogRecord[]): Promise<EventWriteOutcome> {
    return this.keep(logs, this.logs);
  }

  async writeSpans(spans: readonly SpanRecord[]): Promise<EventWriteOutcome> {
    return this.keep(spans, this.spans);
  }

  async writePredictionEvents(events: readonly PredictionEventRecord[]): Promise<EventWriteOutcome> {
    return this.keep(events, this.predictionEvents);
  }

  async getTraceSpans(traceId: string): Promise<SpanRecord[]> {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async searchLogs(): Promise<LogSearchPage> {
    throw new Error('the in-memory event store does not search');
  }

  async errorPatterns(): Promise<ErrorPattern[]> {
    throw new Error('the in-memory event store does not group patterns');
  }

  private keep<T>(records: readonly T[], into: T[]): EventWriteOutcome {
    const rejected: RejectedRecord[] = [];
    records.forEach((record, index) => {
      const reason = this.refuse(record);
      if (reason === undefined) into.push(structuredClone(record));
      else rejected.push({ index, reason });
    });
    return { written: records.length - rejected.length, rejected };
  }
}
