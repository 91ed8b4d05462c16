import type { EventStore, EventWriteOutcome } from '../ports/event-store.js';
import type { SpanRecord } from './records.js';
import type { Redactor } from './redaction.js';

/** What span ingest needs: where spans go and how they are redacted. */
export interface IngestSpansDependencies {
  readonly eventStore: Pick<EventStore, 'writeSpans'>;
  readonly redactor: Redactor;
}

/**
 * A span with every string that may carry a secret redacted: name, status message, service, model,
 * attributes, and its events' names and attributes.
 */
export function redactSpan(span: SpanRecord, redactor: Redactor): SpanRecord {
  return {
    ...span,
    name: redactor.redactText(span.name),
    ...(span.statusMessage === undefined ? {} : { statusMessage: redactor.redactText(span.statusMessage) }),
    ...(span.service === undefined ? {} : { service: redactor.redactText(span.service) }),
    ...(span.model === undefined ? {} : { model: redactor.redactText(span.model) }),
    attributes: redactor.redactAttributes(span.attributes),
    events: span.events.map((event) => ({
      ...event,
      name: redactor.redactText(event.name),
      attributes: redactor.redactAttributes(event.attributes),
    })),
  };
}

/**
 * Stores validated spans, each redacted first; returns what the store kept and refused (by index in
 * `spans`). A store that cannot be reached throws.
 */
export async function ingestSpans(
  spans: readonly SpanRecord[],
  dependencies: IngestSpansDependencies,
): Promise<EventWriteOutcome> {
  if (spans.length === 0) return { written: 0, rejected: [] };
  return dependencies.eventStore.writeSpans(spans.map((span) => redactSpan(span, dependencies.redactor)));
}
