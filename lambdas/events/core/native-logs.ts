import { z } from 'zod';
import {
  boundedRecord,
  boundedString,
  nameString,
  type TimestampWindow,
  timestampField,
} from '../../ingest/core/item-validation.js';
import { EVENT_LIMITS } from './event-limits.js';
import { LOG_LEVELS, type LogLevel, type LogRecord } from './records.js';
import { HEX_ID_LENGTH, readHexId } from './trace-context.js';

/**
 * Other names for levels that common loggers write (Python's `WARNING`, log4j's and OTLP's `FATAL`); they
 * are stored as the level they name.
 */
export const LOG_LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = { warning: 'warn', fatal: 'critical' };

const LEVELS_TEXT = `${LOG_LEVELS.join(', ')} (or ${Object.keys(LOG_LEVEL_ALIASES).join(', ')})`;

/** A level name, in any case, or one of its aliases; undefined when it names no level. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const name = text.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(name) ? (name as LogLevel) : LOG_LEVEL_ALIASES[name];
}

const levelField = z.string({ error: `must be one of ${LEVELS_TEXT}` }).transform((text, context) => {
  const level = parseLogLevel(text);
  if (level) return level;
  context.addIssue({ code: 'custom', message: `must be one of ${LEVELS_TEXT}, got "${text}"` });
  return z.NEVER;
});

function hexIdField(kind: keyof typeof HEX_ID_LENGTH) {
  return z
    .string({ error: `must be ${HEX_ID_LENGTH[kind]} hexadecimal characters` })
    .transform((text, context) => {
      const reading = readHexId(text, kind);
      if ('id' in reading) return reading.id;
      context.addIssue({ code: 'custom', message: reading.problem });
      return z.NEVER;
    });
}

/**
 * The schema of one native log (`POST /api/v1/logs`, DESIGN.md), read into a `LogRecord`: `level` in any
 * case or an alias, `message` up to 32 KiB (not the 256 characters of other strings: see EVENT_LIMITS),
 * W3C trace and span ids lower-cased, the timestamp inside the store's window.
 */
export function nativeLogSchema(window: TimestampWindow) {
  return z
    .object(
      {
        timestamp: timestampField(window),
        level: levelField,
        message: z
          .string({ error: 'must be a string' })
          .min(1, 'must not be empty')
          .max(
            EVENT_LIMITS.maxMessageChars,
            `must be at most ${EVENT_LIMITS.maxMessageChars} characters (32 KiB)`,
          ),
        service: nameString.optional(),
        model: nameString.optional(),
        traceId: hexIdField('trace').optional(),
        spanId: hexIdField('span').optional(),
        attributes: boundedRecord(z.union([boundedString, z.number(), z.boolean()])).optional(),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object' : undefined) },
    )
    .strict()
    .transform(
      (item): LogRecord => ({
        timestamp: item.timestamp,
        level: item.level,
        message: item.message,
        ...(item.service === undefined ? {} : { service: item.service }),
        ...(item.model === undefined ? {} : { model: item.model }),
        ...(item.traceId === undefined ? {} : { traceId: item.traceId }),
        ...(item.spanId === undefined ? {} : { spanId: item.spanId }),
        attributes: item.attributes ?? {},
      }),
    );
}
