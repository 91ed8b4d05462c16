import { z } from 'zod';
import { ValidationError } from '../../shared/validation-error.js';
import { INGEST_LIMITS } from './limits.js';

/** One rejected item: where it was in the request, which field was wrong and what to fix. */
export interface ItemError {
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** The items that passed, with their positions, and the errors of those that did not. */
export interface ItemValidation<T> {
  readonly accepted: ReadonlyArray<{ readonly index: number; readonly item: T }>;
  readonly errors: readonly ItemError[];
}

/** The time window an item's timestamp must fall in. */
export interface TimestampWindow {
  /** The time the request is handled, epoch ms. */
  readonly now: number;
  /** How far back a timestamp may lie (the metric store's retention edge), ms. */
  readonly maxAgeMs: number;
}

/** A string of at most 256 characters. */
export const boundedString = z
  .string()
  .max(INGEST_LIMITS.maxStringLength, `must be at most ${INGEST_LIMITS.maxStringLength} characters`);

/** A name (model, metric, dimension): non-empty, at most 256 characters, no control characters. */
export const nameString = boundedString
  .min(1, 'must not be empty')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

/** A record of at most 20 keys whose keys and string values are bounded. */
export function boundedRecord<V extends z.ZodType>(value: V) {
  return z
    .record(nameString, value)
    .refine((record) => Object.keys(record).length <= INGEST_LIMITS.maxAttributeKeys, {
      message: `must have at most ${INGEST_LIMITS.maxAttributeKeys} keys`,
    });
}

/**
 * A timestamp as ISO-8601 text or epoch milliseconds, defaulting to now, inside the window the store
 * accepts: from its retention edge to 5 minutes ahead. Parsed to epoch ms.
 */
export function timestampField(window: TimestampWindow) {
  const earliest = window.now - window.maxAgeMs;
  const latest = window.now + INGEST_LIMITS.maxFutureSkewMs;
  return z
    .union([z.number(), z.string()], { error: 'must be an ISO-8601 time or epoch milliseconds' })
    .optional()
    .transform((value, context) => {
      if (value === undefined) return window.now;
      const epochMs = typeof value === 'number' ? value : Date.parse(value);
      if (!Number.isFinite(epochMs)) {
        context.addIssue({
          code: 'custom',
          message: `must be an ISO-8601 time or epoch milliseconds, got "${value}"`,
        });
        return z.NEVER;
      }
      if (epochMs < earliest || epochMs > latest) {
        context.addIssue({
          code: 'custom',
          message: `${new Date(epochMs).toISOString()} is outside the accepted window ${new Date(earliest).toISOString()} to ${new Date(latest).toISOString()}`,
        });
        return z.NEVER;
      }
      return epochMs;
    });
}

/**
 * Reads `{ <field>: [items] }`, validating each item on its own so one bad item never costs the others.
 * Throws a message (for a 400) only when the envelope itself is wrong.
 */
export function validateItems<S extends z.ZodType>(
  body: unknown,
  field: string,
  itemSchema: S,
): ItemValidation<z.output<S>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(`body must be a JSON object with a "${field}" array`);
  }
  const items = (body as Record<string, unknown>)[field];
  if (!Array.isArray(items)) {
    throw new ValidationError(
      `body must have a "${field}" array, got ${items === undefined ? 'none' : typeof items}`,
    );
  }
  if (items.length === 0) throw new ValidationError(`"${field}" is empty; send at least one item`);
  if (items.length > INGEST_LIMITS.maxItems) {
    throw new ValidationError(
      `"${field}" has ${items.length} items; at most ${INGEST_LIMITS.maxItems} are accepted per request: split the batch`,
    );
  }
  const accepted: Array<{ index: number; item: z.output<S> }> = [];
  const errors: ItemError[] = [];
  items.forEach((item, index) => {
    const parsed = itemSchema.safeParse(item);
    if (parsed.success) {
      accepted.push({ index, item: parsed.data });
      return;
    }
    for (const issue of parsed.error.issues) {
      const at = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          errors.push({
            index,
            field: at ? `${at}.${key}` : key,
            message: 'is not a known field; check its spelling',
          });
        }
      } else {
        errors.push({ index, field: at || '(item)', message: issue.message });
      }
    }
  });
  return { accepted, errors };
}
