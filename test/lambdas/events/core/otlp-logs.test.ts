import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ERROR_LOGS_METRIC, ingestLogs } from '../../../../lambdas/events/core/ingest-logs.js';
import {
  exportLogsServiceResponse,
  levelOfSeverity,
  readOtlpLogs,
} from '../../../../lambdas/events/core/otlp-logs.js';
import { createRedactor, REDACTED } from '../../../../lambdas/events/core/redaction.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { startOtlpCollector } from '../../../support/otlp-collector.js';
import { InMemoryEventStore } from './support/in-memory-event-store.js';

const NOW = Date.UTC(2026, 2, 10, 14, 0, 30);
const DAY_MS = 24 * 60 * 60 * 1000;
const window = { now: NOW, maxAgeMs: DAY_MS };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const nanos = (epochMs: number) => (BigInt(epochMs) * 1_000_000n).toString();
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

function exportRequest(
  logRecords: unknown[],
  resourceAttributes: object[] = [text('service.name', 'scoring-api')],
) {
  return { resourceLogs: [{ resource: { attributes: resourceAttributes }, scopeLogs: [{ logRecords }] }] };
}

describe('levelOfSeverity', () => {
  // The logs data model's severity ranges (specification/logs/data-model.md, "Field: SeverityNumber").
  const ranges = [
    [1, 4, 'trace'],
    [5, 8, 'debug'],
    [9, 12, 'info'],
    [13, 16, 'warn'],
    [17, 20, 'error'],
    [21, 24, 'critical'],
  ] as const;
  for (const [from, to, level] of ranges) {
    it(`maps severity numbers ${from} to ${to} to ${level}`, () => {
      for (let number = from; number <= to; number += 1)
        assert.equal(levelOfSeverity(number, 'ignored'), level);
    });
  }

  const texts: ReadonlyArray<readonly [string | undefined, string]> = [
    ['WARN', 'warn'],
    ['Error2', 'error'],
    ['warning', 'warn'],
    ['FATAL', 'critical'],
    ['debug4', 'debug'],
    ['NOTICE', 'info'],
    [undefined, 'info'],
  ];
  for (const [severityText, level] of texts) {
    it(`falls back on the severity text "${severityText}" as ${level} when the number is unspecified`, () => {
      assert.equal(levelOfSeverity(0, severityText), level);
      assert.equal(levelOfSeverity(undefined, severityText), level);
    });
  }

  it('has no level for numbers outside 0 to 24', () => {
    assert.equal(levelOfSeverity(25, 'ERROR'), undefined);
    assert.equal(levelOfSeverity(-1, 'ERROR'), undefined);
  });
});

