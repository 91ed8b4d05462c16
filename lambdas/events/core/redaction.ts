import type { AttributeValue } from './records.js';

/*
 * Redaction runs on every string of every log, span and raw prediction event before it is stored.
 *
 * What it catches:
 * - values of attributes (and of keys inside JSON text) whose KEY names a credential: authorization,
 *   proxy-authorization, cookie, set-cookie, x-api-key, api-key, apikey, api_key, x-auth-token, password,
 *   passwd, secret, token, private_key, credentials, and keys ending in one of those after `_` or `-`
 *   (`db_password`, `access_token`, `client-secret`), also camelCase (`accessToken`) and as the last part of
 *   a dotted OTel key (`http.request.header.authorization`); case-insensitive;
 * - inside any string: `key=value` / `key: value` / `"key": "value"` with such a key, `Bearer <token>`,
 *   `Basic <base64 of user:password>`, JSON web tokens, e-mail addresses, AWS access key ids
 *   (AKIA/ASIA...), `scheme://user:password@` in URLs, PEM private key blocks, and each configured pattern;
 * - JSON text (a string that parses as a JSON object or array) is redacted structurally, recursing into
 *   nested JSON text.
 *
 * What it does not catch (so do not log it): secrets with no recognisable key or shape (a random string
 * in free text, an AWS secret access key without its key name, a database password in a prose sentence),
 * credential keys outside the list above (`session_id`, `auth`), secrets that are encoded, escaped or split
 * across strings or attribute keys, personal data other than e-mail addresses (names, phone numbers,
 * addresses, card numbers: add patterns for those), and secrets inside JSON nested deeper than 32 levels
 * (such text is redacted by the string rules only). Prose pays a small price: `the bearer of` loses the
 * word after "bearer", and `token: 5` becomes `token: [REDACTED]`.
 */

/** What every redacted value becomes. */
export const REDACTED = '[REDACTED]';

/** How a redactor is configured. */
export interface RedactorOptions {
  /**
   * Extra patterns, JavaScript regular expressions without slashes or flags (so case-sensitive: write
   * `[Ss]sn` for either case); every match becomes `[REDACTED]`. They are combined with the built-in rules
   * into one expression, so numbered back-references (`\1`) are refused: use a named group and `\k<name>`.
   * @default []
   */
  readonly patterns?: readonly string[];
}

/** Redacts secrets and personal data from strings and attribute records. */
export interface Redactor {
  /** The text with every secret replaced by `[REDACTED]`; the same string when nothing was found. */
  redactText(text: string): string;
  /** A copy of the attributes with credential keys' values and secrets inside string values redacted. */
  redactAttributes(attributes: Readonly<Record<string, AttributeValue>>): Record<string, AttributeValue>;
}

const SENSITIVE_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'api_key',
  'x-auth-token',
  'password',
  'passwd',
  'secret',
  'token',
  'private_key',
  'private-key',
  'credentials',
]);
const SENSITIVE_KEY_SUFFIX = /[-_](?:password|passwd|secret|token|api[-_]?key|apikey|private[-_]key)$/;
const CAMEL_CASE_BOUNDARY = /([a-z0-9])([A-Z])/g;

/**
 * Whether an attribute or JSON key names a credential: its last dotted part, lower-cased (camelCase split
 * with `_`), is one of the sensitive names or ends in one after `_` or `-`.
 */
export function isSensitiveKey(key: string): boolean {
  const last = key.slice(key.lastIndexOf('.') + 1);
  const normal = last.replace(CAMEL_CASE_BOUNDARY, '$1_$2').toLowerCase();
  return SENSITIVE_KEYS.has(normal) || SENSITIVE_KEY_SUFFIX.test(normal);
}

