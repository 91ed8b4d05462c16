import { z } from 'zod';
import { SEVERITIES } from '../../lambdas/alerts/core/alert.js';
import {
  DEFAULT_RULE_IDS,
  type DefaultRuleId,
  type DefaultRuleOverrides,
  defaultRuleName,
  type ModelAlertProfileInput,
  modelAlertProfileSchema,
  rulesForModels,
} from '../../lambdas/alerts/core/default-rules.js';
import { pipelineConfigSchema } from '../../lambdas/alerts/core/pipeline-config.js';
import { alertRuleSchema } from '../../lambdas/alerts/core/rule.js';
import {
  escalationConfigSchema,
  expectedTargets,
  unknownTargets,
} from '../../lambdas/escalation/core/policy.js';
import { type Channel, channelsSchema } from '../../lambdas/notifications/core/channels.js';
import { ValidationError } from '../../lambdas/shared/validation-error.js';
import { sloSchema } from '../../lambdas/slos/core/slo.js';

/** Retention periods CloudWatch Logs accepts, in days (the values of `RetentionDays`, without "never"). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** How long Vigil keeps what it stores, per store. */
export const retentionSchema = z.object({
  /** Hours a Timestream record stays in the memory store (fast, costly); Timestream allows 1 to 8766. */
  memoryStoreHours: z.int().min(1).max(8766),
  /** Days a Timestream record stays in the magnetic store (cheap, slower); Timestream allows 1 to 73000. */
  magneticStoreDays: z.int().min(1).max(73_000),
  /** Days the Lambda and API access logs are kept; one of the periods CloudWatch Logs accepts. */
  logRetentionDays: z.int().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: (issue) => `got ${String(issue.input)} days, expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
  }),
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Overrides of a model's default rules by rule id. Only the shape is checked here; what they say is
 * checked by building the model's default rules with them (see the environment's refinement below).
 */
const alertOverridesSchema = z.custom<DefaultRuleOverrides[string]>(
  (value) => isPlainObject(value) && Object.values(value).every(isPlainObject),
  {
    error: (issue) =>
      `got ${JSON.stringify(issue.input) ?? String(issue.input)}, expected overrides by default rule id, such as { "latency-p95-warning": { "threshold": 500 } }`,
  },
);

/**
 * A model Vigil expects to monitor, with its alert profile (latency thresholds, expected throughput,
 * accuracy and confidence targets, runbook), which its default alert rules are built from. Models not
 * listed are still accepted at ingest.
 */
export const modelSchema = z.strictObject(
  {
    // The model's name as clients send it in `model`, and its alert profile.
    ...modelAlertProfileSchema.shape,
    /** What the model does, for people reading the config and dashboards. */
    description: z.string().max(256).optional(),
    /**
     * Changes to the model's default rules, by rule id (`error-rate-warning`, `latency-p95-critical`, ...):
     * `{ disabled: true }` drops one; threshold, comparison, window, for, keepFiringFor, severity and
     * noData replace the default; labels and annotations are merged into it.
     */
    alertOverrides: alertOverridesSchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `got unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}; expected fields among ${Object.keys(modelAlertProfileSchema.shape).join(', ')}, description, alertOverrides`
        : undefined,
  },
);

/** A monitored model, validated and with its profile's defaults applied. */
export type ModelConfig = z.output<typeof modelSchema>;

/** The part of a model's config its default alert rules are built from. */
export function modelAlertProfile(model: ModelConfig): ModelAlertProfileInput {
  const { description: _description, alertOverrides: _alertOverrides, ...profile } = model;
  return profile;
}

/** Alert rules, the alert pipeline and the rule evaluation schedule. */
export const alertingSchema = z.object({
  /**
   * Give every listed model the default rules (error rate, p95 latency, and throughput, accuracy and
   * confidence where its profile sets a target), named `<model>/<rule id>`.
   * @default true
   */
  defaultRules: z.boolean().default(true),
  /** Rules of your own, after the default ones; their names must differ from the default rules' names. */
  rules: z.array(alertRuleSchema).default([]),
  /** Grouping, inhibition, the fatigue guard and incident correlation; durations as ms or `5m`. */
  pipeline: pipelineConfigSchema.prefault({}),
});

/** Service level objectives and the delayed ground truth their accuracy SLIs read. */
export const slosSchema = z.object({
  /** SLOs (availability, latency, accuracy, cost) with their burn-rate alerts; see `lambdas/slos/core/slo.ts`. */
  definitions: z.array(sloSchema).default([]),
  /**
   * How long a prediction sent with an `id` waits for its label (`POST /api/v1/labels`), for models with an
   * accuracy SLO or an accuracy target; later labels are reported as unknown.
   * @default 7 days
   */
  labelJoinWindowDays: z.int().min(1).max(365).default(7),
});

/** Sizing of the Lambda functions. */
export const lambdaSchema = z.object({
  /** Memory of each function in MB; CPU grows with it. Lambda allows 128 to 10240. */
  memorySizeMb: z.int().min(128).max(10_240),
});

/** Stage-wide request throttling of the ingest API. */
export const apiThrottlingSchema = z.object({
  /** Steady-state requests per second across all routes. */
  rateLimit: z.number().positive(),
  /** Requests the API absorbs in a burst above the steady rate. */
  burstLimit: z.int().positive(),
});

/** OpenSearch instance types end in `.search` (e.g. `t3.small.search`, `r6g.large.search`). */
const openSearchInstanceType = z.string().regex(/^[a-z0-9]+\.[a-z0-9]+\.search$/, {
  error: (issue) =>
    `got "${String(issue.input)}", expected an OpenSearch instance type such as r6g.large.search`,
});

/**
 * Sizing of the OpenSearch Service domain (when the event store is not serverless). The defaults are the
 * smallest useful domain: one burstable node in one Availability Zone, for trying Vigil out.
 */
export const openSearchDomainSchema = z
  .object({
    /** Data nodes; a multiple of `availabilityZones`, so every zone holds the same share. */
    dataNodes: z.int().min(1).max(80).default(1),
    /** Instance type of the data nodes. */
    dataNodeInstanceType: openSearchInstanceType.default('t3.small.search'),
    /** Availability Zones the data nodes spread over; with 2 or 3, replicas live in another zone. */
    availabilityZones: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
    /** Dedicated master nodes (0 for none); OpenSearch wants 3 (or 5) so a quorum survives losing one. */
    dedicatedMasterNodes: z.union([z.literal(0), z.literal(3), z.literal(5)]).default(0),
    /** Instance type of the dedicated master nodes; required when there are any. */
    masterNodeInstanceType: openSearchInstanceType.optional(),
    /** gp3 EBS volume per data node, in GiB. */
    volumeSizeGiB: z.int().min(10).max(24_576).default(10),
    /**
     * Multi-AZ with Standby (3 zones, one of them standby): AWS's highest availability, at the price of a
     * third of the data nodes serving no traffic; needs 3 zones, dedicated masters and no T3 instances.
     */
    multiAzWithStandby: z.boolean().default(false),
  })
  .superRefine((domain, context) => {
    if (domain.dataNodes % domain.availabilityZones !== 0) {
      context.addIssue({
        code: 'custom',
        path: ['dataNodes'],
        message: `got ${domain.dataNodes} data nodes over ${domain.availabilityZones} zones; expected a multiple of ${domain.availabilityZones}`,
      });
    }
    if (domain.dedicatedMasterNodes > 0 && domain.masterNodeInstanceType === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['masterNodeInstanceType'],
        message: `got ${domain.dedicatedMasterNodes} dedicated master nodes and no instance type; expected one`,
      });
    }
    if (domain.multiAzWithStandby) {
      const problems = [
        domain.availabilityZones !== 3 && `${domain.availabilityZones} zones`,
        domain.dedicatedMasterNodes === 0 && 'no dedicated masters',
        domain.dataNodeInstanceType.startsWith('t3.') && `${domain.dataNodeInstanceType} data nodes`,
      ].filter((problem): problem is string => typeof problem === 'string');
      if (problems.length > 0) {
        context.addIssue({
          code: 'custom',
          path: ['multiAzWithStandby'],
          message: `got ${problems.join(', ')}; Multi-AZ with Standby expects 3 zones, dedicated masters and no T3 instances`,
        });
      }
    }
  });

/** A redaction pattern: the source of a JavaScript regular expression, without slashes or flags. */
const redactionPattern = z
  .string()
  .min(1)
  .refine(
    (pattern) => {
      try {
        new RegExp(pattern, 'g');
        return true;
      } catch {
        return false;
      }
    },
    {
      error: (issue) => `got ${JSON.stringify(issue.input)}, expected a valid JavaScript regular expression`,
    },
  );

/** Where logs, spans and raw prediction events are kept, how long, and what is kept of them. */
export const eventStoreSchema = z.object({
  /**
   * Use an OpenSearch Serverless collection (pay per use, no nodes to size) instead of a domain.
   * @default false
   */
  opensearchServerless: z.boolean().default(false),
  /** Sizing of the domain; ignored with `opensearchServerless`. */
  domain: openSearchDomainSchema.prefault({}),
  /**
   * With `opensearchServerless`: keep a standby replica of every shard in another zone, so losing a zone
   * loses nothing; off halves the minimum capacity billed (for trying Vigil out). Ignored with a domain.
   * @default true
   */
  serverlessStandbyReplicas: z.boolean().default(true),
  /** Days logs, spans and raw events are kept. */
  operationalRetentionDays: z.int().min(1).max(3650).default(90),
  /** Days audit events (the compliance index) are kept. */
  auditRetentionDays: z.int().min(1).max(3650).default(365),
  /** Share of raw prediction events kept in the event store (0 keeps none, 1 keeps all). */
  rawEventSampleRate: z.number().min(0).max(1).default(0.1),
  /**
   * Extra patterns whose matches become `[REDACTED]` in every stored log, span and raw event, besides the
   * built-in ones (authorization, cookie and api-key values, bearer tokens, emails).
   */
  redactionPatterns: z.array(redactionPattern).default([]),
});

/**
 * The message attributes incident notices carry on the severity topics (set by the escalation context's SNS
 * notice publisher), which subscription filter policies can match. The weekly SLO report on the `info` topic
 * carries `kind` (`slo-report`) and `environment`, so `{ "kind": ["slo-report"] }` selects it alone.
 */
export const NOTICE_MESSAGE_ATTRIBUTES = [
  'kind',
  'event',
  'severity',
  'environment',
  'incidentId',
  'model',
  'tier',
  'channels',
] as const;

/** The operators SNS filter policies accept in place of an exact value. */
const FILTER_OPERATORS = [
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'equals-ignore-case',
  'wildcard',
] as const;

/** SNS allows at most five attribute names in a filter policy. */
const MAX_FILTER_POLICY_ATTRIBUTES = 5;

/** SNS allows at most 150 combinations of values (the product of the lengths of the policy's arrays). */
const MAX_FILTER_POLICY_COMBINATIONS = 150;

/** One condition on a message attribute: an exact string or number, or one operator (`{ "prefix": "p" }`). */
export type FilterCondition = string | number | Readonly<Record<string, unknown>>;

const filterConditionSchema = z.custom<FilterCondition>(
  (value) =>
    typeof value === 'string' ||
    typeof value === 'number' ||
    (isPlainObject(value) &&
      Object.keys(value).length === 1 &&
      (FILTER_OPERATORS as readonly string[]).includes(Object.keys(value)[0] ?? '')),
  {
    error: (issue) =>
      `got ${JSON.stringify(issue.input) ?? String(issue.input)}, expected a string, a number or one operator such as { "prefix": "example-" } (${FILTER_OPERATORS.join(', ')})`,
  },
);

/**
 * An SNS subscription filter policy on the notices' message attributes, as SNS writes it: each attribute
 * name with the values (or operators) that let a message through, e.g. `{ "model": ["churn"], "event":
 * ["trigger", "unacknowledged"] }`. A message passes when every named attribute matches one of its values.
 */
export const filterPolicySchema = z
  .record(z.string(), z.array(filterConditionSchema).min(1, 'must list at least one value'))
  .superRefine((policy, context) => {
    const attributes = Object.keys(policy);
    for (const attribute of attributes) {
      if (!(NOTICE_MESSAGE_ATTRIBUTES as readonly string[]).includes(attribute)) {
        context.addIssue({
          code: 'custom',
          path: [attribute],
          message: `got attribute "${attribute}", which notices do not carry; expected one of ${NOTICE_MESSAGE_ATTRIBUTES.join(', ')}`,
        });
      }
    }
    if (attributes.length === 0 || attributes.length > MAX_FILTER_POLICY_ATTRIBUTES) {
      context.addIssue({
        code: 'custom',
        message: `got ${attributes.length} attributes, expected 1 to ${MAX_FILTER_POLICY_ATTRIBUTES} (the SNS limit)`,
      });
    }
    const combinations = Object.values(policy).reduce((product, values) => product * values.length, 1);
    if (combinations > MAX_FILTER_POLICY_COMBINATIONS) {
      context.addIssue({
        code: 'custom',
        message: `got ${combinations} combinations of values, expected at most ${MAX_FILTER_POLICY_COMBINATIONS} (the SNS limit: the product of the number of values of each attribute)`,
      });
    }
  });

/** A filter policy, validated. */
export type FilterPolicy = z.output<typeof filterPolicySchema>;

const httpsEndpoint = z
  .url({ protocol: /^https$/, error: (issue) => `got ${JSON.stringify(issue.input)}, expected an https URL` })
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  }, 'must not carry credentials (user:password@): the template would hold them in plain text');

/**
 * An endpoint subscribed to a severity topic: an email address (which confirms the subscription once, from
 * the email SNS sends) or an HTTPS URL (which must confirm it by fetching the `SubscribeURL` SNS posts).
 * Both receive every incident notice of the topic unless a filter policy narrows them.
 */
export const subscriptionSchema = z.discriminatedUnion(
  'protocol',
  [
    z.strictObject({
      protocol: z.literal('email'),
      /** The address; emails carry the notice's summary as subject and the notice as JSON. */
      endpoint: z.email({
        error: (issue) => `got ${JSON.stringify(issue.input)}, expected an email address`,
      }),
      /** Only the notices whose message attributes match. */
      filterPolicy: filterPolicySchema.optional(),
    }),
    z.strictObject({
      protocol: z.literal('https'),
      /** The URL SNS posts to. */
      endpoint: httpsEndpoint,
      /**
       * Post the notice JSON as the body instead of SNS's envelope (which carries the signature).
       * @default false
       */
      rawMessageDelivery: z.boolean().default(false),
      /** Only the notices whose message attributes match. */
      filterPolicy: filterPolicySchema.optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `got ${JSON.stringify((issue.input as { protocol?: unknown } | undefined)?.protocol) ?? 'none'}, expected "email" or "https"`
        : undefined,
  },
);

/** A subscription to a severity topic, validated. */
export type SubscriptionConfig = z.output<typeof subscriptionSchema>;

const severitySubscriptions = z
  .array(subscriptionSchema)
  .default([])
  .superRefine((subscriptions, context) => {
    const seen = new Set<string>();
    for (const [index, subscription] of subscriptions.entries()) {
      const key = `${subscription.protocol}:${subscription.endpoint}`;
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'endpoint'],
          message: `${subscription.endpoint} is subscribed twice; expected each endpoint once per topic`,
        });
      }
      seen.add(key);
    }
  });

/** The endpoints subscribed to each severity's topic; a severity that is not listed has none. */
export const subscriptionsSchema = z.strictObject(
  {
    critical: severitySubscriptions,
    high: severitySubscriptions,
    warning: severitySubscriptions,
    info: severitySubscriptions,
  } satisfies Record<(typeof SEVERITIES)[number], unknown>,
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `got unknown severity ${issue.keys.map((key) => `"${key}"`).join(', ')}; expected severities among ${SEVERITIES.join(', ')}`
        : undefined,
  },
);

/** The subscriptions of every severity topic, validated. */
export type SubscriptionsConfig = z.output<typeof subscriptionsSchema>;

/**
 * Escalation policies (ordered tiers of targets, each with a timeout and an optional business-hours or
 * quiet-hours condition; a repeat count) and the policy of each severity; absent parts take the defaults of
 * `lambdas/escalation/core/policy.ts` (p0 for critical, p1 for high, p2 for warning; info never escalates).
 */
const escalationSchema = z
  .strictObject(escalationConfigSchema.shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `got unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}; expected fields among ${Object.keys(escalationConfigSchema.shape).join(', ')}`
        : undefined,
  })
  .superRefine((escalation, context) => {
    // The policy module's own checks (each severity maps to a policy that exists), on what was parsed.
    const checked = escalationConfigSchema.safeParse(escalation);
    for (const issue of checked.error?.issues ?? []) {
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });

/** An environment's escalation policies, validated and with defaults applied (durations in ms). */
export type EscalationEnvironmentConfig = z.output<typeof escalationSchema>;

const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, {
  error: (issue) =>
    `got ${JSON.stringify(issue.input)}, expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
});