describe('readOtlpLogs', () => {
  it('reads a log record: level, message, time, ids, service, model and attributes', () => {
    const body = exportRequest(
      [
        {
          timeUnixNano: nanos(NOW - 1_000),
          observedTimeUnixNano: nanos(NOW),
          severityNumber: 17,
          severityText: 'ERROR',
          body: { stringValue: 'scoring failed' },
          attributes: [
            text('model', 'churn'),
            text('route', '/predict'),
            { key: 'attempt', value: { intValue: '2' } },
            { key: 'big', value: { intValue: '9007199254740993' } },
            { key: 'ratio', value: { doubleValue: 0.25 } },
            { key: 'retried', value: { boolValue: true } },
            { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } },
          ],
          traceId: TRACE_ID.toUpperCase(),
          spanId: SPAN_ID,
        },
      ],
      [text('service.name', 'scoring-api'), text('vigil.model', 'fallback-model')],
    );

    const reading = readOtlpLogs(body, window);

    assert.equal(reading.rejectedLogRecords, 0);
    assert.equal(reading.errorMessage, undefined);
    assert.deepEqual(reading.logs, [
      {
        timestamp: NOW - 1_000,
        level: 'error',
        message: 'scoring failed',
        service: 'scoring-api',
        model: 'churn',
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        attributes: {
          route: '/predict',
          attempt: 2,
          big: '9007199254740993',
          ratio: 0.25,
          retried: true,
          tags: '["a","1"]',
        },
      },
    ]);
    assert.deepEqual(exportLogsServiceResponse(reading), {});
  });

  it('takes the model from the resource when the record names none, and the time from observedTime or now', () => {
    const body = exportRequest(
      [
        { observedTimeUnixNano: nanos(NOW - 5_000), severityNumber: 9, body: { stringValue: 'observed' } },
        { severityNumber: 9, body: { stringValue: 'untimed' } },
      ],
      [text('service.name', 'scoring-api'), text('vigil.model', 'churn')],
    );

    const { logs } = readOtlpLogs(body, window);

    assert.deepEqual(
      logs.map(({ message, timestamp, model }) => [message, timestamp, model]),
      [
        ['observed', NOW - 5_000, 'churn'],
        ['untimed', NOW, 'churn'],
      ],
    );
  });

  it('writes a structured body as JSON, and uses the event name when there is no body', () => {
    const body = exportRequest([
      {
        timeUnixNano: nanos(NOW),
        body: {
          kvlistValue: {
            values: [text('reason', 'drift'), { key: 'score', value: { doubleValue: 0.91 } }],
          },
        },
      },
      { timeUnixNano: nanos(NOW), eventName: 'model.reloaded' },
    ]);

    const { logs } = readOtlpLogs(body, window);

    assert.deepEqual(JSON.parse(logs[0]!.message), { reason: 'drift', score: 0.91 });
    assert.equal(logs[1]!.message, 'model.reloaded');
    assert.deepEqual(logs[1]!.attributes, { 'event.name': 'model.reloaded' });
  });

  it('rejects bad records one by one, counting them and saying why, and keeps their neighbours', () => {
    const good = { timeUnixNano: nanos(NOW), severityNumber: 9, body: { stringValue: 'kept' } };
    const body = exportRequest([
      good,
      { ...good, timeUnixNano: nanos(NOW - 2 * DAY_MS) },
      { ...good, timeUnixNano: nanos(NOW + 10 * 60_000) },
      // A base64 trace id, as some encoders wrongly write.
      { ...good, traceId: Buffer.from(TRACE_ID, 'hex').toString('base64') },
      { ...good, spanId: '0000000000000000' },
      { ...good, severityNumber: 30 },
      { ...good, severityNumber: 'loud' },
      'not a record',
      good,
    ]);

    const reading = readOtlpLogs(body, window);

    assert.equal(reading.logs.length, 2);
    assert.equal(reading.rejectedLogRecords, 7);
    const message = reading.errorMessage ?? '';
    assert.match(message, /2 log records rejected: timeUnixNano must lie from the store's retention edge/);
    assert.match(
      message,
      /traceId must be 32 hexadecimal characters \(OTLP\/JSON writes ids as hex, not base64\)/,
    );
    assert.match(message, /spanId must not be all zeros/);
    assert.match(message, /severityNumber must be from 0 \(unspecified\) to 24/);
    assert.match(
      message,
      /2 log records rejected: the log record is malformed; first: severityNumber: expected a 64-bit integer/,
    );
    assert.deepEqual(exportLogsServiceResponse(reading), {
      partialSuccess: { rejectedLogRecords: '7', errorMessage: message },
    });
  });

  it('cuts a body beyond 32 KiB and says so, as a warning that rejects nothing', () => {
    const body = exportRequest([{ timeUnixNano: nanos(NOW), body: { stringValue: 'x'.repeat(40_000) } }]);

    const reading = readOtlpLogs(body, window);

    assert.equal(reading.logs[0]!.message.length, 32 * 1024);
    assert.deepEqual(exportLogsServiceResponse(reading), {
      partialSuccess: { rejectedLogRecords: '0', errorMessage: 'log bodies cut to 32768 characters: 1' },
    });
  });

  it('keeps at most 128 attributes, cuts values to 4096 characters, and says so', () => {
    const attributes = [
      text('long', 'y'.repeat(5_000)),
      text('', 'empty key'),
      ...Array.from({ length: 130 }, (_, i) => text(`k${i}`, 'v')),
    ];
    const body = exportRequest([{ timeUnixNano: nanos(NOW), body: { stringValue: 'm' }, attributes }]);

    const reading = readOtlpLogs(body, window);

    const stored = reading.logs[0]!.attributes;
    assert.equal(Object.keys(stored).length, 128);
    assert.equal(stored.long, 'y'.repeat(4096));
    assert.equal(stored.k126, 'v');
    assert.equal(stored.k127, undefined);
    assert.equal(reading.rejectedLogRecords, 0);
    assert.equal(
      reading.errorMessage,
      'attribute values cut to 4096 characters: 1; attributes dropped (empty keys, keys over 256 characters, or more than 128 per record): 4',
    );
  });

  it('answers an unreadable envelope with a ValidationError that says where', () => {
    const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
      [[], /\(body\): expected an ExportLogsServiceRequest JSON object, got a list/],
      [{ resourceLogs: 'x' }, /resourceLogs: expected a list of resourceLogs, got "x"/],
      [
        { resourceLogs: [{ scopeLogs: [{ logRecords: {} }] }] },
        /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords: expected a list of log records/,
      ],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => readOtlpLogs(body, window),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    }
  });

  it('accepts an empty export', () => {
    assert.deepEqual(readOtlpLogs({}, window), { logs: [], rejectedLogRecords: 0 });
  });
});

