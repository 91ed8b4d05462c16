import { z } from 'zod';
import type { TimestampWindow } from '../../ingest/core/item-validation.js';
import { INGEST_LIMITS } from '../../ingest/core/limits.js';
import {
  attributeList,
  expected,
  int32,
  int64,
  partialSuccessResponse,
} from '../../ingest/core/otlp-json.js';
import { EVENT_LIMITS } from './event-limits.js';
import {
  epochMsOfNanos,
  outsideWindow,
  PROMOTED_ATTRIBUTES,
  type RecordProblem,
  RecordTally,
  readEnvelope,
  readOptionalHexId,
  readRecord,
  recordModelOf,
  serviceOf,
  storedAttributes,
  timeBounds,
} from './otlp-event-reading.js';
import type { SpanKind, SpanRecord } from './records.js';

/*
 * An OTLP `ExportTraceServiceRequest` in the OTLP/JSON encoding (opentelemetry-proto, trace/v1). The
 * envelope (resources, scopes) is read as a whole and a request that cannot be read is a 400; spans are read
 * one by one, so a bad span is rejected and counted in `partialSuccess` without costing its neighbours.
 */

/** `Span.SpanKind` by its number in the proto (0 unspecified ... 5 consumer). */
export const SPAN_KINDS: readonly SpanKind[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

/** `Status.StatusCode` by its number in the proto. */
export const STATUS_CODES = ['unset', 'ok', 'error'] as const;

const exportTraceServiceRequestSchema = z.object(
  {
    resourceSpans: z
      .array(
        z.object(
          {
            resource: z
              .object({ attributes: attributeList.optional() }, expected('a resource object'))
              .optional(),
            scopeSpans: z
              .array(
                z.object(
                  { spans: z.array(z.unknown(), expected('a list of spans')).optional() },
                  expected('a scopeSpans object'),
                ),
                expected('a list of scopeSpans'),
              )
              .optional(),
          },
          expected('a resourceSpans object'),
        ),
        expected('a list of resourceSpans'),
      )
      .optional(),
  },
  expected('an ExportTraceServiceRequest JSON object'),
);

const spanSchema = z.object(
  {
    traceId: z.string(expected('the trace id as hex text')).optional(),
    spanId: z.string(expected('the span id as hex text')).optional(),
    parentSpanId: z.string(expected('the parent span id as hex text')).optional(),
    name: z.string(expected('the span name as a string')).optional(),
    kind: int32.optional(),
    startTimeUnixNano: int64.optional(),
    endTimeUnixNano: int64.optional(),
    attributes: attributeList.optional(),
    events: z
      .array(
        z.object(
          {
            timeUnixNano: int64.optional(),
            name: z.string(expected('the event name as a string')).optional(),
            attributes: attributeList.optional(),
          },
          expected('a span event object'),
        ),
        expected('a list of span events'),
      )
      .optional(),
    status: z
      .object(
        {
          code: int32.optional(),
          message: z.string(expected('the status message as a string')).optional(),
        },
        expected('a status object'),
      )
      .optional(),
  },
  expected('a span object'),
);

type OtlpSpan = z.output<typeof spanSchema>;

/** What an OTLP traces export came to: the spans to store and the counts for the OTLP response. */
export interface OtlpTracesReading {
  readonly spans: SpanRecord[];
  readonly rejectedSpans: number;
  /** Why spans were rejected, and what was cut from accepted ones; absent when there is nothing to say. */
  readonly errorMessage?: string;
}

/** The body of an OTLP `ExportTraceServiceResponse` in OTLP/JSON. */
export interface ExportTraceServiceResponse {
  /** Set only when spans were rejected or there is a warning; `rejectedSpans` is an int64: a string. */
  readonly partialSuccess?: { readonly rejectedSpans: string; readonly errorMessage: string };
}

interface ResourceContext {
  readonly resourceAttributes: z.output<typeof attributeList> | undefined;
  readonly service: string | undefined;
}

function readSpan(
  span: OtlpSpan,
  resource: ResourceContext,
  bounds: { readonly earliest: number; readonly latest: number },
  tally: RecordTally,
): SpanRecord | RecordProblem {
  const traceId = readOptionalHexId(span.traceId, 'trace', 'traceId');
  if ('problem' in traceId) return traceId.problem;
  const spanId = readOptionalHexId(span.spanId, 'span', 'spanId');
  if ('problem' in spanId) return spanId.problem;
  if (traceId.id === undefined || spanId.id === undefined) {
    return { reason: 'a span needs a traceId and a spanId' };
  }
  const parentSpanId = readOptionalHexId(span.parentSpanId, 'span', 'parentSpanId');
  if ('problem' in parentSpanId) return parentSpanId.problem;
  if (!span.name) return { reason: 'a span needs a name', detail: `span ${spanId.id}` };
  const kind = SPAN_KINDS[span.kind ?? 0];
  if (kind === undefined) return { reason: 'kind must be from 0 to 5', detail: `kind ${span.kind}` };
  const status = STATUS_CODES[span.status?.code ?? 0];
  if (status === undefined) {
    return {
      reason: 'status.code must be 0 (unset), 1 (ok) or 2 (error)',
      detail: `code ${span.status?.code}`,
    };
  }
  const startNanos = span.startTimeUnixNano ?? 0n;
  const endNanos = span.endTimeUnixNano ?? 0n;
  if (startNanos <= 0n || endNanos <= 0n) {
    return { reason: 'a span needs startTimeUnixNano and endTimeUnixNano', detail: `span ${spanId.id}` };
  }
  if (endNanos < startNanos) {
    return {
      reason: 'endTimeUnixNano must not be before startTimeUnixNano',
      detail: `start ${startNanos}, end ${endNanos}`,
    };
  }
  const startTime = epochMsOfNanos(startNanos);
  const endTime = epochMsOfNanos(endNanos);
  const stale =
    outsideWindow('startTimeUnixNano', startNanos, startTime, bounds) ??
    outsideWindow('endTimeUnixNano', endNanos, endTime, bounds);
  if (stale) return stale;

  let name = span.name;
  if (name.length > INGEST_LIMITS.maxStringLength) {
    tally.note(`span names cut to ${INGEST_LIMITS.maxStringLength} characters`);
    name = name.slice(0, INGEST_LIMITS.maxStringLength);
  }
  const otlpEvents = span.events ?? [];
  tally.note(
    `span events dropped (more than ${EVENT_LIMITS.maxSpanEvents} per span)`,
    otlpEvents.length - EVENT_LIMITS.maxSpanEvents,
  );
  const events = otlpEvents.slice(0, EVENT_LIMITS.maxSpanEvents).map((event) => ({
    timestamp: epochMsOfNanos(event.timeUnixNano ?? startNanos),
    name: event.name ?? '',
    attributes: storedAttributes(event.attributes, tally),
  }));
  const model = recordModelOf(span.attributes, resource.resourceAttributes);
  const statusMessage = span.status?.message;
  return {
    traceId: traceId.id,
    spanId: spanId.id,
    ...(parentSpanId.id === undefined ? {} : { parentSpanId: parentSpanId.id }),
    name,
    kind,
    startTime,
    endTime,
    // From the nanoseconds, so the duration is exact to the nanosecond whatever the epoch's magnitude.
    durationMs: Number(endNanos - startNanos) / 1_000_000,
    status,
    ...(statusMessage ? { statusMessage } : {}),
    ...(resource.service === undefined ? {} : { service: resource.service }),
    ...(model === undefined ? {} : { model }),
    attributes: storedAttributes(span.attributes, tally, PROMOTED_ATTRIBUTES),
    events,
  };
}

/**
 * Reads an OTLP/JSON traces export into spans: ids as lower-case hex (an empty `parentSpanId` is a root),
 * kind and status by name, start and end as epoch ms keeping sub-millisecond precision, the duration exact
 * from the nanoseconds, both times inside the window; service from the resource's `service.name`; model
 * from the span's `model` attribute, else the resource's `vigil.model`. Throws a `ValidationError` (400)
 * when the envelope cannot be read.
 */
export function readOtlpTraces(body: unknown, window: TimestampWindow): OtlpTracesReading {
  const request = readEnvelope(exportTraceServiceRequestSchema, body, 'traces');
  const bounds = timeBounds(window);
  const tally = new RecordTally(['span', 'spans']);
  const spans: SpanRecord[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resourceAttributes = resourceSpans.resource?.attributes;
    const resource: ResourceContext = { resourceAttributes, service: serviceOf(resourceAttributes) };
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const raw of scopeSpans.spans ?? []) {
        const reading = readRecord(spanSchema, raw, 'span');
        if ('problem' in reading) {
          tally.reject(reading.problem);
          continue;
        }
        const span = readSpan(reading.record, resource, bounds, tally);
        if ('reason' in span) tally.reject(span);
        else spans.push(span);
      }
    }
  }
  const errorMessage = tally.message();
  return { spans, rejectedSpans: tally.total, ...(errorMessage === undefined ? {} : { errorMessage }) };
}

/**
 * The OTLP/HTTP answer to a traces export: `{}` when everything was accepted without remark, else
 * `partialSuccess` with the rejected count and the message (OTLP spec, "Partial Success"). Pass the spans
 * the store refused in the counts too.
 */
export function exportTraceServiceResponse(outcome: {
  readonly rejectedSpans: number;
  readonly errorMessage?: string;
}): ExportTraceServiceResponse {
  return partialSuccessResponse('rejectedSpans', outcome.rejectedSpans, outcome.errorMessage);
}
