import { z } from 'zod';
import { SEVERITIES, type Severity } from '../../alerts/core/alert.js';
import { configDurationSchema } from '../../alerts/core/grouping.js';
import {
  isWithinRecurrence,
  type WeeklyWindow,
  weeklyRecurrenceSchema,
} from '../../alerts/core/silence-recurrence.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';

/*
 * Escalation policies, in the spirit of PagerDuty escalation policies and Grafana OnCall escalation chains:
 * ordered tiers, each notified in turn until someone acknowledges; a tier names its targets (channels from
 * the channels config, or the incident's severity topic with everything subscribed to it) and how long to
 * wait for an acknowledgement before the next tier. A tier may hold only at some hours (business hours, or
 * outside quiet hours), weekly windows in a time zone as silences use them; when its condition does not
 * hold, the tier is skipped. After the last tier the chain starts over `repeat` more times, then gives up
 * with an "unacknowledged" notice. Each severity maps to a policy; a severity without one never escalates.
 *
 * The defaults mirror the seeds: p0 (critical) pages on-call for 5 minutes, then the manager for 15, the
 * director for 30 and the CTO for 60, and goes round once more, since a critical incident nobody took must
 * not go quiet after one pass. p1 (high) gives each tier about twice as long (on-call 15, manager 30,
 * director 60) and p2 (warning) longer still with two tiers (on-call 30, manager 120); neither repeats, as
 * lesser incidents do not justify waking everyone twice. `info` has no policy.
 */

/** The target that means "the incident's severity topic", with every subscription and channel on it. */
export const SEVERITY_TOPIC_TARGET = 'severity-topic';

/** The longest a tier may wait for an acknowledgement: a week (Step Functions allows a year). */
export const MAX_TIER_TIMEOUT_MS = 7 * 86_400_000;

/** The most extra rounds a policy may go through. */
export const MAX_REPEAT = 10;

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;
const NAME_PROBLEM = 'expected 1 to 64 letters, digits, ".", "_" or "-"';

/** When a tier holds: inside the windows (business hours) or outside them (quiet hours). */
export interface TierCondition {
  /** IANA time zone of the windows, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  readonly windows: readonly WeeklyWindow[];
  /** `inside`: the tier holds during the windows; `outside`: it holds the rest of the week. */
  readonly when: 'inside' | 'outside';
  /** What happens when the condition does not hold: the tier is skipped (the chain goes on at once). */
  readonly otherwise: 'skip';
}

/** One tier of a policy. */
export interface EscalationTier {
  readonly name: string;
  /** Channel names, and/or `severity-topic`. */
  readonly targets: readonly string[];
  /** How long to wait for an acknowledgement before the next tier, ms (whole seconds). */
  readonly timeoutMs: number;
  readonly condition?: TierCondition;
}

/** An escalation policy: its tiers, in order, and how many more rounds after the last. */
export interface EscalationPolicy {
  readonly tiers: readonly EscalationTier[];
  /** Extra rounds through the tiers after the first before giving up; 0 gives up after the last tier. */
  readonly repeat: number;
}

/** Every policy by name, and the policy of each severity that escalates. */
export interface EscalationConfig {
  readonly policies: Readonly<Record<string, EscalationPolicy>>;
  readonly severityPolicies: Readonly<Partial<Record<Severity, string>>>;
}

const nameSchema = z.string().regex(NAME, NAME_PROBLEM);

const tierConditionSchema = weeklyRecurrenceSchema.extend({
  when: z.enum(['inside', 'outside']).default('inside'),
  otherwise: z.literal('skip').default('skip'),
});

/**
 * An SNS topic a tier may target besides the channels and the severity topic (a team's own topic, another
 * account's paging topic), by ARN.
 */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

/** Whether a target names an SNS topic by ARN. */
export function isTopicTarget(target: string): boolean {
  return TOPIC_ARN.test(target);
}

const targetSchema = z
  .string()
  .min(1)
  .refine((target) => !target.startsWith('arn:') || isTopicTarget(target), {
    error: (issue) =>
      `got "${String(issue.input)}", which is not an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:team-pager`,
  });

const tierSchema = z.strictObject({
  name: nameSchema,
  targets: z
    .array(targetSchema)
    .min(1, `must name at least one target: a channel, an SNS topic ARN or "${SEVERITY_TOPIC_TARGET}"`),
  timeoutMs: configDurationSchema
    .refine((ms) => ms >= 1000 && ms % 1000 === 0, {
      error: (issue) => `got ${String(issue.input)} ms, expected whole seconds, at least 1s`,
    })
    .refine((ms) => ms <= MAX_TIER_TIMEOUT_MS, {
      error: (issue) => `got ${String(issue.input)} ms, expected at most 7d`,
    }),
  condition: tierConditionSchema.optional(),
});

const policySchema = z.strictObject({
  tiers: z
    .array(tierSchema)
    .min(1, 'must have at least one tier')
    .superRefine((tiers, context) => {
      const seen = new Set<string>();
      tiers.forEach((each, index) => {
        if (seen.has(each.name)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${each.name}" is used twice`,
          });
        }
        seen.add(each.name);
      });
    }),
  repeat: z.int().min(0).max(MAX_REPEAT).default(0),
});

const policiesSchema = z.record(nameSchema, policySchema);
const severityPoliciesSchema = z.partialRecord(z.enum(SEVERITIES), nameSchema);

