import { parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import { isSeverity, SEVERITIES } from './alert.js';
import type { AlertFilter, AlertViewState } from './alert-views.js';
import { INCIDENT_STATUSES, type IncidentStatus } from './incident.js';

/** Query parameters, as API Gateway hands them over. */
export type QueryParams = Readonly<Record<string, string | undefined>>;

/** Items a list answers unless `limit` says otherwise. */
export const DEFAULT_LIST_LIMIT = 100;
/** Most items a list answers. */
export const MAX_LIST_LIMIT = 1000;

const ALERT_STATES: readonly AlertViewState[] = ['pending', 'firing', 'resolved'];

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIST_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ValidationError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got "${value}"`);
  }
  return limit;
}

/** Reads `GET /api/v1/alerts` parameters: `state`, `model`, `severity`, `limit`. */
export function parseAlertFilter(params: QueryParams): AlertFilter {
  const severity = params.severity;
  if (severity !== undefined && !isSeverity(severity)) {
    throw new ValidationError(`severity must be one of ${SEVERITIES.join(', ')}, got "${severity}"`);
  }
  return {
    state: oneOf('state', params.state, ALERT_STATES),
    model: params.model,
    severity,
    limit: limitOf(params.limit),
  };
}

/** A time range read from `from` and `to`. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Reads `from` and `to` (ISO-8601, epoch ms, `now`, or like `-7d`) as [from, to). Without `to` the range
 * runs up to and including now, so what happened this millisecond is listed.
 */
export function parseTimeRange(params: QueryParams, now: number, defaultFrom: string): TimeRange {
  const from = parseTime(params.from ?? defaultFrom, now, 'from');
  const to = params.to === undefined ? now + 1 : parseTime(params.to, now, 'to');
  if (from >= to) {
    throw new ValidationError(
      `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  }
  return { from, to };
}

/** What `GET /api/v1/incidents` asks for. */
export interface IncidentListQuery extends TimeRange {
  readonly status?: IncidentStatus;
  readonly limit: number;
}

/** Reads `GET /api/v1/incidents` parameters: `status`, `from` (default 7 days ago), `to`, `limit`. */
export function parseIncidentListQuery(params: QueryParams, now: number): IncidentListQuery {
  return {
    status: oneOf('status', params.status, INCIDENT_STATUSES),
    ...parseTimeRange(params, now, '-7d'),
    limit: limitOf(params.limit),
  };
}

/**
 * Who acknowledges or resolves: the token's principal, or a person the request names (`{ "by": "alice" }`)
 * on whose behalf the token acts (a chat bot, a shared on-call console), recorded as `alice via <principal>`.
 */
export function actorOf(body: unknown, principal: string): string {
  if (body === undefined) return principal;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object such as { "by": "alice" }, or empty');
  }
  const by = (body as { by?: unknown }).by;
  if (by === undefined) return principal;
  if (typeof by !== 'string' || by.trim() === '' || by.length > 128) {
    throw new ValidationError(`by must be a name of 1 to 128 characters, got ${JSON.stringify(by)}`);
  }
  return by.trim() === principal ? principal : `${by.trim()} via ${principal}`;
}

/** Reads the body of `POST /api/v1/jobs/{job}/run`: optionally `{ "at": "<ISO time>" }`. */
export function parseJobRun(body: unknown, now: number): number {
  if (body === undefined) return now;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(
      'body must be a JSON object such as { "at": "2026-01-01T00:00:00Z" }, or empty',
    );
  }
  const { at } = body as { at?: unknown };
  if (at === undefined) return now;
  if (typeof at !== 'string' && typeof at !== 'number') {
    throw new ValidationError(`at must be an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(at)}`);
  }
  return parseTime(String(at), now, 'at');
}
