import { ValidationError } from '../../shared/validation-error.js';

// Annotation templates: the small part of Prometheus' Go templates that alert annotations use.
//
//   {{ $labels.model }}          a label of the alert (also `.Labels.model`); a missing label renders empty
//   {{ $value }}                 the rule's value, printed as Go prints a float64 (also `.Value`)
//   {{ $value | humanize }}      the value through one formatting function, also written `humanize $value`
//   {{/* note */}}, {{- x -}}    a comment, and trimming of the whitespace beside an action
//
// Functions: humanize, humanize1024, humanizePercentage and humanizeDuration, with Prometheus' output (Go's
// `%.4g`). Anything else is refused when the template is compiled, naming the action and what is
// supported. Templates are read, never executed: no variables, conditionals or other calls. When the rule
// had no data, `$value` renders `no data`. A label piped into a function is read as a number like
// Prometheus does (`"0.25"` is 0.25); a label that is not a number renders unchanged, where Prometheus would
// replace the whole annotation with an error.

/** What an annotation template can refer to. */
export interface TemplateData {
  /** The alert's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The rule's value for the alert; undefined when the rule had no data. */
  readonly value: number | undefined;
}

/** A template read once and rendered for many alerts. */
export interface CompiledTemplate {
  render(data: TemplateData): string;
}

/** The formatting functions a template may call. */
export const TEMPLATE_FUNCTIONS = {
  humanize,
  humanize1024,
  humanizePercentage,
  humanizeDuration,
} as const satisfies Record<string, (value: number) => string>;

type TemplateFunctionName = keyof typeof TEMPLATE_FUNCTIONS;

type Operand = { readonly kind: 'value' } | { readonly kind: 'label'; readonly name: string };

interface Action {
  readonly operand: Operand;
  readonly format?: TemplateFunctionName;
}

type Part = string | Action;

const NO_DATA = 'no data';
const LABEL_REFERENCE = /^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const SUPPORTED = `$labels.<name>, .Labels.<name>, $value or .Value, optionally piped to ${Object.keys(TEMPLATE_FUNCTIONS).join(', ')}`;

function isFunctionName(word: string): word is TemplateFunctionName {
  return Object.hasOwn(TEMPLATE_FUNCTIONS, word);
}

function readOperand(word: string, action: string): Operand {
  if (word === '$value' || word === '.Value') return { kind: 'value' };
  const label = LABEL_REFERENCE.exec(word);
  if (label) return { kind: 'label', name: label[1]! };
  throw new ValidationError(`unsupported template action "{{${action}}}": "${word}"; expected ${SUPPORTED}`);
}

function readFunction(word: string, action: string): TemplateFunctionName {
  if (isFunctionName(word)) return word;
  throw new ValidationError(
    `unsupported template function "${word}" in "{{${action}}}"; expected one of ${Object.keys(TEMPLATE_FUNCTIONS).join(', ')}`,
  );
}

/** Reads the inside of one `{{ ... }}`: `operand`, `operand | function` or `function operand`. */
function readAction(action: string): Action {
  const stages = action.split('|').map((stage) => stage.trim().split(/\s+/).filter(Boolean));
  const [first, piped, ...more] = stages;
  const shapes = first?.length === 1 ? piped === undefined || piped.length === 1 : piped === undefined;
  if (!first || first.length === 0 || first.length > 2 || !shapes || more.length > 0) {
    // Functions return text, and a second function would have to read that text back as a number.
    throw new ValidationError(
      `unsupported template action "{{${action}}}"; expected ${SUPPORTED}, at most one function`,
    );
  }
  const formatWord = first.length === 2 ? first[0] : piped?.[0];
  return {
    operand: readOperand(first.at(-1)!, action),
    ...(formatWord === undefined ? {} : { format: readFunction(formatWord, action) }),
  };
}