/** The default policies and mapping as configuration JSON (see the module comment for the choices). */
export const DEFAULT_ESCALATION_JSON: {
  readonly policies: z.input<typeof policiesSchema>;
  readonly severityPolicies: z.input<typeof severityPoliciesSchema>;
} = {
  policies: {
    p0: {
      tiers: [
        { name: 'on-call', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '5m' },
        { name: 'manager', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '15m' },
        { name: 'director', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '30m' },
        { name: 'cto', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '60m' },
      ],
      repeat: 1,
    },
    p1: {
      tiers: [
        { name: 'on-call', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '15m' },
        { name: 'manager', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '30m' },
        { name: 'director', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '60m' },
      ],
      repeat: 0,
    },
    p2: {
      tiers: [
        { name: 'on-call', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '30m' },
        { name: 'manager', targets: [SEVERITY_TOPIC_TARGET], timeoutMs: '120m' },
      ],
      repeat: 0,
    },
  },
  severityPolicies: { critical: 'p0', high: 'p1', warning: 'p2' },
};

/**
 * The escalation slice of an environment's config as JSON: durations as ms or as `5m`. Other fields of the
 * slice (the topics' subscriptions) are left to their readers.
 */
export const escalationConfigSchema = z
  .object({
    policies: policiesSchema.prefault(() => structuredClone(DEFAULT_ESCALATION_JSON.policies)),
    severityPolicies: severityPoliciesSchema.prefault(() => ({
      ...DEFAULT_ESCALATION_JSON.severityPolicies,
    })),
  })
  .superRefine((config, context) => {
    for (const [severity, policy] of Object.entries(config.severityPolicies)) {
      if (policy !== undefined && !(policy in config.policies)) {
        context.addIssue({
          code: 'custom',
          path: ['severityPolicies', severity],
          message: `no policy "${policy}"; the policies are ${Object.keys(config.policies).join(', ') || 'none'}`,
        });
      }
    }
  });

/** What `parseEscalationConfig` checks the targets against. */
export interface EscalationConfigOptions {
  /** The names of the configured channels; when given, every target must be one of them or the topic. */
  readonly channels?: readonly string[];
  /** Where the config came from, for the error message. @default 'escalation' */
  readonly source?: string;
}

/**
 * Parses escalation config (absent parts take the defaults), failing with every problem listed by its
 * path, e.g. `policies.p0.tiers[1].timeoutMs: must be whole seconds, at least 1s`.
 */
export function parseEscalationConfig(
  value: unknown,
  options: EscalationConfigOptions = {},
): EscalationConfig {
  const source = options.source ?? 'escalation';
  const parsed = escalationConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new Error(
      `invalid escalation config in ${source}: ${describeIssues(parsed.error.issues, '(escalation)').join('; ')}`,
    );
  }
  const config = parsed.data as EscalationConfig;
  if (options.channels) {
    const expected = expectedTargets(options.channels);
    const problems = unknownTargets(config.policies, options.channels).map(
      ({ policy, tier, target }) =>
        `policies.${policy}.tiers[${tier}].targets: "${target}" is not a channel; ${expected}`,
    );
    if (problems.length > 0)
      throw new Error(`invalid escalation config in ${source}: ${problems.join('; ')}`);
  }
  return config;
}

/** A tier target that names no configured channel, the severity topic or an SNS topic ARN. */
export interface UnknownTarget {
  readonly policy: string;
  readonly tier: number;
  /** Its place among the tier's targets. */
  readonly index: number;
  readonly target: string;
}

/** The tier targets of these policies that are not among the channels, the severity topic or a topic ARN. */
export function unknownTargets(
  policies: Readonly<Record<string, Pick<EscalationPolicy, 'tiers'>>>,
  channels: readonly string[],
): UnknownTarget[] {
  const known = new Set([SEVERITY_TOPIC_TARGET, ...channels]);
  return Object.entries(policies).flatMap(([policy, { tiers }]) =>
    tiers.flatMap((each, tier) =>
      each.targets.flatMap((target, index) =>
        known.has(target) || isTopicTarget(target) ? [] : [{ policy, tier, index, target }],
      ),
    ),
  );
}

/** What a tier target may be, for the message about one that is none of it. */
export function expectedTargets(channels: readonly string[]): string {
  return `expected "${SEVERITY_TOPIC_TARGET}", an SNS topic ARN or one of the channels (${channels.join(', ') || 'none configured'})`;
}

/** The default policies and mapping, parsed. */
export const DEFAULT_ESCALATION_CONFIG: EscalationConfig = parseEscalationConfig(undefined);

/** The policy an incident of this severity escalates with, and its name; undefined when it does not escalate. */
export function policyFor(
  config: EscalationConfig,
  severity: Severity,
): { readonly name: string; readonly policy: EscalationPolicy } | undefined {
  const name = config.severityPolicies[severity];
  const policy = name === undefined ? undefined : config.policies[name];
  return name === undefined || policy === undefined ? undefined : { name, policy };
}

/** Whether a tier holds at `at` (epoch ms): always without a condition, else by its windows. */
export function tierHolds(escalationTier: EscalationTier, at: number): boolean {
  const { condition } = escalationTier;
  if (!condition) return true;
  const inside = isWithinRecurrence(condition, at);
  return condition.when === 'inside' ? inside : !inside;
}

/** Every SNS topic any tier of the config targets by ARN, for the publishers' permissions. */
export function configTopicArns(config: EscalationConfig): string[] {
  return [
    ...new Set(
      Object.values(config.policies).flatMap((policy) => policyTargets(policy).filter(isTopicTarget)),
    ),
  ];
}

/** Every target of a policy's tiers, in order of first mention: who may have been paged. */
export function policyTargets(policy: EscalationPolicy): string[] {
  return [...new Set(policy.tiers.flatMap((each) => each.targets))];
}
