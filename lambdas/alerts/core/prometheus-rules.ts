import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import type { Stat } from '../../metrics/ports/metric-store.js';
import { ValidationError } from '../../shared/validation-error.js';
import { isSeverity, type Severity } from './alert.js';
import {
  type AlertRule,
  type AlertRuleInput,
  alertRuleSchema,
  COMPARISONS,
  type Comparison,
} from './rule.js';

/*
 * Imports Prometheus alerting rule files (`groups[].rules[]` with alert, expr, for, keep_firing_for,
 * labels, annotations), already parsed from YAML, into Vigil alert rules. The expression must be one
 * of this small subset of PromQL, compared with a number (`>`, `>=`, `<`, `<=`, `==`, `!=`, either side):
 *
 *   <agg>_over_time(m{...}[5m])              agg: avg, sum, count, min, max -> that statistic of m
 *   quantile_over_time(0.95, m{...}[5m])     0.5, 0.9, 0.95, 0.99 -> p50, p90, p95, p99 of m
 *   rate(m{...}[5m])                         -> rate of m (its sum per second)
 *   increase(m{...}[5m])                     -> sum of m
 *   histogram_quantile(0.95, sum by (le) (rate(m_bucket{...}[5m])))
 *                                            -> p95 of m: Vigil keeps distributions as sketches, not buckets
 *   sum(...) around rate, increase, sum_over_time or count_over_time; max(...) around max_over_time;
 *   min(...) around min_over_time; `by` may name model, modelVersion and (in histogram_quantile) le
 *   A / B, each one of the above over the same window and models -> a ratio rule, e.g.
 *   sum(rate(errors{model="fraud"}[5m])) / sum(rate(predictions{model="fraud"}[5m])) > 0.05
 *
 * Matchers may only select models: `model="fraud"`, `model=~"fraud|churn"` (an alternation of names),
 * `model=~".*"` (every model, as no matcher), `modelVersion="v2"`. Vigil evaluates every rule per model, as
 * if the expression said `by (model)`; `by (modelVersion)` evaluates every version apart. Counter
 * semantics do not carry over: Vigil metrics are per-minute sums of observations, so `rate` is the sum over
 * the window per second and `increase` the sum, which is what they mean for counters of events.
 *
 * Everything else is refused with a message naming the group, the alert and what is not supported:
 * recording rules, bare selectors (`up == 0`), other functions and aggregations, arithmetic other than one
 * division, `bool`, `on`/`ignoring`, `offset`, `@`, subqueries, set operators, other label matchers.
 *
 * Names: a rule takes its alert's name; alerts whose name repeats in the file (a warning and a critical
 * rule) are named `<alert>-<severity>`, sharing the alert name. Severity comes from the `severity` label:
 * critical, high, warning or info, `page` as critical; warning when it is missing. Group labels are added
 * under the rule's; group `interval` is ignored (Vigil evaluates rules every minute). `runbook_url` becomes
 * `runbookUrl`. Annotation templates must stay within Vigil's template subset (templates.ts).
 */

