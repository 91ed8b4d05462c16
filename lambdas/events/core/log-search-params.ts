import { INGEST_LIMITS } from '../../ingest/core/limits.js';
import { parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import type { LogSearch, PatternSearch } from '../ports/event-store.js';
import { LOG_LEVELS, type LogLevel } from './records.js';
import { readHexId } from './trace-context.js';

/** Logs per search page when `limit` is not given. */
export const DEFAULT_LOG_SEARCH_LIMIT = 100;
/** Most logs one search page may ask for. */
export const MAX_LOG_SEARCH_LIMIT = 1000;
/** Error patterns returned when `limit` is not given. */
export const DEFAULT_PATTERN_LIMIT = 50;
/** Most error patterns one request may ask for. */
export const MAX_PATTERN_LIMIT = 500;
/** How far back from `to` a search reaches when `from` is not given: one hour. */
export const DEFAULT_SEARCH_RANGE_MS = 3_600_000;
/** Longest search text: each word is a condition on every message in range. */
export const MAX_SEARCH_TEXT_LENGTH = 1000;

// The cap on strings at ingest: a longer service or model name cannot match anything stored.
const MAX_NAME_LENGTH = INGEST_LIMITS.maxStringLength;
const MAX_CURSOR_LENGTH = 1024;
// Date's own range: beyond it a time cannot be shown, nor stored anywhere.
const MAX_EPOCH_MS = 8.64e15;

const LOG_SEARCH_PARAMETERS = [
  'q',
  'text',
  'level',
  'minLevel',
  'model',
  'service',
  'traceId',
  'from',
  'to',
  'limit',
  'cursor',
];
const PATTERN_SEARCH_PARAMETERS = ['from', 'to', 'service', 'model', 'limit'];

/** Query parameters as API Gateway v2 gives them (repeated parameters arrive joined by commas). */
export type QueryParameters = Readonly<Record<string, string | undefined>>;

/**
 * Reads `GET /api/v1/logs/search` parameters into a search:
 * - `q` (or its synonym `text`): words that must all appear in the message, in any case;
 * - `level`: comma-separated levels (`error,critical`), or `minLevel`: that level and every more severe
 *   one (`minLevel=warn` is warn, error and critical); not both, as together they are easy to misread;
 * - `model`, `service`: exact names; `traceId`: 32 hex digits;
 * - `from`, `to`: ISO-8601, epoch ms, `now` or like `-15m`; `to` defaults to now and `from` to an hour
 *   before `to`; the range includes `from` and excludes `to`;
 * - `limit`: logs per page, 1 to 1000, default 100; `cursor`: the previous page's `nextCursor`.
 * Blank parameters count as not given; unknown ones are refused, so a misspelt filter is not ignored.
 */
export function parseLogSearch(params: QueryParameters, now: number): LogSearch {
  rejectUnknown(params, LOG_SEARCH_PARAMETERS);
  const text = parseText(params);
  const levels = parseLevels(params);
  const model = parseName(params, 'model');
  const service = parseName(params, 'service');
  const traceId = parseTraceId(params);
  const { from, to } = parseRange(params, now);
  const limit = parseLimit(params, DEFAULT_LOG_SEARCH_LIMIT, MAX_LOG_SEARCH_LIMIT);
  const cursor = given(params, 'cursor');
  if (cursor !== undefined && cursor.length > MAX_CURSOR_LENGTH) {
    throw new ValidationError(
      `cursor must be the nextCursor of a previous page, unchanged, got ${cursor.length} characters`,
    );
  }
  return {
    ...(text === undefined ? {} : { text }),
    ...(levels === undefined ? {} : { levels }),
    ...(model === undefined ? {} : { model }),
    ...(service === undefined ? {} : { service }),
    ...(traceId === undefined ? {} : { traceId }),
    from,
    to,
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/**
 * Reads `GET /api/v1/logs/patterns` parameters: `from` and `to` as for log search (default the last
 * hour), exact `service` and `model` filters, and `limit` (1 to 500, default 50).
 */
export function parsePatternSearch(params: QueryParameters, now: number): PatternSearch {
  rejectUnknown(params, PATTERN_SEARCH_PARAMETERS);
  const service = parseName(params, 'service');
  const model = parseName(params, 'model');
  const { from, to } = parseRange(params, now);
  const limit = parseLimit(params, DEFAULT_PATTERN_LIMIT, MAX_PATTERN_LIMIT);
  return {
    from,
    to,
    ...(service === undefined ? {} : { service }),
    ...(model === undefined ? {} : { model }),
    limit,
  };
}

/** The trimmed value of a parameter, or undefined when it is missing or blank. */
function given(params: QueryParameters, name: string): string | undefined {
  const value = params[name]?.trim();
  return value ? value : undefined;
}

function rejectUnknown(params: QueryParameters, known: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) {
      throw new ValidationError(`unknown query parameter "${name}"; expected any of ${known.join(', ')}`);
    }
  }
}

function parseText(params: QueryParameters): string | undefined {
  const q = given(params, 'q');
  const text = given(params, 'text');
  if (q !== undefined && text !== undefined) {
    throw new ValidationError('q and text are the same parameter; give one of them, not both');
  }
  const query = q ?? text;
  if (query !== undefined && query.length > MAX_SEARCH_TEXT_LENGTH) {
    throw new ValidationError(
      `${q === undefined ? 'text' : 'q'} must be at most ${MAX_SEARCH_TEXT_LENGTH} characters, got ${query.length}`,
    );
  }
  return query;
}

function parseLevel(name: string, value: string): LogLevel {
  const level = value.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new ValidationError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return level;
}

function parseLevels(params: QueryParameters): LogLevel[] | undefined {
  const level = given(params, 'level');
  const minLevel = given(params, 'minLevel');
  if (level !== undefined && minLevel !== undefined) {
    throw new ValidationError(
      `give level (a list, like level=error,critical) or minLevel (like minLevel=warn), not both`,
    );
  }
  if (minLevel !== undefined) return LOG_LEVELS.slice(LOG_LEVELS.indexOf(parseLevel('minLevel', minLevel)));
  if (level === undefined) return undefined;
  const chosen = new Set(
    level
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => parseLevel('level', entry)),
  );
  // Severity order, so equal searches read the same however their levels were listed.
  return LOG_LEVELS.filter((candidate) => chosen.has(candidate));
}