describe('OTLP logs from the OpenTelemetry JS exporter', () => {
  it('land as redacted records with their levels, ids, service and model, and count the errors', async () => {
    // Prepare: the real SDK and OTLP/HTTP JSON exporter, sending to a loopback collector.
    const secret = 'sk-live-4f9a8b7c6d5e';
    const email = 'jane.doe@example.com';
    const collector = await startOtlpCollector();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'vigil.model': 'churn' }),
      processors: [
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: collector.url('/v1/logs') }) }),
      ],
    });
    const logger = provider.getLogger('vigil-test', '1.0.0');
    const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
    const emitted = [
      { severityNumber: SeverityNumber.TRACE2, body: 'cache probe', level: 'trace' },
      { severityNumber: SeverityNumber.DEBUG, body: 'features loaded', level: 'debug' },
      { severityNumber: SeverityNumber.INFO4, body: `scored request for ${email}`, level: 'info' },
      { severityNumber: SeverityNumber.WARN, body: 'latency above 250ms', level: 'warn' },
      { severityNumber: SeverityNumber.ERROR, body: 'upstream 503 after 1200ms', level: 'error' },
      { severityNumber: SeverityNumber.FATAL, body: 'model file missing', level: 'critical' },
    ] as const;
    const start = Date.now();
    try {
      for (const [i, { severityNumber, body }] of emitted.entries()) {
        logger.emit({
          severityNumber,
          body,
          timestamp: start + i,
          attributes: {
            'http.request.header.authorization': `Bearer ${secret}`,
            'user.email': email,
            route: '/predict',
            ...(i === 4 ? { model: 'fraud' } : {}),
          },
          context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
        });
      }
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        body: { request: { headers: { Cookie: `session=${secret}` }, user: email } },
        timestamp: start,
      });
      await provider.forceFlush();
    } finally {
      try {
        await provider.shutdown();
      } finally {
        await collector.close();
      }
    }
    const eventStore = new InMemoryEventStore();
    const redactor = createRedactor();

    // Act
    const readings = collector.received.map(({ body }) =>
      readOtlpLogs(body, { now: Date.now(), maxAgeMs: DAY_MS }),
    );
    const ingestions = [];
    for (const reading of readings) ingestions.push(await ingestLogs(reading.logs, { eventStore, redactor }));

    // Assess
    assert.match(String(collector.received[0]?.headers['content-type']), /^application\/json/);
    assert.ok(
      readings.every((reading) => reading.rejectedLogRecords === 0),
      JSON.stringify(readings.map((r) => r.errorMessage)),
    );
    const stored = [...eventStore.logs].sort(
      (a, b) => a.timestamp - b.timestamp || a.message.localeCompare(b.message),
    );
    assert.equal(stored.length, emitted.length + 1);
    const byMessage = new Map(stored.map((log) => [log.message, log]));
    for (const [i, { body, level }] of emitted.entries()) {
      const log = byMessage.get(body.replace(email, REDACTED));
      assert.ok(log, `"${body}" stored`);
      assert.equal(log.level, level);
      assert.equal(log.timestamp, start + i);
      assert.equal(log.traceId, TRACE_ID);
      assert.equal(log.spanId, SPAN_ID);
      assert.equal(log.service, 'scoring-api');
      assert.equal(log.model, i === 4 ? 'fraud' : 'churn');
      assert.deepEqual(log.attributes, {
        'http.request.header.authorization': REDACTED,
        'user.email': REDACTED,
        route: '/predict',
      });
    }
    const structured = stored.find((log) => log.message.startsWith('{'));
    assert.deepEqual(JSON.parse(structured!.message), {
      request: { headers: { Cookie: REDACTED }, user: REDACTED },
    });
    assert.equal(structured!.traceId, undefined);
    assert.ok(!eventStore.storedJson().includes(secret), 'the secret reached the store');
    assert.ok(!eventStore.storedJson().includes(email), 'the e-mail address reached the store');
    const rollups = ingestions.flatMap((ingestion) => ingestion.errorPatternRollups);
    assert.deepEqual(
      rollups
        .map(({ metric, dimensions, count }) => [metric, dimensions.level, dimensions.model, count])
        .sort(),
      [
        [ERROR_LOGS_METRIC, 'critical', 'churn', 1],
        [ERROR_LOGS_METRIC, 'error', 'fraud', 1],
      ],
    );
  });
});
