import { z } from 'zod';

/*
 * The scalar and attribute encodings of OTLP/JSON (opentelemetry-proto docs/specification.md, "JSON
 * Protobuf Encoding"): keys are lowerCamelCase, 64-bit integers arrive as decimal strings or as numbers,
 * enums as integers, and unknown fields are ignored (zod objects strip them).
 */

const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** What a JSON value is, briefly, for "expected X, got Y" messages. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  const text = JSON.stringify(input);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** A zod error option saying what was expected and what was given. */
export function expected(what: string) {
  return { error: (issue: { input?: unknown }) => `expected ${what}, got ${describeInput(issue.input)}` };
}

const isInt64Text = (value: string | number) =>
  typeof value === 'number' ? Number.isInteger(value) : DECIMAL_INTEGER.test(value);
const isDoubleText = (value: string | number) =>
  typeof value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(value) || DECIMAL_NUMBER.test(value);

/** A signed 64-bit integer (timestamps, `asInt`), read as a bigint so nanoseconds keep every digit. */
export const int64 = z
  .union([z.number(), z.string()], expected('a 64-bit integer as a decimal string or a number'))
  .transform((value, context) => {
    if (isInt64Text(value)) return BigInt(value);
    context.addIssue({ code: 'custom', message: `expected a 64-bit integer, got ${describeInput(value)}` });
    return z.NEVER;
  });

/** An unsigned 64-bit count (`count`, `bucketCounts`, `zeroCount`), read as a number (exact up to 2^53). */
export const uint64 = int64.transform((value, context) => {
  if (value >= 0n) return Number(value);
  context.addIssue({ code: 'custom', message: `expected a count of 0 or more, got ${value}` });
  return z.NEVER;
});

/** A 32-bit integer (`scale`, `offset`, `flags`); protobuf JSON also allows it as a decimal string. */
export const int32 = int64.transform((value, context) => {
  if (value >= -(2n ** 31n) && value < 2n ** 32n) return Number(value);
  context.addIssue({ code: 'custom', message: `expected a 32-bit integer, got ${value}` });
  return z.NEVER;
});

/** A double: a JSON number, or the strings protobuf JSON uses for the values JSON has no literal for. */
export const double = z.union([z.number(), z.string()], expected('a number')).transform((value, context) => {
  // Number() reads 'NaN' as NaN too, and 'Infinity' / '-Infinity' as the infinities.
  if (isDoubleText(value)) return Number(value);
  context.addIssue({ code: 'custom', message: `expected a number, got ${describeInput(value)}` });
  return z.NEVER;
});

/** An OTLP `AnyValue`: at most one of its fields is set; none set is the empty value. */
export interface AnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: string | number;
  readonly doubleValue?: string | number;
  readonly bytesValue?: string;
  readonly arrayValue?: { readonly values?: readonly AnyValue[] };
  readonly kvlistValue?: { readonly values?: readonly KeyValue[] };
}

/** An OTLP attribute: a key and its value. */
export interface KeyValue {
  readonly key: string;
  readonly value?: AnyValue;
}

// Kept as the wire types (no transforms) so the recursive schema has one input and output type.
const anyValueSchema: z.ZodType<AnyValue> = z.lazy(() =>
  z.object(
    {
      stringValue: z.string(expected('a string')).optional(),
      boolValue: z.boolean(expected('true or false')).optional(),
      intValue: z
        .union([z.number(), z.string()], expected('a 64-bit integer as a decimal string or a number'))
        .refine(isInt64Text, expected('a 64-bit integer'))
        .optional(),
      doubleValue: z
        .union([z.number(), z.string()], expected('a number'))
        .refine(isDoubleText, expected('a number'))
        .optional(),
      bytesValue: z.string(expected('base64 text')).optional(),
      arrayValue: z
        .object(
          { values: z.array(anyValueSchema, expected('a list of values')).optional() },
          expected('{ values }'),
        )
        .optional(),
      kvlistValue: z
        .object(
          { values: z.array(keyValueSchema, expected('a list of { key, value }')).optional() },
          expected('{ values }'),
        )
        .optional(),
    },
    expected('an AnyValue object'),
  ),
);