/** `[Bb][Ee]...`: a word matched in any case without the `i` flag, which would change configured patterns. */
function caseless(word: string): string {
  return word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

interface Rule {
  /** The rule's expression; its named groups are its own. */
  readonly source: string;
  /** What a match becomes. */
  readonly replace: (match: string, groups: Readonly<Record<string, string | undefined>>) => string;
}

const credentialWords = (words: readonly string[]) => words.map(caseless).join('|');
// Keys whose unquoted values are a scheme and credentials, or a list of cookies: to the end of the line.
const LINE_KEYS = credentialWords(['authorization', 'cookie']);
const TOKEN_KEYS = credentialWords([
  'password',
  'passwd',
  'secret',
  'token',
  'api[-_]?key',
  'private[-_]?key',
  'credentials',
]);
// A key starts after a character that cannot be part of it, which keeps the lazy prefix linear.
const KEY_START = '(?<![A-Za-z0-9_.-])';
const KEY_PREFIX = '[A-Za-z0-9_.-]*?';
const SEPARATOR = `(?:\\\\?["'])?\\s*[:=]\\s*`;
const QUOTED_VALUE = `"(?:[^"\\\\\\r\\n]|\\\\.)*"|'(?:[^'\\\\\\r\\n]|\\\\.)*'|\\\\"(?:[^"\\\\]|\\\\[^"])*\\\\"`;

const keyValue = (name: string, keys: string, unquoted: string): Rule => ({
  // An opening quote without its closing one (a message cut short) still has its value redacted.
  source: `${KEY_START}${KEY_PREFIX}(?:${keys})${SEPARATOR}(?<${name}Value>${QUOTED_VALUE}|(?:\\\\?["'])?${unquoted})`,
  replace: (match, groups) => {
    const value = groups[`${name}Value`]!;
    const head = match.slice(0, match.length - value.length);
    const quote = /^\\?["']/.exec(value)?.[0];
    return quote ? `${head}${quote}${REDACTED}${quote}` : `${head}${REDACTED}`;
  },
});

const BUILT_IN_RULES: readonly Rule[] = [
  {
    // A PEM private key, or its unterminated start and body.
    source:
      '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\\s\\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[A-Za-z0-9+/=\\s]*)',
    replace: () => REDACTED,
  },
  {
    // `scheme://user:password@host`: the user information goes.
    source:
      '(?<![A-Za-z0-9+.-])(?<urlScheme>[A-Za-z][A-Za-z0-9+.-]*://)[^\\s/?#@:"\'\\\\]+:[^\\s/?#@"\'\\\\]*@',
    replace: (_match, groups) => `${groups.urlScheme}${REDACTED}@`,
  },
  // Unquoted values stop at a backslash too, so an escaped quote in JSON text is never cut in half.
  keyValue('lineKey', LINE_KEYS, `[^\\r\\n"'\\\\]+`),
  keyValue('tokenKey', TOKEN_KEYS, `[^\\s,;&"'<>()\\[\\]{}\\\\]+`),
  {
    // RFC 6750 b64token.
    source: `(?<![A-Za-z0-9])(?<bearerScheme>${caseless('bearer')})\\s+[A-Za-z0-9\\-._~+/]+=*`,
    replace: (_match, groups) => `${groups.bearerScheme} ${REDACTED}`,
  },
  {
    // RFC 7617: only when the base64 decodes to `user:password`, so `basic usage` stays as it is.
    source: `(?<![A-Za-z0-9])(?<basicScheme>${caseless('basic')})\\s+(?<basicCredentials>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])`,
    replace: (match, groups) =>
      isBasicCredentials(groups.basicCredentials!) ? `${groups.basicScheme} ${REDACTED}` : match,
  },
  {
    // A JSON web token: base64url header and payload, both JSON objects (`eyJ` is `{"`).
    source: '(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*',
    replace: () => REDACTED,
  },
  {
    // AWS access key ids: long-term (AKIA) and temporary (ASIA).
    source: '(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    replace: () => REDACTED,
  },
  {
    // E-mail addresses; the local part starts where it cannot be extended to the left, which keeps it linear.
    source:
      '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9-])',
    replace: () => REDACTED,
  },
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mean the text is not a password
const PRINTABLE_CREDENTIALS = /^[^\u0000-\u001f\u007f]*:[^\u0000-\u001f\u007f]*$/;

function isBasicCredentials(base64: string): boolean {
  return PRINTABLE_CREDENTIALS.test(Buffer.from(base64, 'base64').toString('latin1'));
}

// An odd number of backslashes before a digit: a numbered back-reference.
const NUMBERED_BACK_REFERENCE = /(?<!\\)(?:\\\\)*\\[1-9]/;

function checkPattern(pattern: string, index: number): void {
  const name = `redaction pattern ${index + 1} ("${pattern}")`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name} is not a valid JavaScript regular expression: ${reason}`);
  }
  if (compiled.test('')) {
    throw new Error(`${name} matches the empty string; it must match at least one character`);
  }
  if (NUMBERED_BACK_REFERENCE.test(pattern)) {
    throw new Error(
      `${name} uses a numbered back-reference; patterns are combined into one expression, so use a named group and \\k<name>`,
    );
  }
}

/** JSON text nested deeper than this is redacted by the string rules alone. */
const MAX_JSON_DEPTH = 32;
// Keys are few and repeat on every record; the cache is cleared when full so odd keys cannot grow it.
const MAX_CACHED_KEYS = 4096;

class JsonTooDeep extends Error {}

/**
 * Builds a redactor from the built-in rules and the configured patterns, compiled once into a single
 * expression so each string is scanned once. Throws, naming the pattern, when a pattern is invalid.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const patterns = options.patterns ?? [];
  patterns.forEach(checkPattern);
  const rules: Rule[] = [
    ...BUILT_IN_RULES,
    ...patterns.map((source): Rule => ({ source, replace: () => REDACTED })),
  ];
  let combined: RegExp;
  try {
    combined = new RegExp(rules.map((rule, i) => `(?<rule${i}>${rule.source})`).join('|'), 'g');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the redaction patterns cannot be combined into one expression (do two use the same group name?): ${reason}`,
    );
  }
  const ruleNames = rules.map((_rule, i) => `rule${i}`);

  const replaceMatch = (match: string, ...rest: unknown[]): string => {
    const groups = rest.at(-1) as Record<string, string | undefined>;
    if (match === '') return match;
    const index = ruleNames.findIndex((name) => groups[name] !== undefined);
    return rules[index]!.replace(match, groups);
  };

  const sensitiveByKey = new Map<string, boolean>();
  const sensitive = (key: string): boolean => {
    let answer = sensitiveByKey.get(key);
    if (answer === undefined) {
      if (sensitiveByKey.size >= MAX_CACHED_KEYS) sensitiveByKey.clear();
      answer = isSensitiveKey(key);
      sensitiveByKey.set(key, answer);
    }
    return answer;
  };

  // Returns the value itself when nothing in it changed, so unchanged JSON text keeps its formatting.
  const redactJson = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactText(value, depth);
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
    let changed = false;
    if (Array.isArray(value)) {
      const items = value.map((item) => {
        const redacted = redactJson(item, depth + 1);
        changed ||= redacted !== item;
        return redacted;
      });
      return changed ? items : value;
    }
    const fields: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = sensitive(key) ? REDACTED : redactJson(item, depth + 1);
      changed ||= redacted !== item;
      fields[key] = redacted;
    }
    return changed ? fields : value;
  };

  const redactText = (text: string, depth = 0): string => {
    const first = text.trimStart()[0];
    if (first === '{' || first === '[') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return text.replace(combined, replaceMatch);
      }
      try {
        const redacted = redactJson(parsed, depth + 1);
        return redacted === parsed ? text : JSON.stringify(redacted);
      } catch (error) {
        if (!(error instanceof JsonTooDeep)) throw error;
      }
    }
    return text.replace(combined, replaceMatch);
  };

  return {
    redactText: (text) => redactText(text),
    redactAttributes: (attributes) => {
      const redacted: Record<string, AttributeValue> = {};
      for (const [key, value] of Object.entries(attributes)) {
        redacted[key] = sensitive(key) ? REDACTED : typeof value === 'string' ? redactText(value) : value;
      }
      return redacted;
    },
  };
}
