import { z } from 'zod';
import type { TimestampWindow } from '../../ingest/core/item-validation.js';
import {
  attributeList,
  attributeText,
  expected,
  int32,
  int64,
  partialSuccessResponse,
} from '../../ingest/core/otlp-json.js';
import { EVENT_LIMITS } from './event-limits.js';
import { parseLogLevel } from './native-logs.js';
import {
  anyValue,
  epochMsOfNanos,
  outsideWindow,
  PROMOTED_ATTRIBUTES,
  RecordTally,
  readEnvelope,
  readOptionalHexId,
  readRecord,
  recordModelOf,
  serviceOf,
  storedAttributes,
  timeBounds,
} from './otlp-event-reading.js';
import { LOG_LEVELS, type LogLevel, type LogRecord } from './records.js';

/*
 * An OTLP `ExportLogsServiceRequest` in the OTLP/JSON encoding (opentelemetry-proto, logs/v1). The envelope
 * (resources, scopes) is read as a whole and a request that cannot be read is a 400; log records are read
 * one by one, so a bad record is rejected and counted in `partialSuccess` without costing its neighbours.
 */

/** The attribute a log record's `eventName` is kept under (its body stays the message). */
export const EVENT_NAME_ATTRIBUTE = 'event.name';

const exportLogsServiceRequestSchema = z.object(
  {
    resourceLogs: z
      .array(
        z.object(
          {
            resource: z
              .object({ attributes: attributeList.optional() }, expected('a resource object'))
              .optional(),
            scopeLogs: z
              .array(
                z.object(
                  { logRecords: z.array(z.unknown(), expected('a list of log records')).optional() },
                  expected('a scopeLogs object'),
                ),
                expected('a list of scopeLogs'),
              )
              .optional(),
          },
          expected('a resourceLogs object'),
        ),
        expected('a list of resourceLogs'),
      )
      .optional(),
  },
  expected('an ExportLogsServiceRequest JSON object'),
);

const logRecordSchema = z.object(
  {
    timeUnixNano: int64.optional(),
    observedTimeUnixNano: int64.optional(),
    severityNumber: int32.optional(),
    severityText: z.string(expected('the severity text as a string')).optional(),
    body: anyValue.optional(),
    attributes: attributeList.optional(),
    traceId: z.string(expected('the trace id as hex text')).optional(),
    spanId: z.string(expected('the span id as hex text')).optional(),
    eventName: z.string(expected('the event name as a string')).optional(),
  },
  expected('a log record object'),
);

/** What an OTLP logs export came to: the records to store and the counts for the OTLP response. */
export interface OtlpLogsReading {
  readonly logs: LogRecord[];
  readonly rejectedLogRecords: number;
  /** Why records were rejected, and what was cut from accepted ones; absent when there is nothing to say. */
  readonly errorMessage?: string;
}

/** The body of an OTLP `ExportLogsServiceResponse` in OTLP/JSON. */
export interface ExportLogsServiceResponse {
  /** Set only when records were rejected or there is a warning; `rejectedLogRecords` is an int64: a string. */
  readonly partialSuccess?: { readonly rejectedLogRecords: string; readonly errorMessage: string };
}

/**
 * The level of an OTLP severity (logs data model, "Field: SeverityNumber"): 1-4 trace, 5-8 debug, 9-12
 * info, 13-16 warn, 17-20 error, 21-24 fatal, stored as critical. Unspecified (0) falls back on the
 * severity text (`WARN`, `Error2`, `warning`, `FATAL`...), and without a usable text on info.
 */
export function levelOfSeverity(
  severityNumber: number | undefined,
  severityText: string | undefined,
): LogLevel | undefined {
  const number = severityNumber ?? 0;
  if (number >= 1 && number <= 24) return LOG_LEVELS[Math.floor((number - 1) / 4)];
  if (number !== 0) return undefined;
  return parseLogLevel((severityText ?? '').replace(/\d+$/, '')) ?? 'info';
}