const keyValueSchema: z.ZodType<KeyValue> = z.lazy(() =>
  z.object(
    { key: z.string(expected('the attribute key as a string')), value: anyValueSchema.optional() },
    expected('a { key, value } attribute'),
  ),
);

/** A list of OTLP attributes (`resource.attributes`, a data point's `attributes`). */
export const attributeList = z.array(keyValueSchema, expected('a list of { key, value } attributes'));

/** An attribute value as plain JSON (strings, numbers, booleans, arrays, objects). */
export function plainValue(value: AnyValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return BigInt(value.intValue).toString();
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue !== undefined) {
    return Object.fromEntries(
      (value.kvlistValue.values ?? []).map(({ key, value: item }) => [key, plainValue(item)]),
    );
  }
  return null;
}

/**
 * An attribute value as dimension text: strings as they are, numbers and booleans as JS prints them
 * (64-bit integers in full), bytes as their base64, arrays and maps as JSON, the empty value as ''.
 */
export function attributeText(value: AnyValue | undefined): string {
  const plain = plainValue(value);
  if (plain === null) return '';
  if (typeof plain === 'string') return plain;
  if (typeof plain === 'number' || typeof plain === 'boolean') return String(plain);
  return JSON.stringify(plain);
}

/**
 * A canonical, typed form of an attribute list for stream identity: sorted by key, each value tagged with
 * its type, so `intValue: 1` and `stringValue: "1"` stay different and `"1"`/`1` encodings of the same
 * integer are the same.
 */
export function canonicalAttributes(attributes: readonly KeyValue[] | undefined): unknown {
  const byKey = new Map<string, unknown>();
  for (const { key, value } of attributes ?? []) byKey.set(key, canonicalValue(value));
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function canonicalValue(value: AnyValue | undefined): unknown {
  if (value === undefined) return ['empty'];
  if (value.stringValue !== undefined) return ['string', value.stringValue];
  if (value.boolValue !== undefined) return ['bool', value.boolValue];
  if (value.intValue !== undefined) return ['int', BigInt(value.intValue).toString()];
  if (value.doubleValue !== undefined) return ['double', String(Number(value.doubleValue))];
  if (value.bytesValue !== undefined) return ['bytes', value.bytesValue];
  if (value.arrayValue !== undefined) return ['array', (value.arrayValue.values ?? []).map(canonicalValue)];
  if (value.kvlistValue !== undefined) return ['kvlist', canonicalAttributes(value.kvlistValue.values)];
  return ['empty'];
}

/** The value of attribute `key`, if the list has it (the last one wins, as with a map). */
export function findAttribute(
  attributes: readonly KeyValue[] | undefined,
  key: string,
): AnyValue | undefined {
  let found: AnyValue | undefined;
  for (const attribute of attributes ?? []) if (attribute.key === key) found = attribute.value ?? {};
  return found;
}

/** Formats zod issues as `path: message` lines (indexes as `[i]`, `whole` naming the root) for people. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], whole = '(body)'): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (text, segment) =>
        typeof segment === 'number'
          ? `${text}[${segment}]`
          : text
            ? `${text}.${String(segment)}`
            : String(segment),
      '',
    );
    const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    return `${path || whole}: ${message}`;
  });
}

/**
 * The body of an OTLP `Export*ServiceResponse`: `{}` when everything was accepted without remark, else
 * `partialSuccess` with the rejected count (an int64, so a string) under the signal's own field name and
 * the message (OTLP spec, "Partial Success"; clients do not retry it).
 */
export function partialSuccessResponse<F extends string>(
  rejectedField: F,
  rejected: number,
  errorMessage: string | undefined,
): { readonly partialSuccess?: { readonly errorMessage: string } & { readonly [K in F]: string } } {
  if (rejected === 0 && !errorMessage) return {};
  return {
    partialSuccess: { [rejectedField]: String(rejected), errorMessage: errorMessage ?? '' } as {
      readonly errorMessage: string;
    } & { readonly [K in F]: string },
  };
}
