import { createHash } from 'node:crypto';

/*
 * Error patterns group error and critical logs whose messages differ only in the values they carry (ids,
 * numbers, times, addresses): each message becomes a template with those values replaced by placeholders,
 * and the template's hash is the pattern's fingerprint.
 *
 * Quoted strings are kept: `'NoneType' object has no attribute 'predict'` and `... attribute 'fit'` are
 * different bugs, and the ids inside quotes are replaced anyway. Words that are names with a version or size
 * in them (`sha256`, `resnet50`, `A100`, `gpt4o`) are kept too; only tokens that look generated (letters
 * and digits interleaved, at least two digits, five characters or more: `7f3c9a`, `x2k9q`) become `<id>`,
 * and a number with its unit (`250ms`) is a number.
 */

/** What placeholders a template uses, by what they replace. */
export const PLACEHOLDERS = {
  uuid: '<uuid>',
  email: '<email>',
  timestamp: '<ts>',
  date: '<date>',
  ip: '<ip>',
  hex: '<hex>',
  id: '<id>',
  number: '<num>',
  queryValue: '<val>',
} as const;

/** Longest template kept with a log; the fingerprint is taken over the whole template. */
export const MAX_TEMPLATE_CHARS = 1024;

/** A message's error pattern: its normalised template and the template's fingerprint. */
export interface ErrorPatternOfMessage {
  /** First 16 hex characters of the SHA-256 of the whole template. */
  readonly fingerprint: string;
  readonly template: string;
}

// Token boundaries by letters and digits only, so `retry_3` and `req_8fK2` split at the underscore.
const START = '(?<![A-Za-z0-9])';
const END = '(?![A-Za-z0-9])';
const HEX_GROUP = '[0-9a-fA-F]{1,4}';

// Alternatives in priority order: where two could start at the same place, the first wins.
const RULES: ReadonlyArray<readonly [name: string, source: string, replace: (groups: Groups) => string]> = [
  [
    'query',
    '(?<queryKey>[?&][^\\s=&#?/]+=)[^\\s&#]*',
    (groups) => `${groups.queryKey}${PLACEHOLDERS.queryValue}`,
  ],
  [
    'uuid',
    `${START}[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}${END}`,
    () => PLACEHOLDERS.uuid,
  ],
  [
    'email',
    '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9-])',
    () => PLACEHOLDERS.email,
  ],
  [
    'timestamp',
    `${START}(?:\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?|\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?)${END}`,
    () => PLACEHOLDERS.timestamp,
  ],
  ['date', `${START}\\d{4}[-/]\\d{2}[-/]\\d{2}${END}`, () => PLACEHOLDERS.date],
  ['ipv4', `${START}(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{1,5})?${END}`, () => PLACEHOLDERS.ip],
  [
    'ipv6',
    `(?<![\\w:.])(?:(?:${HEX_GROUP}:){7}${HEX_GROUP}|${HEX_GROUP}(?::${HEX_GROUP})*::(?:${HEX_GROUP}(?::${HEX_GROUP})*)?|::${HEX_GROUP}(?::${HEX_GROUP})*)(?![\\w:])`,
    () => PLACEHOLDERS.ip,
  ],
  [
    'hex',
    `${START}(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*\\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})${END}`,
    () => PLACEHOLDERS.hex,
  ],
  [
    'id',
    `${START}(?=[A-Za-z0-9]{5,}${END})(?=[A-Za-z]*\\d[A-Za-z0-9]*\\d)(?=[A-Za-z0-9]*[A-Za-z]\\d)(?=[A-Za-z0-9]*\\d[A-Za-z])[A-Za-z0-9]+`,
    () => PLACEHOLDERS.id,
  ],
  // Integers and decimals, with an optional unit (250ms, 1.5GiB, 30s, 99%).
  [
    'number',
    `${START}\\d+(?:[.,]\\d+)*(?:[eE][-+]?\\d+)?(?:[a-zA-Zµ]{1,3}${END}|%|${END})`,
    () => PLACEHOLDERS.number,
  ],
  ['space', '\\s+', () => ' '],
];

type Groups = Readonly<Record<string, string | undefined>>;

const NORMALISE = new RegExp(RULES.map(([name, source]) => `(?<${name}>${source})`).join('|'), 'g');

function replaceValue(...args: unknown[]): string {
  const groups = args.at(-1) as Groups;
  for (const [name, , replace] of RULES) if (groups[name] !== undefined) return replace(groups);
  return args[0] as string;
}

/**
 * The error pattern of a log message: the message with UUIDs, e-mail addresses, ISO-8601 timestamps and
 * dates, IPv4 and IPv6 addresses, hex ids (8+ hex characters, or 0x...), generated-looking ids, numbers
 * (with their units) and URL query values replaced by placeholders and whitespace collapsed; and a short
 * stable fingerprint of that template.
 */
export function errorPattern(message: string): ErrorPatternOfMessage {
  const template = message.replace(NORMALISE, replaceValue).trim();
  const fingerprint = createHash('sha256').update(template).digest('hex').slice(0, 16);
  return { fingerprint, template: template.slice(0, MAX_TEMPLATE_CHARS) };
}