/**
 * Reads an OTLP/JSON logs export into log records: level from the severity, message from the body (text as
 * it is, other values as JSON, the event name when there is no body; cut to 32 KiB), time from
 * `timeUnixNano`, else `observedTimeUnixNano`, else now, and inside the window; trace and span ids as
 * lower-case hex; service from the resource's `service.name`; model from the record's `model` attribute,
 * else the resource's `vigil.model`. Throws a `ValidationError` (400) when the envelope cannot be read.
 */
export function readOtlpLogs(body: unknown, window: TimestampWindow): OtlpLogsReading {
  const request = readEnvelope(exportLogsServiceRequestSchema, body, 'logs');
  const bounds = timeBounds(window);
  const tally = new RecordTally(['log record', 'log records']);
  const logs: LogRecord[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resourceAttributes = resourceLogs.resource?.attributes;
    const service = serviceOf(resourceAttributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const raw of scopeLogs.logRecords ?? []) {
        const reading = readRecord(logRecordSchema, raw, 'log record');
        if ('problem' in reading) {
          tally.reject(reading.problem);
          continue;
        }
        const { record } = reading;
        const level = levelOfSeverity(record.severityNumber, record.severityText);
        if (level === undefined) {
          tally.reject({
            reason: 'severityNumber must be from 0 (unspecified) to 24',
            detail: `severityNumber ${record.severityNumber}`,
          });
          continue;
        }
        const nanos =
          record.timeUnixNano || record.observedTimeUnixNano || BigInt(Math.round(window.now)) * 1_000_000n;
        const timestamp = Math.floor(epochMsOfNanos(nanos));
        const stale = outsideWindow('timeUnixNano', nanos, timestamp, bounds);
        if (stale) {
          tally.reject(stale);
          continue;
        }
        const traceId = readOptionalHexId(record.traceId, 'trace', 'traceId');
        if ('problem' in traceId) {
          tally.reject(traceId.problem);
          continue;
        }
        const spanId = readOptionalHexId(record.spanId, 'span', 'spanId');
        if ('problem' in spanId) {
          tally.reject(spanId.problem);
          continue;
        }
        let message = record.body === undefined ? '' : attributeText(record.body);
        if (message === '') message = record.eventName ?? '';
        if (message.length > EVENT_LIMITS.maxMessageChars) {
          tally.note(`log bodies cut to ${EVENT_LIMITS.maxMessageChars} characters`);
          message = message.slice(0, EVENT_LIMITS.maxMessageChars);
        }
        const attributes = storedAttributes(record.attributes, tally, PROMOTED_ATTRIBUTES);
        if (record.eventName) attributes[EVENT_NAME_ATTRIBUTE] = record.eventName;
        const model = recordModelOf(record.attributes, resourceAttributes);
        logs.push({
          timestamp,
          level,
          message,
          ...(service === undefined ? {} : { service }),
          ...(model === undefined ? {} : { model }),
          ...(traceId.id === undefined ? {} : { traceId: traceId.id }),
          ...(spanId.id === undefined ? {} : { spanId: spanId.id }),
          attributes,
        });
      }
    }
  }
  const errorMessage = tally.message();
  return { logs, rejectedLogRecords: tally.total, ...(errorMessage === undefined ? {} : { errorMessage }) };
}

/**
 * The OTLP/HTTP answer to a logs export: `{}` when everything was accepted without remark, else
 * `partialSuccess` with the rejected count and the message (OTLP spec, "Partial Success"; clients do not
 * retry it). Pass the records the store refused in the counts too.
 */
export function exportLogsServiceResponse(outcome: {
  readonly rejectedLogRecords: number;
  readonly errorMessage?: string;
}): ExportLogsServiceResponse {
  return partialSuccessResponse('rejectedLogRecords', outcome.rejectedLogRecords, outcome.errorMessage);
}