/** One deployable (or the local) environment of Vigil, as written in `environments.ts`. */
export const environmentConfigSchema = z
  .object({
    /** Environment name; part of stack names and of the metric namespace `Vigil/<name>`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, {
      error: 'expected 1 to 16 lowercase letters, digits or dashes, starting with a letter',
    }),
    /** AWS account to deploy to; falls back to `CDK_DEFAULT_ACCOUNT` (the CLI's credentials). */
    account: z
      .string()
      .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })
      .optional(),
    /** AWS region to deploy to; falls back to `CDK_DEFAULT_REGION`. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region such as eu-west-1' })
      .optional(),
    /** Where metric rollups go: Timestream, or CloudWatch for accounts that cannot use Timestream. */
    metricStore: z.enum(['timestream', 'cloudwatch']),
    /** Keep stateful resources when their stack is deleted, and turn on deletion protection. */
    retainData: z.boolean(),
    retention: retentionSchema,
    lambda: lambdaSchema,
    apiThrottling: apiThrottlingSchema,
    /** The models this environment monitors; dashboards also show models that are not listed. */
    models: z.array(modelSchema).default([]),
    /** Addresses that get platform alarms by email (each confirms the subscription once). */
    alarmEmails: z.array(z.email()).default([]),
    /** The event store: logs, spans and sampled raw prediction events. */
    eventStore: eventStoreSchema.prefault({}),
    /** Alert rules (default and custom) and how the alert pipeline treats what they raise. */
    alerting: alertingSchema.prefault({}),
    /** SLOs, error budgets and burn-rate alerts. */
    slos: slosSchema.prefault({}),
    /**
     * Where the formatter Lambda posts notifications: Slack, PagerDuty Events v2, Microsoft Teams and generic
     * webhooks (see `lambdas/notifications/core/channels.ts`). A deployed environment names each channel's
     * Secrets Manager secret by ARN (`secretArn`; a partial ARN, without the random suffix, names it by
     * name); only the local environment may write a URL or routing key in plain config.
     */
    channels: channelsSchema.default([]),
    /**
     * The customer managed KMS keys that encrypt the channels' secrets, which the formatter may decrypt with
     * through Secrets Manager only; none for secrets under the AWS managed key `aws/secretsmanager`.
     */
    channelSecretKeyArns: z.array(kmsKeyArn).default([]),
    /** Escalation policies and the policy of each severity; tiers target channels or `severity-topic`. */
    escalation: escalationSchema.prefault({}),
    /** Email and HTTPS endpoints subscribed to each severity's SNS topic, with optional filter policies. */
    subscriptions: subscriptionsSchema.prefault({}),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    for (const [index, model] of config.models.entries()) {
      if (seen.has(model.name)) {
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'name'],
          message: `model "${model.name}" is listed twice; expected each model once`,
        });
      }
      seen.add(model.name);
    }
    checkAlertOverrides(config, context);
    checkCustomRuleNames(config, context);
    checkEscalationTargets(config, context);
    const sloNames = new Set<string>();
    for (const [index, slo] of config.slos.definitions.entries()) {
      if (sloNames.has(slo.name)) {
        context.addIssue({
          code: 'custom',
          path: ['slos', 'definitions', index, 'name'],
          message: `SLO "${slo.name}" is listed twice; expected each SLO name once`,
        });
      }
      sloNames.add(slo.name);
    }
  });

