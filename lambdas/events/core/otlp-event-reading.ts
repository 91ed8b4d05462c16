import { z } from 'zod';
import type { TimestampWindow } from '../../ingest/core/item-validation.js';
import { INGEST_LIMITS } from '../../ingest/core/limits.js';
import {
  type AnyValue,
  attributeList,
  attributeText,
  describeIssues,
  findAttribute,
  type KeyValue,
  plainValue,
} from '../../ingest/core/otlp-json.js';
import {
  MODEL_ATTRIBUTE,
  RESOURCE_MODEL_ATTRIBUTE,
  SERVICE_NAME_ATTRIBUTE,
} from '../../ingest/core/otlp-series.js';
import { ValidationError } from '../../shared/validation-error.js';
import { EVENT_LIMITS } from './event-limits.js';
import type { AttributeValue } from './records.js';
import { type HEX_ID_LENGTH, readHexId } from './trace-context.js';

/*
 * What reading OTLP logs and traces share: the rejection and note tallies behind `partialSuccess`, times,
 * ids, attributes, and the service and model a record belongs to.
 */

/** At most this many problems are spelled out in a response's message; the counts stay exact. */
const MAX_LISTED_PROBLEMS = 20;

/** Why one record was rejected: a reason shared by similar records and the detail of this one. */
export interface RecordProblem {
  readonly reason: string;
  readonly detail?: string;
}

/**
 * Counts rejected records by reason (so 10,000 stale records make one line, with the first one's detail)
 * and notes about accepted ones (cut messages, dropped attributes), for the `partialSuccess` message.
 */
export class RecordTally {
  total = 0;
  private readonly problems = new Map<string, { problem: RecordProblem; count: number }>();
  private readonly notes = new Map<string, number>();

  /** `noun` names one record and several, as the messages say them. */
  constructor(private readonly noun: readonly [one: string, many: string]) {}

  /** Counts one rejected record. */
  reject(problem: RecordProblem): void {
    this.total += 1;
    const entry = this.problems.get(problem.reason) ?? { problem, count: 0 };
    entry.count += 1;
    this.problems.set(problem.reason, entry);
  }

  /** Counts occurrences of a remark about accepted data, such as "log bodies cut to 32768 characters". */
  note(remark: string, count = 1): void {
    if (count > 0) this.notes.set(remark, (this.notes.get(remark) ?? 0) + count);
  }

  /** The response's message: the reasons, then the notes; undefined when there is nothing to say. */
  message(): string | undefined {
    const [one, many] = this.noun;
    const lines = [
      ...[...this.problems.values()].map(({ problem, count }) => {
        const example =
          problem.detail === undefined
            ? ''
            : count === 1
              ? `: ${problem.detail}`
              : `; first: ${problem.detail}`;
        return `${count} ${count === 1 ? one : many} rejected: ${problem.reason}${example}`;
      }),
      ...[...this.notes.entries()].map(([remark, count]) => `${remark}: ${count}`),
    ];
    if (lines.length === 0) return undefined;
    const more = lines.length > MAX_LISTED_PROBLEMS ? `; and ${lines.length - MAX_LISTED_PROBLEMS} more` : '';
    return `${lines.slice(0, MAX_LISTED_PROBLEMS).join('; ')}${more}`;
  }
}

/**
 * Reads the envelope of an OTLP/JSON export with `schema`, throwing a `ValidationError` (a 400) that lists
 * every problem by its path when it cannot be read.
 */
export function readEnvelope<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues);
  const shown = problems.slice(0, 10).join('; ');
  const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
  throw new ValidationError(`invalid OTLP ${what} request: ${shown}${more}`);
}

/** Reads one record with `schema`, or says why it cannot be read. */
export function readRecord<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  what: string,
): { readonly record: z.output<S> } | { readonly problem: RecordProblem } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { record: parsed.data };
  return {
    problem: {
      reason: `the ${what} is malformed`,
      detail: describeIssues(parsed.error.issues, `(${what})`).join('; '),
    },
  };
}

/** An OTLP `AnyValue` (a log body), checked with the same schema as attribute values. */
export const anyValue = z.unknown().transform((value, context): AnyValue | undefined => {
  if (value === undefined) return undefined;
  const parsed = attributeList.safeParse([{ key: '', value }]);
  if (parsed.success) return parsed.data[0]!.value;
  for (const issue of parsed.error.issues) {
    // Drop the `[0].value` of the wrapper from each issue's path.
    context.addIssue({ code: 'custom', message: issue.message, path: issue.path.slice(2) });
  }
  return z.NEVER;
});

/** Epoch milliseconds of a time in Unix nanoseconds, keeping the sub-millisecond part as a fraction. */
export function epochMsOfNanos(nanos: bigint): number {
  return Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1_000_000;
}

/** The window record times must fall in: from the store's retention edge to 5 minutes ahead, epoch ms. */
export function timeBounds(window: TimestampWindow): { readonly earliest: number; readonly latest: number } {
  return { earliest: window.now - window.maxAgeMs, latest: window.now + INGEST_LIMITS.maxFutureSkewMs };
}