/** Matches one label of a selector. */
interface Matcher {
  readonly label: string;
  readonly operator: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** The parsed form of the expressions the subset can read, and of those it refuses by name. */
type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | {
      readonly kind: 'selector';
      readonly metric: string;
      readonly matchers: readonly Matcher[];
      readonly range?: number;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | {
      readonly kind: 'aggregate';
      readonly operator: string;
      readonly by?: readonly string[];
      readonly without: boolean;
      readonly args: readonly Expr[];
    }
  | { readonly kind: 'binary'; readonly operator: string; readonly left: Expr; readonly right: Expr };

/** A part of a rule file the importer does not support. */
class Unsupported extends ValidationError {}

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'identifier'; readonly value: string }
  | { readonly kind: 'range'; readonly value: string }
  | { readonly kind: 'punctuation'; readonly value: string }
  | { readonly kind: 'end' };

// Longest first, so that `>=` is not read as `>` then `=`.
const PUNCTUATION = '== != >= <= =~ !~ > < = ( ) { } , / * + - % ^ @'.split(' ');
const NUMBER = /^(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i;
const IDENTIFIER = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const AGGREGATIONS = new Set(
  'sum min max avg count group stddev stdvar topk bottomk quantile count_values limitk limit_ratio'.split(
    ' ',
  ),
);
const SET_OPERATORS = new Set(['and', 'or', 'unless']);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let rest = expr;
  while (true) {
    rest = rest.replace(/^(?:\s|#[^\n]*)+/, '');
    if (rest.length === 0) break;
    const number = NUMBER.exec(rest);
    const identifier = IDENTIFIER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0] });
      rest = rest.slice(number[0].length);
    } else if (identifier) {
      tokens.push({ kind: 'identifier', value: identifier[0] });
      rest = rest.slice(identifier[0].length);
    } else if (rest[0] === '"' || rest[0] === "'" || rest[0] === '`') {
      const quote = rest[0];
      let index = 1;
      let value = '';
      while (index < rest.length && rest[index] !== quote) {
        // Raw (backquoted) strings keep backslashes; quoted ones unescape them.
        if (rest[index] === '\\' && quote !== '`') index++;
        value += rest[index] ?? '';
        index++;
      }
      if (index >= rest.length) throw new Unsupported(`unterminated string ${rest.slice(0, 20)}`);
      tokens.push({ kind: 'string', value });
      rest = rest.slice(index + 1);
    } else if (rest[0] === '[') {
      const close = rest.indexOf(']');
      if (close === -1) throw new Unsupported('unclosed "["');
      tokens.push({ kind: 'range', value: rest.slice(1, close).trim() });
      rest = rest.slice(close + 1);
    } else {
      const punctuation = PUNCTUATION.find((candidate) => rest.startsWith(candidate));
      if (!punctuation) throw new Unsupported(`unexpected character "${rest[0]}"`);
      tokens.push({ kind: 'punctuation', value: punctuation });
      rest = rest.slice(punctuation.length);
    }
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const PROMETHEUS_DURATION =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Reads a Prometheus duration (`5m`, `1h30m`, `1d`) in milliseconds. */
export function parsePrometheusDuration(text: string): number {
  const match = PROMETHEUS_DURATION.exec(text.trim());
  if (!match || text.trim() === '') {
    throw new Unsupported(`"${text}" is not a Prometheus duration such as 30s, 5m or 1h30m`);
  }
  return match
    .slice(1)
    .reduce((total, amount, index) => total + Number(amount ?? 0) * DURATION_UNITS_MS[index]!, 0);
}

const VIGIL_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Writes milliseconds as a Vigil duration string in the largest unit that divides them (`90m`, `2h`). */
function vigilDuration(ms: number): string {
  if (ms === 0) return '0s';
  const unit = VIGIL_UNITS.find(([, size]) => ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/** A recursive-descent reader of the PromQL grammar, wide enough to name what the subset refuses. */
class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[Math.min(this.position, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    this.position++;
    return token;
  }

  private isPunctuation(value: string): boolean {
    const token = this.peek();
    return token.kind === 'punctuation' && token.value === value;
  }

  private isIdentifier(value: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.value === value;
  }

  private expect(value: string): void {
    const token = this.next();
    if (token.kind !== 'punctuation' || token.value !== value) {
      throw new Unsupported(`expected "${value}", found ${describeToken(token)}`);
    }
  }

  parse(): Expr {
    const expr = this.comparison();
    const rest = this.peek();
    if (rest.kind === 'identifier' && SET_OPERATORS.has(rest.value)) {
      throw new Unsupported(`set operator "${rest.value}" is not supported`);
    }
    if (rest.kind !== 'end') throw new Unsupported(`unexpected ${describeToken(rest)}`);
    return expr;
  }

  private binaryModifiers(operator: string): void {
    if (this.isIdentifier('bool'))
      throw new Unsupported(`"${operator} bool" is not supported; compare without bool`);
    const token = this.peek();
    if (
      token.kind === 'identifier' &&
      ['on', 'ignoring', 'group_left', 'group_right'].includes(token.value)
    ) {
      throw new Unsupported(`vector matching ("${token.value}") is not supported`);
    }
  }

  private comparison(): Expr {
    let left = this.additive();
    while (true) {
      const token = this.peek();
      if (token.kind !== 'punctuation' || !(COMPARISONS as readonly string[]).includes(token.value))
        return left;
      this.next();
      this.binaryModifiers(token.value);
      left = { kind: 'binary', operator: token.value, left, right: this.additive() };
    }
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isPunctuation('+') || this.isPunctuation('-')) {
      const operator = (this.next() as { value: string }).value;
      this.binaryModifiers(operator);
      left = { kind: 'binary', operator, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.power();
    while (
      this.isPunctuation('*') ||
      this.isPunctuation('/') ||
      this.isPunctuation('%') ||
      this.isIdentifier('atan2')
    ) {
      const operator = (this.next() as { value: string }).value;
      this.binaryModifiers(operator);
      left = { kind: 'binary', operator, left, right: this.power() };
    }
    return left;
  }

  private power(): Expr {
    const left = this.unary();
    if (!this.isPunctuation('^')) return left;
    this.next();
    this.binaryModifiers('^');
    return { kind: 'binary', operator: '^', left, right: this.power() };
  }

  private unary(): Expr {
    if (this.isPunctuation('-') || this.isPunctuation('+')) {
      const sign = (this.next() as { value: string }).value;
      const operand = this.unary();
      if (operand.kind !== 'number')
        throw new Unsupported(`unary "${sign}" is only supported before a number`);
      return { kind: 'number', value: sign === '-' ? -operand.value : operand.value };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    let result = expr;
    while (true) {
      const token = this.peek();
      if (token.kind === 'range') {
        this.next();
        if (token.value.includes(':')) throw new Unsupported(`subquery [${token.value}] is not supported`);
        if (result.kind !== 'selector' || result.range !== undefined) {
          throw new Unsupported(`a range [${token.value}] is only supported right after a metric selector`);
        }
        result = { ...result, range: parsePrometheusDuration(token.value) };
      } else if (token.kind === 'identifier' && token.value === 'offset') {
        throw new Unsupported('"offset" is not supported');
      } else if (token.kind === 'punctuation' && token.value === '@') {
        throw new Unsupported('the "@" modifier is not supported');
      } else {
        return result;
      }
    }
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: token.value };
      case 'string':
        return { kind: 'string', value: token.value };
      case 'punctuation':
        if (token.value === '(') {
          const inner = this.comparison();
          this.expect(')');
          return inner;
        }
        if (token.value === '{')
          throw new Unsupported('a selector needs a metric name, such as errors{model="x"}');
        throw new Unsupported(`unexpected ${describeToken(token)}`);
      case 'identifier':
        return this.identifierExpression(token.value);
      default:
        throw new Unsupported(`unexpected ${describeToken(token)}`);
    }
  }

  private identifierExpression(name: string): Expr {
    if (name === 'Inf' || name === 'NaN')
      return { kind: 'number', value: name === 'Inf' ? Infinity : Number.NaN };
    if (
      AGGREGATIONS.has(name) &&
      (this.isPunctuation('(') || this.isIdentifier('by') || this.isIdentifier('without'))
    ) {
      return this.aggregate(name);
    }
    if (this.isPunctuation('(')) return { kind: 'call', name, args: this.arguments() };
    return { kind: 'selector', metric: name, matchers: this.isPunctuation('{') ? this.matchers() : [] };
  }

  private grouping(): { by?: string[]; without: boolean } | undefined {
    if (!this.isIdentifier('by') && !this.isIdentifier('without')) return undefined;
    const without = (this.next() as { value: string }).value === 'without';
    this.expect('(');
    const labels: string[] = [];
    while (!this.isPunctuation(')')) {
      const label = this.next();
      if (label.kind !== 'identifier' && label.kind !== 'string') {
        throw new Unsupported(`expected a label name, found ${describeToken(label)}`);
      }
      labels.push(label.value as string);
      if (!this.isPunctuation(')')) this.expect(',');
    }
    this.expect(')');
    return { by: labels, without };
  }

  private aggregate(operator: string): Expr {
    const before = this.grouping();
    const args = this.arguments();
    const grouping = before ?? this.grouping();
    return { kind: 'aggregate', operator, by: grouping?.by, without: grouping?.without ?? false, args };
  }

  private arguments(): Expr[] {
    this.expect('(');
    const args: Expr[] = [];
    while (!this.isPunctuation(')')) {
      args.push(this.comparison());
      if (!this.isPunctuation(')')) this.expect(',');
    }
    this.expect(')');
    return args;
  }

  private matchers(): Matcher[] {
    this.expect('{');
    const matchers: Matcher[] = [];
    while (!this.isPunctuation('}')) {
      const label = this.next();
      const operator = this.next();
      const value = this.next();
      if (
        (label.kind !== 'identifier' && label.kind !== 'string') ||
        operator.kind !== 'punctuation' ||
        !['=', '!=', '=~', '!~'].includes(operator.value) ||
        value.kind !== 'string'
      ) {
        throw new Unsupported('expected label matchers such as {model="fraud"}');
      }
      matchers.push({
        label: label.value,
        operator: operator.value as Matcher['operator'],
        value: value.value,
      });
      if (!this.isPunctuation('}')) this.expect(',');
    }
    this.expect('}');
    return matchers;
  }
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of the expression';
    case 'number':
      return `"${token.text}"`;
    case 'range':
      return `"[${token.value}]"`;
    default:
      return `"${token.value}"`;
  }
}

/** The models an expression selects. */
interface Selection {
  readonly model: string | string[];
  readonly modelVersion?: string;
}

/** One metric's statistic over a window, for some models. */
interface Measure {
  readonly metric: string;
  readonly stat: Stat;
  readonly windowMs: number;
  readonly selection: Selection;
  /** Whether the expression groups by modelVersion. */
  readonly perVersion: boolean;
}

const MODEL_ALTERNATIVE = /^[A-Za-z0-9_-]+(?:\\\.[A-Za-z0-9_-]+)*$/;

function selectionOf(matchers: readonly Matcher[]): Selection {
  let model: Selection['model'] = '*';
  let modelVersion: string | undefined;
  const seen = new Set<string>();
  for (const matcher of matchers) {
    const written = `${matcher.label}${matcher.operator}"${matcher.value}"`;
    if (seen.has(matcher.label))
      throw new Unsupported(`two matchers on "${matcher.label}" are not supported`);
    seen.add(matcher.label);
    if (matcher.label !== 'model' && matcher.label !== 'modelVersion') {
      throw new Unsupported(
        `label matcher ${written} is not supported; only model and modelVersion can be selected`,
      );
    }
    if (matcher.operator === '=') {
      if (matcher.label === 'model') model = matcher.value;
      else modelVersion = matcher.value;
      continue;
    }
    if (matcher.operator === '=~' && (matcher.value === '.*' || matcher.value === '.+')) continue;
    const alternatives = matcher.value.split('|');
    if (
      matcher.operator !== '=~' ||
      matcher.label !== 'model' ||
      !alternatives.every((name) => MODEL_ALTERNATIVE.test(name))
    ) {
      throw new Unsupported(
        `label matcher ${written} is not supported; expected model="name", model=~"a|b", model=~".*" or modelVersion="v"`,
      );
    }
    model = alternatives.map((name) => name.replaceAll('\\.', '.'));
  }
  return { model, ...(modelVersion === undefined ? {} : { modelVersion }) };
}

function rangeSelector(
  expr: Expr | undefined,
  functionName: string,
): { metric: string; windowMs: number; selection: Selection } {
  if (expr?.kind !== 'selector' || expr.range === undefined) {
    throw new Unsupported(
      `${functionName}() needs a metric with a range, such as ${functionName}(errors{model="x"}[5m])`,
    );
  }
  return { metric: expr.metric, windowMs: expr.range, selection: selectionOf(expr.matchers) };
}

const OVER_TIME: Readonly<Record<string, Stat>> = {
  avg_over_time: 'avg',
  sum_over_time: 'sum',
  count_over_time: 'count',
  min_over_time: 'min',
  max_over_time: 'max',
  rate: 'rate',
  increase: 'sum',
};
const QUANTILES: ReadonlyMap<number, Stat> = new Map([
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.95, 'p95'],
  [0.99, 'p99'],
]);
/** Which statistics each aggregation may wrap: the ones it leaves unchanged when Vigil merges series. */
const AGGREGATION_KEEPS: Readonly<Record<string, readonly Stat[]>> = {
  sum: ['rate', 'sum', 'count'],
  max: ['max'],
  min: ['min'],
};
const SUPPORTED_FUNCTIONS = [...Object.keys(OVER_TIME), 'quantile_over_time', 'histogram_quantile'].join(
  ', ',
);

function quantileStat(expr: Expr | undefined, functionName: string): Stat {
  const stat = expr?.kind === 'number' ? QUANTILES.get(expr.value) : undefined;
  if (!stat) {
    const given = expr?.kind === 'number' ? String(expr.value) : 'that argument';
    throw new Unsupported(
      `${functionName}() with quantile ${given} is not supported; Vigil keeps 0.5, 0.9, 0.95 and 0.99`,
    );
  }
  return stat;
}

function checkGrouping(expr: Extract<Expr, { kind: 'aggregate' }>, allowed: readonly string[]): boolean {
  if (expr.without)
    throw new Unsupported(`"${expr.operator} without (...)" is not supported; use by (model)`);
  for (const label of expr.by ?? []) {
    if (!allowed.includes(label)) {
      throw new Unsupported(
        `grouping by "${label}" is not supported; Vigil groups by ${allowed.join(' and ')}`,
      );
    }
  }
  return (expr.by ?? []).includes('modelVersion');
}

function histogramQuantile(args: readonly Expr[]): Measure {
  const stat = quantileStat(args[0], 'histogram_quantile');
  let inner = args[1];
  let perVersion = false;
  if (inner?.kind === 'aggregate') {
    if (inner.operator !== 'sum' || inner.args.length !== 1) {
      throw new Unsupported(
        `histogram_quantile() over "${inner.operator}" is not supported; expected sum by (le)`,
      );
    }
    perVersion = checkGrouping(inner, ['le', 'model', 'modelVersion']);
    if (!(inner.by ?? []).includes('le'))
      throw new Unsupported('histogram_quantile() needs sum by (le) (...)');
    inner = inner.args[0];
  }
  if (inner?.kind !== 'call' || (inner.name !== 'rate' && inner.name !== 'increase')) {
    throw new Unsupported(
      'histogram_quantile() needs rate(<metric>_bucket[...]) of a histogram, summed by (le)',
    );
  }
  const { metric, windowMs, selection } = rangeSelector(inner.args[0], inner.name);
  if (!metric.endsWith('_bucket')) {
    throw new Unsupported(`histogram_quantile() needs a _bucket metric, got "${metric}"`);
  }
  return { metric: metric.slice(0, -'_bucket'.length), stat, windowMs, selection, perVersion };
}

function measureOf(expr: Expr): Measure {
  switch (expr.kind) {
    case 'selector':
      throw new Unsupported(
        `metric "${expr.metric}" needs a range and a function, such as avg_over_time(${expr.metric}[5m])`,
      );
    case 'aggregate': {
      const keeps = AGGREGATION_KEEPS[expr.operator];
      if (!keeps)
        throw new Unsupported(`aggregation "${expr.operator}" is not supported; expected sum, min or max`);
      const perVersion = checkGrouping(expr, ['model', 'modelVersion']);
      if (expr.args.length !== 1) throw new Unsupported(`${expr.operator}(...) takes one expression`);
      const inner = measureOf(expr.args[0]!);
      if (!keeps.includes(inner.stat)) {
        throw new Unsupported(
          `${expr.operator}(...) is only supported around ${keeps.join(', ')} statistics, not ${inner.stat}`,
        );
      }
      return { ...inner, perVersion: perVersion || inner.perVersion };
    }
    case 'call': {
      const stat = OVER_TIME[expr.name];
      if (stat) return { stat, perVersion: false, ...rangeSelector(expr.args[0], expr.name) };
      if (expr.name === 'quantile_over_time') {
        return {
          stat: quantileStat(expr.args[0], expr.name),
          perVersion: false,
          ...rangeSelector(expr.args[1], expr.name),
        };
      }
      if (expr.name === 'histogram_quantile') return histogramQuantile(expr.args);
      throw new Unsupported(
        `function "${expr.name}" is not supported; expected one of ${SUPPORTED_FUNCTIONS}`,
      );
    }
    case 'binary':
      throw new Unsupported(
        `operator "${expr.operator}" is not supported here; only one "/" between two metrics`,
      );
    default:
      throw new Unsupported('expected a metric expression, found a constant');
  }
}

/** The rule fields an expression determines. */
export type TranslatedExpression = Pick<
  AlertRuleInput,
  'aggregation' | 'model' | 'modelVersion' | 'window' | 'comparison' | 'threshold'
> &
  (
    | { metric: string }
    | { ratio: { numerator: { metric: string; stat: Stat }; denominator: { metric: string; stat: Stat } } }
  );

const FLIPPED: Readonly<Record<Comparison, Comparison>> = {
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
  '==': '==',
  '!=': '!=',
};

function selectionFields(measure: Measure): Pick<AlertRuleInput, 'model' | 'modelVersion'> {
  const version = measure.selection.modelVersion ?? (measure.perVersion ? '*' : undefined);
  return { model: measure.selection.model, ...(version === undefined ? {} : { modelVersion: version }) };
}

/**
 * Translates one expression of the subset into the rule fields it determines; throws a ValidationError
 * saying what is not supported otherwise.
 */
export function translatePrometheusExpression(expr: string): TranslatedExpression {
  const tree = new Parser(tokenize(expr)).parse();
  if (tree.kind !== 'binary' || !(COMPARISONS as readonly string[]).includes(tree.operator)) {
    throw new Unsupported('expected a comparison with a number, such as avg_over_time(latency_ms[5m]) > 500');
  }
  const numberOnRight = tree.right.kind === 'number';
  if (numberOnRight === (tree.left.kind === 'number')) {
    throw new Unsupported('expected a comparison of a metric expression with a number');
  }
  const threshold = (numberOnRight ? tree.right : tree.left) as { value: number };
  const side = numberOnRight ? tree.left : tree.right;
  const comparison = numberOnRight ? (tree.operator as Comparison) : FLIPPED[tree.operator as Comparison];
  const common = { comparison, threshold: threshold.value };
  if (side.kind === 'binary' && side.operator === '/') {
    const numerator = measureOf(side.left);
    const denominator = measureOf(side.right);
    if (numerator.windowMs !== denominator.windowMs) {
      throw new Unsupported('both sides of a ratio must use the same range');
    }
    const selection = selectionFields(numerator);
    if (JSON.stringify(selection) !== JSON.stringify(selectionFields(denominator))) {
      throw new Unsupported('both sides of a ratio must select the same models and versions');
    }
    return {
      ...common,
      ...selection,
      aggregation: 'ratio',
      window: vigilDuration(numerator.windowMs),
      ratio: {
        numerator: { metric: numerator.metric, stat: numerator.stat },
        denominator: { metric: denominator.metric, stat: denominator.stat },
      },
    };
  }
  const measure = measureOf(side);
  return {
    ...common,
    ...selectionFields(measure),
    aggregation: measure.stat,
    metric: measure.metric,
    window: vigilDuration(measure.windowMs),
  };
}

const stringMap = z.record(z.string(), z.string({ error: 'expected a string' }));

const ruleFileSchema = z.object({
  groups: z.array(
    z.strictObject({
      name: z.string({ error: 'expected the group name' }),
      interval: z.string().optional(),
      labels: stringMap.optional(),
      rules: z.array(
        z.strictObject({
          alert: z.string().optional(),
          record: z.string().optional(),
          expr: z.union([z.string(), z.number()], { error: 'expected a PromQL expression' }),
          for: z.string().optional(),
          keep_firing_for: z.string().optional(),
          labels: stringMap.optional(),
          annotations: stringMap.optional(),
        }),
        { error: 'expected a list of rules' },
      ),
    }),
    { error: 'expected a list of rule groups' },
  ),
});

type PrometheusRule = z.output<typeof ruleFileSchema>['groups'][number]['rules'][number];

function severityOf(labels: Readonly<Record<string, string>>): Severity {
  const severity = labels.severity;
  if (severity === undefined) return 'warning';
  if (severity === 'page') return 'critical';
  if (isSeverity(severity)) return severity;
  throw new Unsupported(
    `labels.severity "${severity}" is not supported; expected critical, high, warning, info or page`,
  );
}

function durationField(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    return vigilDuration(parsePrometheusDuration(text));
  } catch (error) {
    throw new Unsupported(`${field}: ${(error as Error).message}`);
  }
}

