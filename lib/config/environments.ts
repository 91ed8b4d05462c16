import type { EnvironmentConfigInput } from './schema.js';

/**
 * The example models every environment starts with. Replace them with yours; models that are not listed
 * are still ingested and show on the dashboards, the list documents what an environment expects and gives
 * each listed model its default alert rules, tuned by its profile. No expected throughput is set: the
 * throughput rule fires for a model that sends nothing, as an example model does until it is replaced.
 */
const exampleModels = [
  {
    name: 'example-classifier',
    description: 'Example: a tabular classifier served behind an HTTP endpoint',
    latencyP95WarningMs: 300,
    latencyP95CriticalMs: 1000,
    // Below its usual 90 % accuracy or 0.6 mean confidence, the example model is degrading.
    accuracyTarget: 0.9,
    confidenceTarget: 0.6,
  },
  {
    name: 'example-llm',
    description: 'Example: an LLM completion endpoint, with token and cost metrics',
    // Completions take seconds, and their p95 swings with the prompt mix: a longer window steadies it.
    latencyP95WarningMs: 8000,
    latencyP95CriticalMs: 20_000,
    alertOverrides: {
      'latency-p95-warning': { window: '15m' },
      'latency-p95-critical': { window: '15m' },
    },
  },
] as const;

/** An SLO as an environment writes it. */
type SloInput = NonNullable<NonNullable<EnvironmentConfigInput['slos']>['definitions']>[number];

/**
 * The example models' SLOs over a rolling 30 days, with the default burn-rate alerts (page at 2 % of the
 * budget in an hour or 5 % in six, ticket at 10 % in three days). Availability promises 99.9 % of
 * predictions without error; latency is p95-style: 95 % of predictions within the model's p95 warning
 * threshold, so the SLO and the p95 rule agree on what fast means.
 */
const exampleSlos = exampleModels.flatMap((model): SloInput[] => [
  {
    name: `${model.name}-availability`,
    description: `99.9 % of ${model.name} predictions succeed`,
    model: model.name,
    sli: { kind: 'availability' },
    objective: 0.999,
    window: '30d',
  },
  {
    name: `${model.name}-latency`,
    description: `95 % of ${model.name} predictions answer within ${model.latencyP95WarningMs} ms`,
    model: model.name,
    sli: { kind: 'latency', thresholdMs: model.latencyP95WarningMs },
    objective: 0.95,
    window: '30d',
  },
]);

/** A custom rule: the example LLM's spend in the last hour, above `usdPerHour`. */
function exampleLlmCostRule(usdPerHour: number) {
  return {
    name: 'example-llm/cost-per-hour-high',
    alertName: 'ModelCostHigh',
    model: 'example-llm',
    aggregation: 'sum',
    metric: 'cost_usd',
    window: '1h',
    comparison: '>',
    threshold: usdPerHour,
    severity: 'warning',
    annotations: {
      summary: '{{ $labels.model }} spent {{ $value | humanize }} USD in the last hour',
      description: `Spend of {{ $labels.model }} over the last hour is above ${usdPerHour} USD.`,
    },
  } as const;
}

/**
 * The environments `cdk deploy -c env=<name>` accepts. Account and region are left to the CLI's
 * credentials (`CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`) unless pinned here. Accounts created after
 * 2025-06-20 cannot use Timestream: set `metricStore: 'cloudwatch'` (or synth with `-c metricStore=cloudwatch`).
 * Secrets never go here: channels reference their Secrets Manager secret by ARN.
 */