/** Reads a template; throws a ValidationError naming the first action it cannot render. */
export function compileTemplate(text: string): CompiledTemplate {
  const parts: Part[] = [];
  let trimNextText = false;
  let rest = text;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    const literal = open === -1 ? rest : rest.slice(0, open);
    let inside = '';
    if (open !== -1) {
      const close = rest.indexOf('}}', open + 2);
      if (close === -1) throw new ValidationError(`unclosed template action in "${text}"; expected "}}"`);
      inside = rest.slice(open + 2, close);
      rest = rest.slice(close + 2);
    } else {
      rest = '';
    }
    // Go trims only with a space after `{{-` and before `-}}`; `{{-3}}` would be the number -3.
    const trimBefore = /^-\s/.test(inside);
    const trimAfter = /\s-$/.test(inside);
    let kept = trimNextText ? literal.trimStart() : literal;
    if (trimBefore) kept = kept.trimEnd();
    if (kept) parts.push(kept);
    trimNextText = trimAfter;
    if (open === -1) break;
    const action = inside.slice(trimBefore ? 1 : 0, trimAfter ? -1 : undefined).trim();
    if (action.startsWith('/*') && action.endsWith('*/')) continue;
    parts.push(readAction(action));
  }
  return {
    render: (data) =>
      parts.map((part) => (typeof part === 'string' ? part : renderAction(part, data))).join(''),
  };
}

/** Renders a template once; see `compileTemplate` for what it may contain. */
export function renderTemplate(text: string, data: TemplateData): string {
  return compileTemplate(text).render(data);
}