function translateRule(
  rule: PrometheusRule & { alert: string },
  groupLabels: Readonly<Record<string, string>>,
  name: string,
  severity: Severity,
): AlertRuleInput {
  const { severity: _severity, ...labels } = { ...groupLabels, ...rule.labels };
  let translated: TranslatedExpression;
  try {
    translated = translatePrometheusExpression(String(rule.expr));
  } catch (error) {
    throw new Unsupported(`expr: ${(error as Error).message}`);
  }
  const { runbook_url: runbookUrl, ...annotations } = rule.annotations ?? {};
  const forText = durationField(rule.for, 'for');
  const keepFiringFor = durationField(rule.keep_firing_for, 'keep_firing_for');
  return {
    ...translated,
    name,
    ...(name === rule.alert ? {} : { alertName: rule.alert }),
    ...(forText === undefined ? {} : { for: forText }),
    ...(keepFiringFor === undefined ? {} : { keepFiringFor }),
    severity,
    labels,
    annotations: { ...annotations, ...(runbookUrl === undefined ? {} : { runbookUrl }) },
  } as AlertRuleInput;
}

/**
 * Imports a Prometheus rule file, parsed from YAML (`importPrometheusRules(YAML.parse(text))`), as
 * validated Vigil rules. Throws a ValidationError listing every rule that cannot be imported, by group and
 * alert name, with what is not supported.
 */