export const environments = {
  dev: {
    name: 'dev',
    metricStore: 'timestream',
    retainData: false,
    retention: { memoryStoreHours: 24, magneticStoreDays: 30, logRetentionDays: 14 },
    lambda: { memorySizeMb: 512 },
    apiThrottling: { rateLimit: 50, burstLimit: 100 },
    models: [...exampleModels],
    eventStore: {
      opensearchServerless: false,
      // One burstable node in one zone: enough to try Vigil out, and no replicas to place.
      domain: {
        dataNodes: 1,
        dataNodeInstanceType: 't3.small.search',
        availabilityZones: 1,
        dedicatedMasterNodes: 0,
        volumeSizeGiB: 10,
      },
      serverlessStandbyReplicas: false,
      operationalRetentionDays: 90,
      auditRetentionDays: 365,
      // Every raw event in dev, so instrumentation can be checked event by event.
      rawEventSampleRate: 1,
      redactionPatterns: [],
    },
    alerting: {
      defaultRules: true,
      rules: [exampleLlmCostRule(5)],
      // Dev alerts are for the people changing it: a repeat twice a day is enough.
      pipeline: { grouping: { repeatIntervalMs: '12h' } },
    },
    slos: { definitions: exampleSlos },
    // Each channel names the Secrets Manager secret that holds its URL or routing key, for example
    // { name: 'oncall-slack', type: 'slack', filter: { severities: ['critical', 'high'] },
    //   secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/dev/oncall-slack' }
    // (a partial ARN, without the random suffix, names the secret by name).
    channels: [],
    // The default chains: critical pages on-call for 5 min, then the manager 15, director 30 and CTO 60,
    // twice round; high and warning wait longer and go round once; info does not escalate.
    escalation: {},
    // Endpoints on the severity topics, for example
    // critical: [{ protocol: 'email', endpoint: 'oncall@example.com',
    //   filterPolicy: { event: ['trigger', 'unacknowledged', 'escalation-failed'] } }]
    // The weekly SLO report goes to the info topic; to get it and nothing else there:
    // info: [{ protocol: 'email', endpoint: 'slo-owners@example.com', filterPolicy: { kind: ['slo-report'] } }]
    subscriptions: {},
  },
  staging: {
    name: 'staging',
    metricStore: 'timestream',
    retainData: false,
    retention: { memoryStoreHours: 24, magneticStoreDays: 90, logRetentionDays: 30 },
    lambda: { memorySizeMb: 1024 },
    apiThrottling: { rateLimit: 100, burstLimit: 200 },
    models: [...exampleModels],
    eventStore: {
      opensearchServerless: false,
      // Two nodes in two zones: each shard's replica sits in the other zone, as in prod.
      domain: {
        dataNodes: 2,
        dataNodeInstanceType: 'm6g.large.search',
        availabilityZones: 2,
        dedicatedMasterNodes: 0,
        volumeSizeGiB: 20,
      },
      operationalRetentionDays: 90,
      auditRetentionDays: 365,
      rawEventSampleRate: 0.5,
      redactionPatterns: [],
    },
    alerting: {
      defaultRules: true,
      rules: [exampleLlmCostRule(20)],
      pipeline: { grouping: { repeatIntervalMs: '12h' } },
    },
    slos: { definitions: exampleSlos },
    // Channels name their Secrets Manager secret (see dev); the default escalation chains.
    channels: [],
    escalation: {},
    subscriptions: {},
  },
  prod: {
    name: 'prod',
    metricStore: 'timestream',
    retainData: true,
    // Three days in memory covers the alert and SLO windows the jobs read most; 400 days on magnetic keeps
    // a year-over-year comparison possible.
    retention: { memoryStoreHours: 72, magneticStoreDays: 400, logRetentionDays: 90 },
    // 1769 MB is one full vCPU: JSON parsing and sketch merging are CPU-bound.
    lambda: { memorySizeMb: 1769 },
    apiThrottling: { rateLimit: 500, burstLimit: 1000 },
    models: [...exampleModels],
    alarmEmails: [],
    eventStore: {
      opensearchServerless: false,
      // A data node per zone and three dedicated masters, so losing a zone loses neither data nor quorum.
      // Multi-AZ with Standby would keep a whole zone idle on top; turn it on for 99.99 % availability.
      domain: {
        dataNodes: 3,
        dataNodeInstanceType: 'r6g.large.search',
        availabilityZones: 3,
        dedicatedMasterNodes: 3,
        masterNodeInstanceType: 'm6g.large.search',
        volumeSizeGiB: 100,
        multiAzWithStandby: false,
      },
      operationalRetentionDays: 90,
      // A year of audit events, the usual compliance minimum.
      auditRetentionDays: 365,
      rawEventSampleRate: 0.1,
      redactionPatterns: [],
    },
    alerting: {
      defaultRules: true,
      rules: [exampleLlmCostRule(100)],
      // Alertmanager's timers (30 s wait, 5 min interval, 4 h repeat) and 10 notifications per rule and hour.
      pipeline: {},
    },
    slos: { definitions: exampleSlos },
    // Channels name their Secrets Manager secret (see dev); secrets under a customer managed key also list
    // the key in channelSecretKeyArns. The default escalation chains, as seeded.
    channels: [],
    channelSecretKeyArns: [],
    escalation: {},
    subscriptions: {},
  },
} as const satisfies Record<string, EnvironmentConfigInput>;

/**
 * The environment `vigil start` runs with on a laptop. The metric store is DuckDB there, so `metricStore`
 * only sets the semantics: Timestream's, whose magnetic-store retention is the oldest timestamp accepted.
 */
export const localEnvironment = {
  name: 'local',
  metricStore: 'timestream',
  retainData: false,
  retention: { memoryStoreHours: 24, magneticStoreDays: 30, logRetentionDays: 7 },
  lambda: { memorySizeMb: 512 },
  apiThrottling: { rateLimit: 50, burstLimit: 100 },
  models: [...exampleModels],
  // Each example model gets the default rules, so an error burst sent to one fires its error-rate rule.
  alerting: { defaultRules: true },
  slos: { definitions: exampleSlos },
  // Locally every notice goes to the console and .vigil/outbox.ndjson; no channel needs a secret. To post
  // to a receiver as well, add one with its URL in plain config (allowed locally only), for example
  // { name: 'local-hook', type: 'webhook', url: 'http://127.0.0.1:9000/vigil' }.
  channels: [],
  // The default chains; VIGIL_TIME_SCALE shrinks their timeouts for demos and tests.
  escalation: {},
} as const satisfies EnvironmentConfigInput;