/** Why a template cannot be rendered, or undefined when it can. */
export function templateProblem(text: string): string | undefined {
  try {
    compileTemplate(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Parses a label value as Go's strconv.ParseFloat would, for the common spellings. */
function labelNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[+-]?inf(inity)?$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(trimmed)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return undefined;
  return Number(trimmed);
}

function renderAction({ operand, format }: Action, data: TemplateData): string {
  if (operand.kind === 'value') {
    if (data.value === undefined) return NO_DATA;
    return format ? TEMPLATE_FUNCTIONS[format](data.value) : formatGoFloat(data.value);
  }
  const label = data.labels[operand.name] ?? '';
  const number = format ? labelNumber(label) : undefined;
  return format && number !== undefined ? TEMPLATE_FUNCTIONS[format](number) : label;
}

/*
 * Go's float formatting. `%v` prints the shortest digits that read back as the same float64, switching to
 * an exponent below 1e-4 and from 1e6 (1e+06); `%.4g` rounds to 4 significant digits (half to even on the exact
 * binary value, as Go's strconv does) and switches to an exponent below 1e-4 and from 10^4 unless the
 * digits fit.
 */

interface Decimal {
  /** Significant digits, no leading or trailing zeros (empty for zero). */
  readonly digits: string;
  /** Position of the decimal point: the value is 0.digits × 10^point. */
  readonly point: number;
}

/** The exact decimal value of a positive finite float64, from its binary mantissa and exponent. */
function exactDecimal(value: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exponent = -1074;
  if (biasedExponent !== 0) {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  // value = mantissa × 2^exponent; with a negative exponent that is mantissa × 5^-exponent / 10^-exponent.
  const scaled = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa * 5n ** BigInt(-exponent);
  const text = scaled.toString();
  const point = text.length + Math.min(exponent, 0);
  return { digits: text.replace(/0+$/, ''), point };
}

/** The shortest digits that read back as the same float64 (what JavaScript and Go both print). */
function shortestDecimal(value: number): Decimal {
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', '').replace(/0+$/, ''), point: Number(exponent) + 1 };
}

function roundHalfEven(decimal: Decimal, significant: number): Decimal {
  const { digits, point } = decimal;
  if (digits.length <= significant) return decimal;
  const next = digits[significant]!;
  const odd = Number(digits[significant - 1]) % 2 === 1;
  // Trailing zeros are trimmed, so digits after `next` mean the value lies above the halfway point.
  const up = next > '5' || (next === '5' && (digits.length > significant + 1 || odd));
  const kept = digits.slice(0, significant);
  if (!up) return { digits: kept.replace(/0+$/, ''), point };
  // 9.999 rounds up to 10.00: one more digit before the point.
  const incremented = (BigInt(kept) + 1n).toString();
  return { digits: incremented.replace(/0+$/, ''), point: point + incremented.length - kept.length };
}

function fixedNotation({ digits, point }: Decimal, fractionDigits: number): string {
  const digitAt = (index: number) => (index >= 0 && index < digits.length ? digits[index]! : '0');
  let integer = '';
  for (let index = 0; index < point; index++) integer += digitAt(index);
  let fraction = '';
  for (let index = 0; index < fractionDigits; index++) fraction += digitAt(point + index);
  return `${integer || '0'}${fraction ? `.${fraction}` : ''}`;
}

function exponentNotation({ digits, point }: Decimal): string {
  const exponent = point - 1;
  const magnitude = String(Math.abs(exponent)).padStart(2, '0');
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : (digits[0] ?? '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${magnitude}`;
}

/**
 * Formats a number as Go's `%v` (no precision) or `%.<precision>g` do for a float64, e.g. 1e+06, 0.0625,
 * 1.235e+08, +Inf, NaN.
 */
export function formatGoFloat(value: number, precision?: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0`;
  const magnitude = Math.abs(value);
  const decimal =
    precision === undefined ? shortestDecimal(magnitude) : roundHalfEven(exactDecimal(magnitude), precision);
  let exponentFrom = 6;
  if (precision !== undefined) {
    exponentFrom =
      precision > decimal.digits.length && decimal.digits.length >= decimal.point
        ? decimal.digits.length
        : precision;
  }
  const exponent = decimal.point - 1;
  if (exponent < -4 || exponent >= exponentFrom) return sign + exponentNotation(decimal);
  return sign + fixedNotation(decimal, Math.max(decimal.digits.length - decimal.point, 0));
}

const g4 = (value: number) => formatGoFloat(value, 4);

/** Prometheus' `humanize`: SI prefixes (k, M, G ... and m, u, n ...) with 4 significant digits. */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return g4(value);
  let scaled = value;
  let prefix = '';
  if (Math.abs(scaled) >= 1) {
    for (const next of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(scaled) < 1000) break;
      prefix = next;
      scaled /= 1000;
    }
  } else {
    for (const next of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(scaled) >= 1) break;
      prefix = next;
      scaled *= 1000;
    }
  }
  return g4(scaled) + prefix;
}

/** Prometheus' `humanize1024`: binary prefixes (ki, Mi, Gi ...) with 4 significant digits. */
export function humanize1024(value: number): string {
  if (Math.abs(value) <= 1 || !Number.isFinite(value)) return g4(value);
  let scaled = value;
  let prefix = '';
  for (const next of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(scaled) < 1024) break;
    prefix = next;
    scaled /= 1024;
  }
  return g4(scaled) + prefix;
}

/** Prometheus' `humanizePercentage`: a ratio as a percentage with 4 significant digits (0.1234 -> 12.34%). */
export function humanizePercentage(value: number): string {
  return `${g4(value * 100)}%`;
}

/** Prometheus' `humanizeDuration`: seconds as `1d 2h 3m 4s`, `1.5s` or `250ms`. */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return g4(seconds);
  if (seconds === 0) return '0s';
  if (Math.abs(seconds) >= 1) {
    const sign = seconds < 0 ? '-' : '';
    const magnitude = Math.abs(seconds);
    const whole = Math.trunc(magnitude);
    const [days, hours, minutes, rest] = [
      Math.trunc(whole / 86_400),
      Math.trunc(whole / 3600) % 24,
      Math.trunc(whole / 60) % 60,
      whole % 60,
    ];
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${rest}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${rest}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${rest}s`;
    return `${sign}${g4(magnitude)}s`;
  }
  let scaled = seconds;
  let prefix = '';
  for (const next of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(scaled) >= 1) break;
    prefix = next;
    scaled *= 1000;
  }
  return `${g4(scaled)}${prefix}s`;
}
