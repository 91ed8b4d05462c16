import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ingestSpans } from '../../../../lambdas/events/core/ingest-spans.js';
import {
  exportTraceServiceResponse,
  readOtlpTraces,
  SPAN_KINDS,
} from '../../../../lambdas/events/core/otlp-traces.js';
import { createRedactor, REDACTED } from '../../../../lambdas/events/core/redaction.js';
import { buildTraceTree } from '../../../../lambdas/events/core/trace-tree.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { startOtlpCollector } from '../../../support/otlp-collector.js';
import { InMemoryEventStore } from './support/in-memory-event-store.js';

const NOW = Date.UTC(2026, 2, 10, 14, 0, 30);
const DAY_MS = 24 * 60 * 60 * 1000;
const window = { now: NOW, maxAgeMs: DAY_MS };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROOT_ID = '00f067aa0ba902b7';
const CHILD_ID = '53995c3f42cd8ad8';
const nanos = (epochMs: number) => BigInt(epochMs) * 1_000_000n;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
// Epoch ms carry about 0.24 µs of precision at today's magnitude (2^-12 ms): compare to half a µs.
const SUB_MS_TOLERANCE = 5e-4;

function exportRequest(
  spans: unknown[],
  resourceAttributes: object[] = [text('service.name', 'scoring-api')],
) {
  return { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ spans }] }] };
}

function otlpSpan(overrides: Record<string, unknown> = {}) {
  return {
    traceId: TRACE_ID,
    spanId: ROOT_ID,
    parentSpanId: '',
    name: 'POST /predict',
    kind: 2,
    startTimeUnixNano: nanos(NOW - 1_000).toString(),
    endTimeUnixNano: nanos(NOW - 500).toString(),
    status: {},
    ...overrides,
  };
}