type EnvironmentRefinement = z.core.$RefinementCtx<{
  models: ModelConfig[];
  alerting: z.output<typeof alertingSchema>;
}>;

/** Builds each model's default rules with its overrides, reporting what they get wrong under the model. */
function checkAlertOverrides(config: { models: ModelConfig[] }, context: EnvironmentRefinement): void {
  for (const [index, model] of config.models.entries()) {
    if (model.alertOverrides === undefined) continue;
    try {
      rulesForModels([modelAlertProfile(model)], { [model.name]: model.alertOverrides });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      context.addIssue({ code: 'custom', path: ['models', index, 'alertOverrides'], message: error.message });
    }
  }
}

/**
 * Custom rule names must be unique and must not take a default rule's name (`<model>/<rule id>`), which
 * is also the key of the rule's stored state.
 */
function checkCustomRuleNames(
  config: { models: ModelConfig[]; alerting: z.output<typeof alertingSchema> },
  context: EnvironmentRefinement,
): void {
  const defaults = new Map<string, { model: string; index: number; id: DefaultRuleId }>();
  if (config.alerting.defaultRules) {
    for (const [index, model] of config.models.entries()) {
      for (const id of DEFAULT_RULE_IDS)
        defaults.set(defaultRuleName(model.name, id), { model: model.name, index, id });
    }
  }
  const seen = new Set<string>();
  for (const [index, rule] of config.alerting.rules.entries()) {
    const path = ['alerting', 'rules', index, 'name'];
    const taken = defaults.get(rule.name);
    if (taken) {
      context.addIssue({
        code: 'custom',
        path,
        message: `custom rule "${rule.name}" has the name of the default rule "${taken.id}" of model "${taken.model}"; expected another name, or models.${taken.index}.alertOverrides["${taken.id}"] to change the default rule`,
      });
    } else if (seen.has(rule.name)) {
      context.addIssue({
        code: 'custom',
        path,
        message: `custom rule "${rule.name}" is listed twice; expected each rule name once`,
      });
    }
    seen.add(rule.name);
  }
}