export function importPrometheusRules(document: unknown): AlertRule[] {
  const parsed = ruleFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new ValidationError(
      `invalid Prometheus rule file: ${describeIssues(parsed.error.issues, '(file)').join('; ')}`,
    );
  }
  const problems: string[] = [];
  const alerting = parsed.data.groups.flatMap((group) =>
    group.rules.flatMap((rule, index) => {
      if (rule.alert === undefined) {
        const what =
          rule.record === undefined
            ? `rule [${index}] has no alert name`
            : `recording rule "${rule.record}" is not supported`;
        problems.push(`group "${group.name}": ${what}; only alerting rules are imported`);
        return [];
      }
      return [{ group, rule: rule as PrometheusRule & { alert: string } }];
    }),
  );
  const counts = new Map<string, number>();
  for (const { rule } of alerting) counts.set(rule.alert, (counts.get(rule.alert) ?? 0) + 1);
  const rules: AlertRule[] = [];
  const names = new Map<string, string>();
  for (const { group, rule } of alerting) {
    const where = `group "${group.name}", alert "${rule.alert}"`;
    try {
      const severity = severityOf({ ...group.labels, ...rule.labels });
      const name = counts.get(rule.alert)! > 1 ? `${rule.alert}-${severity}` : rule.alert;
      const clash = names.get(name);
      if (clash) {
        throw new Unsupported(
          `a rule with the same alert name and severity is in ${clash}; expected one of each`,
        );
      }
      names.set(name, `group "${group.name}"`);
      const validated = alertRuleSchema.safeParse(translateRule(rule, group.labels ?? {}, name, severity));
      if (validated.success) rules.push(validated.data);
      else problems.push(`${where}: ${describeIssues(validated.error.issues, '(rule)').join('; ')}`);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      problems.push(`${where}: ${error.message}`);
    }
  }
  if (problems.length > 0)
    throw new ValidationError(`cannot import Prometheus rules: ${problems.join('; ')}`);
  return rules;
}

/**
 * Imports a Prometheus rule file from its YAML text (`importPrometheusRules` on the parsed document). A
 * YAML syntax error becomes a ValidationError with the file name, line and column.
 */
export function importPrometheusRuleFile(text: string, fileName = 'rule file'): AlertRule[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ValidationError(`${fileName} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return importPrometheusRules(document);
}