function parseName(params: QueryParameters, name: string): string | undefined {
  const value = given(params, name);
  if (value !== undefined && value.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`${name} must be at most ${MAX_NAME_LENGTH} characters, got ${value.length}`);
  }
  return value;
}

function parseTraceId(params: QueryParameters): string | undefined {
  const value = given(params, 'traceId');
  if (value === undefined) return undefined;
  // Stored trace ids are lower case; readHexId lowers an upper-case one, which is the same id.
  const reading = readHexId(value, 'trace');
  if ('problem' in reading) throw new ValidationError(`traceId ${reading.problem}`);
  return reading.id;
}

function parseTimeParameter(params: QueryParameters, name: 'from' | 'to', now: number): number | undefined {
  const value = given(params, name);
  if (value === undefined) return undefined;
  const time = parseTime(value, now, name);
  if (Math.abs(time) > MAX_EPOCH_MS) {
    throw new ValidationError(`${name} must be a date between the years -271821 and 275760, got "${value}"`);
  }
  return time;
}

function parseRange(params: QueryParameters, now: number): { from: number; to: number } {
  const to = parseTimeParameter(params, 'to', now) ?? now;
  const from = parseTimeParameter(params, 'from', now) ?? to - DEFAULT_SEARCH_RANGE_MS;
  if (from >= to) throw new ValidationError(`from (${readable(from)}) must be before to (${readable(to)})`);
  return { from, to };
}

/** A time as ISO-8601 where Date can show it (a default `from` may lie an hour beyond Date's range). */
function readable(epochMs: number): string {
  return Math.abs(epochMs) <= MAX_EPOCH_MS ? new Date(epochMs).toISOString() : `${epochMs} ms`;
}

function parseLimit(params: QueryParameters, defaultLimit: number, maxLimit: number): number {
  const value = given(params, 'limit');
  if (value === undefined) return defaultLimit;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= maxLimit)) {
    throw new ValidationError(`limit must be a whole number from 1 to ${maxLimit}, got "${value}"`);
  }
  return limit;
}
