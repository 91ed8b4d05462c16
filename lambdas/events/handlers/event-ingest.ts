import type { MetricWriter } from '../../metrics/ports/metric-store.js';
import type { Redactor } from '../core/redaction.js';
import type { EventStore } from '../ports/event-store.js';

/** What logs and traces ingest need: the event store, redaction, the metric store and the time. */
export interface EventIngestDependencies {
  readonly eventStore: EventStore;
  readonly redactor: Redactor;
  /** Where the `error_logs` pattern counts go, for alert rules. */
  readonly metricWriter: MetricWriter;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** How far back a record's timestamp may lie, ms. */
  readonly maxTimestampAgeMs: number;
}

/** What traces ingest needs: the same, without the metric store (spans make no metrics). */
export type SpanIngestDependencies = Omit<EventIngestDependencies, 'metricWriter'>;

/** The timestamp window of a request handled now. */
export const windowOf = (dependencies: SpanIngestDependencies) => ({
  now: dependencies.now(),
  maxAgeMs: dependencies.maxTimestampAgeMs,
});

/** The store's refusals, summed up for an OTLP `partialSuccess.errorMessage`. */
export function storeRejectionMessage(rejected: readonly { reason: string }[]): string | undefined {
  if (rejected.length === 0) return undefined;
  return `the event store refused ${rejected.length} record(s), e.g.: ${rejected[0]!.reason}`;
}

/** Joins the messages that are present with "; ". */
export const joinMessages = (...messages: Array<string | undefined>) =>
  messages.filter(Boolean).join('; ') || undefined;