describe('readOtlpTraces', () => {
  it('reads a span: ids, kind, status, times with sub-millisecond precision, events, service and model', () => {
    const start = nanos(NOW - 1_000) + 123_456n;
    const end = start + 250_000_375n;
    const body = exportRequest(
      [
        otlpSpan({
          spanId: CHILD_ID.toUpperCase(),
          parentSpanId: ROOT_ID,
          name: 'feature lookup',
          kind: 3,
          startTimeUnixNano: start.toString(),
          endTimeUnixNano: end.toString(),
          attributes: [text('model', 'churn'), text('db.system', 'redis')],
          events: [
            {
              timeUnixNano: (start + 1_500_000n).toString(),
              name: 'cache miss',
              attributes: [text('key', 'u:1')],
            },
          ],
          status: { code: 2, message: 'timeout' },
        }),
      ],
      [text('service.name', 'scoring-api'), text('vigil.model', 'fallback')],
    );

    const reading = readOtlpTraces(body, window);

    assert.equal(reading.rejectedSpans, 0);
    const [span] = reading.spans;
    assert.deepEqual(
      { ...span, startTime: 0, endTime: 0, events: [] },
      {
        traceId: TRACE_ID,
        spanId: CHILD_ID,
        parentSpanId: ROOT_ID,
        name: 'feature lookup',
        kind: 'client',
        startTime: 0,
        endTime: 0,
        durationMs: 250.000375,
        status: 'error',
        statusMessage: 'timeout',
        service: 'scoring-api',
        model: 'churn',
        attributes: { 'db.system': 'redis' },
        events: [],
      },
    );
    assert.ok(
      Math.abs(span!.startTime - (NOW - 1_000 + 0.123456)) < SUB_MS_TOLERANCE,
      String(span!.startTime),
    );
    assert.ok(Math.abs(span!.endTime - (NOW - 1_000 + 250.123831)) < SUB_MS_TOLERANCE, String(span!.endTime));
    assert.equal(span!.events.length, 1);
    assert.equal(span!.events[0]!.name, 'cache miss');
    assert.ok(Math.abs(span!.events[0]!.timestamp - (NOW - 1_000 + 1.623456)) < SUB_MS_TOLERANCE);
    assert.deepEqual(span!.events[0]!.attributes, { key: 'u:1' });
    assert.deepEqual(exportTraceServiceResponse(reading), {});
  });

  it('names every span kind and status code of the proto, and treats an empty parent as a root', () => {
    const kinds = [0, 1, 2, 3, 4, 5];
    const statuses = [
      [0, 'unset'],
      [1, 'ok'],
      [2, 'error'],
    ] as const;
    const body = exportRequest([
      ...kinds.map((kind) => otlpSpan({ kind })),
      ...statuses.map(([code]) => otlpSpan({ status: { code } })),
    ]);

    const { spans } = readOtlpTraces(body, window);

    // trace/v1/trace.proto: SPAN_KIND_UNSPECIFIED = 0, INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER = 5.
    assert.deepEqual(
      spans.slice(0, 6).map((span) => span.kind),
      ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
    );
    assert.deepEqual(SPAN_KINDS.length, 6);
    assert.deepEqual(
      spans.slice(6).map((span) => span.status),
      statuses.map(([, status]) => status),
    );
    assert.ok(spans.every((span) => span.parentSpanId === undefined));
  });

  it('rejects bad spans one by one, counting them and saying why, and keeps their neighbours', () => {
    const body = exportRequest([
      otlpSpan(),
      otlpSpan({ traceId: '' }),
      otlpSpan({ spanId: 'xyz' }),
      otlpSpan({ name: '' }),
      otlpSpan({ kind: 9 }),
      otlpSpan({ status: { code: 3 } }),
      otlpSpan({ endTimeUnixNano: nanos(NOW - 2_000).toString() }),
      otlpSpan({ startTimeUnixNano: nanos(NOW - 2 * DAY_MS).toString() }),
      otlpSpan({ endTimeUnixNano: undefined }),
      otlpSpan({ events: 'none' }),
      otlpSpan(),
    ]);

    const reading = readOtlpTraces(body, window);

    assert.equal(reading.spans.length, 2);
    assert.equal(reading.rejectedSpans, 9);
    const message = reading.errorMessage ?? '';
    for (const reason of [
      /1 span rejected: a span needs a traceId and a spanId/,
      /spanId must be 16 hexadecimal characters/,
      /a span needs a name/,
      /kind must be from 0 to 5: kind 9/,
      /status.code must be 0 \(unset\), 1 \(ok\) or 2 \(error\)/,
      /endTimeUnixNano must not be before startTimeUnixNano/,
      /startTimeUnixNano must lie from the store's retention edge/,
      /a span needs startTimeUnixNano and endTimeUnixNano/,
      /the span is malformed: events: expected a list of span events/,
    ]) {
      assert.match(message, reason);
    }
    assert.deepEqual(exportTraceServiceResponse(reading), {
      partialSuccess: { rejectedSpans: '9', errorMessage: message },
    });
  });

  it('answers an unreadable envelope with a ValidationError that says where', () => {
    assert.throws(
      () => readOtlpTraces({ resourceSpans: [{ scopeSpans: 'x' }] }, window),
      (error: unknown) =>
        error instanceof ValidationError &&
        /invalid OTLP traces request: resourceSpans\[0\]\.scopeSpans: expected a list of scopeSpans/.test(
          error.message,
        ),
    );
  });
});

/** An HrTime `ms` milliseconds and `extraNanos` nanoseconds after `seconds`. */
const hrTime = (seconds: number, ms: number, extraNanos = 0): HrTime => [
  seconds,
  ms * 1_000_000 + extraNanos,
];