/** Every tier target must be a configured channel, the incident's severity topic or an SNS topic ARN. */
function checkEscalationTargets(
  config: { channels: Channel[]; escalation: EscalationEnvironmentConfig },
  context: z.core.$RefinementCtx<unknown>,
): void {
  const channels = config.channels.map((channel) => channel.name);
  for (const { policy, tier, index, target } of unknownTargets(config.escalation.policies, channels)) {
    context.addIssue({
      code: 'custom',
      path: ['escalation', 'policies', policy, 'tiers', tier, 'targets', index],
      message: `got "${target}", which is not a channel; ${expectedTargets(channels)}`,
    });
  }
}

/** A problem of a config, by its path. */
export interface ConfigProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * What keeps a validated config from being deployed: a channel secret written in plain config (a Slack,
 * Teams or webhook URL carries its own credentials, a PagerDuty routing key is one), which would end up in
 * the Lambda bundle; in AWS they live in Secrets Manager. A PagerDuty channel's `url` is the Events API
 * endpoint, not a secret.
 */
export function deploymentProblems(config: Pick<EnvironmentConfig, 'channels'>): ConfigProblem[] {
  return config.channels.flatMap((channel, index): ConfigProblem[] => {
    if (channel.routingKey !== undefined) {
      return [
        {
          path: ['channels', index, 'routingKey'],
          message: `channel "${channel.name}" has its routing key in plain config; expected secretArn, a Secrets Manager secret holding it (plain values are for the local environment only)`,
        },
      ];
    }
    if (channel.type !== 'pagerduty' && channel.url !== undefined) {
      return [
        {
          path: ['channels', index, 'url'],
          message: `channel "${channel.name}" has its ${channel.type} URL in plain config; expected secretArn, a Secrets Manager secret holding it (plain URLs are for the local environment only)`,
        },
      ];
    }
    return [];
  });
}

/** An environment's config as written, before defaults are applied. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;

/** An environment's config, validated and with defaults applied. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;

/** The sizing of an OpenSearch Service domain, validated and with defaults applied. */
export type OpenSearchDomainSizing = z.output<typeof openSearchDomainSchema>;

/** An environment's alerting settings, validated and with defaults applied. */
export type AlertingEnvironmentConfig = z.output<typeof alertingSchema>;

/** An environment's event store settings, validated and with defaults applied. */
export type EventStoreConfig = z.output<typeof eventStoreSchema>;
