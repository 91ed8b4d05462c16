import { z } from 'zod';
import type { Labels } from './alert.js';

/*
 * Label matchers as in Alertmanager (silences, inhibit rules): `=` and `!=` compare a label's value,
 * `=~` and `!~` match it against a regular expression anchored at both ends (`^(?:re)$`), and a missing
 * label matches as the empty string. Used by silences and by inhibition rules.
 *
 * Regular expressions are JavaScript's, which agree with Go's RE2 for the usual label patterns
 * (alternations, classes, `.*`); RE2-only syntax such as `(?P<name>...)` is refused when a matcher is read.
 */

/** How a matcher compares a label's value. */
export const MATCH_OPERATORS = ['=', '!=', '=~', '!~'] as const;
/** How a matcher compares a label's value. */
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

/** A condition on one label. */
export interface LabelMatcher {
  readonly name: string;
  readonly operator: MatchOperator;
  readonly value: string;
}

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;

/** The matcher's value as an anchored regular expression; throws a SyntaxError when it is not one. */
function anchored(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/** Whether a label set satisfies one matcher (a missing label counts as the empty string). */
export function matchesLabel(matcher: LabelMatcher, labels: Labels): boolean {
  const value = labels[matcher.name] ?? '';
  switch (matcher.operator) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return anchored(matcher.value).test(value);
    case '!~':
      return !anchored(matcher.value).test(value);
  }
}

/** Whether a label set satisfies every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  return matchers.every((matcher) => matchesLabel(matcher, labels));
}

/** Prints a matcher as Alertmanager does, e.g. `severity=~"warning|info"`. */
export function formatMatcher(matcher: LabelMatcher): string {
  return `${matcher.name}${matcher.operator}${JSON.stringify(matcher.value)}`;
}

/**
 * A matcher as JSON: Vigil's `{ name, operator, value }`, or Alertmanager's API v2
 * `{ name, value, isRegex, isEqual? }` (so silences can be copied from Alertmanager), with regular
 * expressions checked.
 */
export const labelMatcherSchema = z
  .object({
    name: z.string({ error: 'must be a label name' }).min(1, 'must not be empty'),
    value: z.string({ error: 'must be a string' }),
    operator: z.enum(MATCH_OPERATORS, { error: 'must be one of =, !=, =~, !~' }).optional(),
    isRegex: z.boolean({ error: 'must be true or false' }).optional(),
    isEqual: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .transform((input, context): LabelMatcher => {
    if (input.operator === undefined && input.isRegex === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['operator'],
        message: "is missing: give an operator (=, !=, =~, !~), or Alertmanager's isRegex and isEqual",
      });
      return z.NEVER;
    }
    const operator: MatchOperator =
      input.operator ??
      (input.isRegex ? (input.isEqual === false ? '!~' : '=~') : input.isEqual === false ? '!=' : '=');
    if (operator === '=~' || operator === '!~') {
      try {
        anchored(input.value);
      } catch (error) {
        context.addIssue({
          code: 'custom',
          path: ['value'],
          message: `"${input.value}" is not a valid regular expression (${(error as Error).message})`,
        });
        return z.NEVER;
      }
    }
    return { name: input.name, operator, value: input.value };
  });