describe('OTLP traces from the OpenTelemetry JS exporter', () => {
  it('land as redacted spans that build a tree with parent links, durations and self times', async () => {
    // Prepare: the real SDK and OTLP/HTTP JSON exporter, sending to a loopback collector; a request span with
    // two overlapping children (one with a grandchild), at chosen times with sub-millisecond parts.
    const secret = 'sk-live-4f9a8b7c6d5e';
    const collector = await startOtlpCollector();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'vigil.model': 'churn' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: collector.url('/v1/traces') }))],
    });
    const tracer = provider.getTracer('vigil-test', '1.0.0');
    const base = Math.floor(Date.now() / 1000) - 60;
    let traceId: string;
    try {
      const root = tracer.startSpan('POST /predict', {
        kind: SpanKind.SERVER,
        startTime: hrTime(base, 0, 250),
        attributes: { 'http.request.header.authorization': `Bearer ${secret}`, 'http.route': '/predict' },
      });
      traceId = root.spanContext().traceId;
      const inRoot = trace.setSpan(ROOT_CONTEXT, root);
      const lookup = tracer.startSpan(
        'feature lookup',
        { kind: SpanKind.CLIENT, startTime: hrTime(base, 10) },
        inRoot,
      );
      lookup.addEvent('cache miss', { 'user.email': 'jane@example.com' }, hrTime(base, 12));
      const query = tracer.startSpan(
        'SELECT features',
        { kind: SpanKind.CLIENT, startTime: hrTime(base, 15) },
        trace.setSpan(ROOT_CONTEXT, lookup),
      );
      query.end(hrTime(base, 35));
      lookup.setStatus({ code: SpanStatusCode.ERROR, message: `upstream refused Bearer ${secret}` });
      lookup.end(hrTime(base, 40, 500));
      const score = tracer.startSpan(
        'score',
        { kind: SpanKind.INTERNAL, startTime: hrTime(base, 30), attributes: { model: 'fraud' } },
        inRoot,
      );
      score.end(hrTime(base, 90));
      root.end(hrTime(base, 100, 750));
      await provider.forceFlush();
    } finally {
      try {
        await provider.shutdown();
      } finally {
        await collector.close();
      }
    }
    const eventStore = new InMemoryEventStore();

    // Act
    const readings = collector.received.map(({ body }) =>
      readOtlpTraces(body, { now: Date.now(), maxAgeMs: DAY_MS }),
    );
    for (const reading of readings)
      await ingestSpans(reading.spans, { eventStore, redactor: createRedactor() });
    const tree = buildTraceTree(traceId, await eventStore.getTraceSpans(traceId));

    // Assess
    assert.ok(
      readings.every((reading) => reading.rejectedSpans === 0),
      JSON.stringify(readings.map((r) => r.errorMessage)),
    );
    assert.ok(tree);
    assert.equal(tree.spanCount, 4);
    assert.deepEqual(tree.services, ['scoring-api']);
    assert.ok(Math.abs(tree.startTime - (base * 1000 + 0.00025)) < SUB_MS_TOLERANCE);
    assert.ok(Math.abs(tree.durationMs - (100.00075 - 0.00025)) < SUB_MS_TOLERANCE);
    const [root] = tree.roots;
    assert.equal(tree.roots.length, 1);
    assert.equal(root!.span.name, 'POST /predict');
    assert.equal(root!.span.kind, 'server');
    assert.equal(root!.span.parentSpanId, undefined);
    assert.equal(root!.span.durationMs, 100.0005);
    assert.deepEqual(root!.span.attributes, {
      'http.request.header.authorization': REDACTED,
      'http.route': '/predict',
    });
    assert.deepEqual(
      root!.children.map((child) => [child.span.name, child.span.parentSpanId, child.span.durationMs]),
      [
        ['feature lookup', root!.span.spanId, 30.0005],
        ['score', root!.span.spanId, 60],
      ],
    );
    const [lookup, score] = root!.children;
    assert.equal(lookup!.span.kind, 'client');
    assert.equal(lookup!.span.status, 'error');
    assert.equal(lookup!.span.statusMessage, `upstream refused Bearer ${REDACTED}`);
    assert.deepEqual(
      lookup!.span.events.map((event) => [event.name, event.attributes]),
      [['cache miss', { 'user.email': REDACTED }]],
    );
    assert.equal(lookup!.span.model, 'churn');
    assert.equal(score!.span.model, 'fraud');
    assert.deepEqual(
      lookup!.children.map((child) => [child.span.name, child.span.durationMs, child.selfTimeMs]),
      [['SELECT features', 20, 20]],
    );
    // Self times by hand: the root's children cover 10 ms to 90 ms (80 ms) of its 100.0005 ms; the lookup's
    // child covers 20 of its 30.0005 ms; the score span has no children.
    assert.ok(Math.abs(root!.selfTimeMs - 20.0005) < 1e-9, String(root!.selfTimeMs));
    assert.ok(Math.abs(lookup!.selfTimeMs - 10.0005) < 1e-9, String(lookup!.selfTimeMs));
    assert.equal(score!.selfTimeMs, 60);
    assert.ok(!eventStore.storedJson().includes(secret), 'the secret reached the store');
    assert.ok(!eventStore.storedJson().includes('jane@example.com'), 'the e-mail address reached the store');
  });
});