/** Says why `epochMs` lies outside the window, or undefined when it lies inside. */
export function outsideWindow(
  field: string,
  nanos: bigint,
  epochMs: number,
  bounds: { readonly earliest: number; readonly latest: number },
): RecordProblem | undefined {
  if (epochMs >= bounds.earliest && epochMs <= bounds.latest) return undefined;
  return {
    reason: `${field} must lie from the store's retention edge (${new Date(bounds.earliest).toISOString()}) to 5 minutes ahead (${new Date(bounds.latest).toISOString()})`,
    detail: `${field} ${nanos} (${new Date(epochMs).toISOString()})`,
  };
}

/**
 * Reads an optional trace or span id: absent or empty (OTLP's "not set") is undefined; anything else must
 * be a valid hex id.
 */
export function readOptionalHexId(
  text: string | undefined,
  kind: keyof typeof HEX_ID_LENGTH,
  field: string,
): { readonly id: string | undefined } | { readonly problem: RecordProblem } {
  if (text === undefined || text === '') return { id: undefined };
  const reading = readHexId(text, kind);
  if ('id' in reading) return reading;
  const [requirement] = reading.problem.split(', got ');
  const hint = requirement!.startsWith('must be') ? ' (OTLP/JSON writes ids as hex, not base64)' : '';
  return { problem: { reason: `${field} ${requirement}${hint}`, detail: `${field} "${text.slice(0, 48)}"` } };
}

function cut(text: string, tally: RecordTally): string {
  if (text.length <= EVENT_LIMITS.maxAttributeValueChars) return text;
  tally.note(`attribute values cut to ${EVENT_LIMITS.maxAttributeValueChars} characters`);
  return text.slice(0, EVENT_LIMITS.maxAttributeValueChars);
}

/**
 * An attribute value as stored: strings, booleans and numbers as they are (integers beyond 2^53 and
 * non-finite doubles as text, so nothing is silently rounded), bytes as base64, arrays and maps as JSON.
 */
function storedValue(value: AnyValue | undefined, tally: RecordTally): AttributeValue {
  if (value?.boolValue !== undefined) return value.boolValue;
  if (value?.intValue !== undefined) {
    const integer = BigInt(value.intValue);
    const number = Number(integer);
    return Number.isSafeInteger(number) ? number : integer.toString();
  }
  if (value?.doubleValue !== undefined) {
    const number = plainValue(value) as number;
    return Number.isFinite(number) ? number : String(number);
  }
  return cut(attributeText(value), tally);
}

/**
 * OTLP attributes as stored, without the keys in `omit` (those promoted to fields, like `model`): at most
 * `EVENT_LIMITS.maxAttributes` of them, values cut to `EVENT_LIMITS.maxAttributeValueChars`; keys that are
 * empty or longer than 256 characters are dropped. Every cut and drop is noted in the tally.
 */
export function storedAttributes(
  attributes: readonly KeyValue[] | undefined,
  tally: RecordTally,
  omit: ReadonlySet<string> = new Set(),
): Record<string, AttributeValue> {
  const stored: Record<string, AttributeValue> = {};
  let count = 0;
  let dropped = 0;
  for (const { key, value } of attributes ?? []) {
    if (omit.has(key)) continue;
    if (key === '' || key.length > INGEST_LIMITS.maxStringLength) {
      dropped += 1;
      continue;
    }
    if (!Object.hasOwn(stored, key)) {
      if (count >= EVENT_LIMITS.maxAttributes) {
        dropped += 1;
        continue;
      }
      count += 1;
    }
    stored[key] = storedValue(value, tally);
  }
  tally.note(
    `attributes dropped (empty keys, keys over ${INGEST_LIMITS.maxStringLength} characters, or more than ${EVENT_LIMITS.maxAttributes} per record)`,
    dropped,
  );
  return stored;
}

/** Non-empty text of an attribute, cut to 256 characters (a name), or undefined. */
function nameOf(value: AnyValue | undefined): string | undefined {
  const text = value === undefined ? '' : attributeText(value);
  return text === '' ? undefined : text.slice(0, INGEST_LIMITS.maxStringLength);
}

/** Record attributes promoted to fields of their own (`model`), so they are not stored twice. */
export const PROMOTED_ATTRIBUTES: ReadonlySet<string> = new Set([MODEL_ATTRIBUTE]);

/** The service of a resource: its `service.name`. */
export function serviceOf(resourceAttributes: readonly KeyValue[] | undefined): string | undefined {
  return nameOf(findAttribute(resourceAttributes, SERVICE_NAME_ATTRIBUTE));
}

/** The model of a record: its own `model` attribute, else the resource's `vigil.model`. */
export function recordModelOf(
  recordAttributes: readonly KeyValue[] | undefined,
  resourceAttributes: readonly KeyValue[] | undefined,
): string | undefined {
  return (
    nameOf(findAttribute(recordAttributes, MODEL_ATTRIBUTE)) ??
    nameOf(findAttribute(resourceAttributes, RESOURCE_MODEL_ATTRIBUTE))
  );
}
