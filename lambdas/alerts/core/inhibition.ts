import { z } from 'zod';
import type { Labels } from './alert.js';
import { type LabelMatcher, labelMatcherSchema, matchesAll } from './silence-matchers.js';

/*
 * Inhibition as in Alertmanager's inhibit_rules: while an alert matching a rule's source matchers fires,
 * alerts matching its target matchers that carry the same values for every `equal` label (a label missing
 * on both sides counts as equal) are muted. An alert never inhibits itself, and, as in Alertmanager, when
 * the target also matches the source matchers, sources that also match the target matchers are ignored,
 * so two alerts cannot mute each other.
 */

/** One inhibition rule. */
export interface InhibitRule {
  /** What the muting alert must match. */
  readonly sourceMatchers: readonly LabelMatcher[];
  /** What the muted alert must match. */
  readonly targetMatchers: readonly LabelMatcher[];
  /** Labels whose values must be the same on both. */
  readonly equal: readonly string[];
}

/**
 * A critical alert mutes the warning with the same name and model (and the same SLO: a page on one SLO of
 * a model must not mute the tickets of its other SLOs; alerts without an SLO agree on its absence).
 */
export const DEFAULT_INHIBIT_RULES: readonly InhibitRule[] = [
  {
    sourceMatchers: [{ name: 'severity', operator: '=', value: 'critical' }],
    targetMatchers: [{ name: 'severity', operator: '=', value: 'warning' }],
    equal: ['alertname', 'model', 'slo'],
  },
];

/** An alert as inhibition sees it: its fingerprint and its label set with `alertname`. */
export interface InhibitionSubject {
  readonly fingerprint: string;
  readonly labels: Labels;
}

/** An inhibition rule as configuration JSON. */
export const inhibitRuleSchema = z.object({
  sourceMatchers: z.array(labelMatcherSchema).min(1, 'must have at least one matcher'),
  targetMatchers: z.array(labelMatcherSchema).min(1, 'must have at least one matcher'),
  equal: z.array(z.string().min(1)).default([]),
});

function sameValues(equal: readonly string[], a: Labels, b: Labels): boolean {
  return equal.every((name) => (a[name] ?? '') === (b[name] ?? ''));
}

/**
 * The fingerprint of a firing alert that inhibits `target`, or undefined when none does. `firing` are the
 * alerts firing now (the target may be among them).
 */
export function findInhibitor(
  target: InhibitionSubject,
  firing: Iterable<InhibitionSubject>,
  rules: readonly InhibitRule[],
): string | undefined {
  const applicable = rules.filter((rule) => matchesAll(rule.targetMatchers, target.labels));
  if (applicable.length === 0) return undefined;
  for (const source of firing) {
    if (source.fingerprint === target.fingerprint) continue;
    for (const rule of applicable) {
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (!sameValues(rule.equal, source.labels, target.labels)) continue;
      const twoSided =
        matchesAll(rule.sourceMatchers, target.labels) && matchesAll(rule.targetMatchers, source.labels);
      if (twoSided) continue;
      return source.fingerprint;
    }
  }
  return undefined;
}
