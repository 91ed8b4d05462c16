import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAlertingConfig } from '../../../lambdas/alerts/core/alerting-config.js';
import { DEFAULT_RULE_IDS } from '../../../lambdas/alerts/core/default-rules.js';
import {
  DEFAULT_PIPELINE_CONFIG,
  parsePipelineConfig,
} from '../../../lambdas/alerts/core/pipeline-config.js';
import { parseAlertRules } from '../../../lambdas/alerts/core/rule.js';
import { readEscalationConfig } from '../../../lambdas/escalation/core/escalation-config.js';
import { DEFAULT_ESCALATION_CONFIG, parseEscalationConfig } from '../../../lambdas/escalation/core/policy.js';
import { parseChannels } from '../../../lambdas/notifications/core/channels.js';
import { parseRuntimeConfig } from '../../../lambdas/shared/runtime-config.js';
import { parseSlos } from '../../../lambdas/slos/core/slo.js';
import { readSloConfig } from '../../../lambdas/slos/core/slos-config.js';
import {
  environmentNames,
  loadEnvironment,
  loadLocalEnvironment,
  parseEnvironment,
} from '../../../lib/config/load-environment.js';
import { alertRules, toRuntimeConfig } from '../../../lib/config/runtime-config.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('toRuntimeConfig', () => {
  it('bundles the SLOs so the SLO context reads back the same definitions, and the label join window', () => {
    // Prepare
    const environment = parseEnvironment({
      ...loadEnvironment('dev'),
      slos: {
        definitions: [
          {
            name: 'classifier-availability',
            model: 'example-classifier',
            sli: { kind: 'availability' },
            objective: 0.999,
          },
          {
            name: 'llm-latency',
            model: 'example-llm',
            sli: { kind: 'latency', thresholdMs: 8000 },
            objective: 0.99,
            window: '28d',
          },
        ],
        labelJoinWindowDays: 3,
      },
    });

    // Act
    const { slos } = parseRuntimeConfig(
      JSON.parse(JSON.stringify(toRuntimeConfig(environment))),
      'vigil-config.json',
    );
    const read = readSloConfig(slos);

    // Assess
    assert.deepEqual(read.slos, parseSlos(environment.slos.definitions));
    assert.equal(read.labelJoinWindowMs, 3 * DAY_MS);
    assert.deepEqual(
      read.accuracyModels,
      ['example-classifier'],
      'the example classifier has an accuracy target',
    );
  });

  it('refuses an SLO listed twice, naming it', () => {
    const slo = { name: 'a', model: 'm', sli: { kind: 'availability' }, objective: 0.99 };
    assert.throws(
      () => parseEnvironment({ ...loadEnvironment('dev'), slos: { definitions: [slo, slo] } }),
      /slos\.definitions\.1\.name: SLO "a" is listed twice/,
    );
  });

  it('derives the Lambdas config slice from a Timestream environment', () => {
    const {
      alerting: _alerting,
      slos: _slos,
      channels: _channels,
      escalation: _escalation,
      ...runtimeConfig
    } = toRuntimeConfig(loadEnvironment('dev'));

    assert.deepEqual(runtimeConfig, {
      environment: 'dev',
      metricStore: 'timestream',
      // Magnetic-store writes are on, so the oldest accepted timestamp is dev's 30-day magnetic retention.
      maxTimestampAgeMs: 30 * DAY_MS,
      metricNamespace: 'Vigil/dev',
      maxDimensionValuesPerMetric: 100,
      rawEventSampleRate: 1,
      redactionPatterns: [],
      eventStore: 'opensearch',
    });
  });

  it("carries the environment's raw-event sample rate and extra redaction patterns", () => {
    const environment = loadEnvironment('prod');
    const runtimeConfig = toRuntimeConfig({
      ...environment,
      eventStore: { ...environment.eventStore, redactionPatterns: ['acct-[0-9]{8}'] },
    });

    assert.equal(runtimeConfig.rawEventSampleRate, 0.1);
    assert.deepEqual(runtimeConfig.redactionPatterns, ['acct-[0-9]{8}']);
  });

  it('names the serverless event store when the environment uses a collection', () => {
    const runtimeConfig = toRuntimeConfig(loadEnvironment('dev', { opensearchServerless: true }));

    assert.equal(runtimeConfig.eventStore, 'opensearch-serverless');
  });

  it("follows each environment's magnetic retention", () => {
    assert.equal(toRuntimeConfig(loadEnvironment('prod')).maxTimestampAgeMs, 400 * DAY_MS);
  });

  it('accepts two weeks of history with the CloudWatch store, the most PutMetricData takes', () => {
    const runtimeConfig = toRuntimeConfig(loadEnvironment('prod', { metricStore: 'cloudwatch' }));

    assert.equal(runtimeConfig.metricStore, 'cloudwatch');
    assert.equal(runtimeConfig.maxTimestampAgeMs, 14 * DAY_MS);
  });

  it('produces what the Lambdas parse back unchanged', () => {
    for (const environment of [loadEnvironment('staging'), loadLocalEnvironment()]) {
      const runtimeConfig = toRuntimeConfig(environment);

      assert.deepEqual(parseRuntimeConfig(JSON.parse(JSON.stringify(runtimeConfig)), 'test'), runtimeConfig);
    }
  });
});

/** A minimal environment, plus what a test adds. */
function environmentWith(fields: Record<string, unknown>) {
  return parseEnvironment({
    name: 'test',
    metricStore: 'timestream',
    retainData: false,
    retention: { memoryStoreHours: 24, magneticStoreDays: 30, logRetentionDays: 14 },
    lambda: { memorySizeMb: 512 },
    apiThrottling: { rateLimit: 10, burstLimit: 20 },
    ...fields,
  });
}

/** What a Lambda reads: the runtime config written to JSON and parsed back at cold start. */
function bundled(runtimeConfig: ReturnType<typeof toRuntimeConfig>) {
  return parseRuntimeConfig(JSON.parse(JSON.stringify(runtimeConfig)), 'vigil-config.json');
}

const costRule = {
  name: 'fraud-cost-high',
  model: 'fraud',
  aggregation: 'sum',
  metric: 'cost_usd',
  window: '1h',
  comparison: '>',
  threshold: 50,
  severity: 'warning',
};

describe('toRuntimeConfig alerting', () => {
  it("lists each model's default rules with its profile and overrides, then the custom rules", () => {
    const environment = environmentWith({
      models: [
        {
          name: 'fraud',
          latencyP95WarningMs: 400,
          alertOverrides: {
            'error-rate-warning': { disabled: true },
            'latency-p95-critical': { threshold: 900, labels: { team: 'risk' } },
          },
        },
        { name: 'churn' },
      ],
      alerting: { rules: [costRule] },
    });

    const { alerting } = toRuntimeConfig(environment);
    const rules = parseAlertRules(alerting.rules);

    assert.deepEqual(alerting.models, ['fraud', 'churn']);
    assert.deepEqual(
      rules.map((rule) => rule.name),
      [
        'fraud/error-rate-critical',
        'fraud/latency-p95-warning',
        'fraud/latency-p95-critical',
        'churn/error-rate-warning',
        'churn/error-rate-critical',
        'churn/latency-p95-warning',
        'churn/latency-p95-critical',
        'fraud-cost-high',
      ],
    );
    const byName = new Map(rules.map((rule) => [rule.name, rule]));
    assert.equal(byName.get('fraud/latency-p95-warning')?.threshold, 400);
    assert.equal(byName.get('fraud/latency-p95-critical')?.threshold, 900);
    assert.equal(byName.get('fraud/latency-p95-critical')?.labels.team, 'risk');
    // churn takes the profile's documented defaults: 1000 ms warning, 2500 ms critical.
    assert.equal(byName.get('churn/latency-p95-warning')?.threshold, 1000);
    assert.equal(byName.get('churn/latency-p95-critical')?.threshold, 2500);
  });

  it('adds the throughput, accuracy and confidence rules only for models whose profile sets them', () => {
    const environment = environmentWith({
      models: [
        { name: 'fraud', expectedPredictionsPerMinute: 600, accuracyTarget: 0.9, confidenceTarget: 0.7 },
      ],
    });

    const rules = parseAlertRules(toRuntimeConfig(environment).alerting.rules);

    assert.deepEqual(
      rules.map((rule) => rule.name),
      DEFAULT_RULE_IDS.map((id) => `fraud/${id}`),
    );
    const byName = new Map(rules.map((rule) => [rule.name, rule]));
    // Half the expected 600 per minute, in predictions per second: 300 / 60.
    assert.equal(byName.get('fraud/throughput-low')?.threshold, 5);
    assert.equal(byName.get('fraud/accuracy-low')?.threshold, 0.9);
    assert.equal(byName.get('fraud/confidence-low')?.threshold, 0.7);
  });

  it('carries only the custom rules when default rules are off', () => {
    const environment = environmentWith({
      models: [{ name: 'fraud' }],
      alerting: { defaultRules: false, rules: [costRule] },
    });

    assert.deepEqual(
      parseAlertRules(toRuntimeConfig(environment).alerting.rules).map((rule) => rule.name),
      ['fraud-cost-high'],
    );
  });

  it('gives an environment without alerting config the default pipeline', () => {
    const { alerting } = bundled(toRuntimeConfig(environmentWith({})));

    assert.deepEqual(alerting.rules, []);
    assert.deepEqual(alerting.models, []);
    assert.deepEqual(parsePipelineConfig(alerting.pipeline), DEFAULT_PIPELINE_CONFIG);
  });

  it('writes rules and pipeline config that the alerts context parses back to the same objects', () => {
    const environment = environmentWith({
      models: [{ name: 'fraud', alertOverrides: { 'latency-p95-warning': { window: '10m', for: '1m' } } }],
      alerting: {
        rules: [costRule],
        pipeline: {
          grouping: { by: ['alertname'], waitMs: '45s', repeatIntervalMs: '2h' },
          // Alertmanager's matcher form, which the schema turns into Vigil's.
          inhibitRules: [
            {
              sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false }],
              targetMatchers: [{ name: 'severity', value: 'warning|info', isRegex: true }],
              equal: ['model'],
            },
          ],
          fatigue: { maxNotificationsPerHour: 3 },
          correlation: { quietPeriodMs: '15m' },
        },
      },
    });
    const runtimeConfig = toRuntimeConfig(environment);

    const read = readAlertingConfig(bundled(runtimeConfig).alerting);

    assert.deepEqual(read.rules, alertRules(environment));
    assert.deepEqual(read.pipeline, environment.alerting.pipeline);
    assert.deepEqual(read.knownModels, ['fraud']);
    // Durations arrive as ms: 45 s, 2 h and 15 min.
    assert.equal(read.pipeline.grouping.waitMs, 45_000);
    assert.equal(read.pipeline.grouping.repeatIntervalMs, 7_200_000);
    assert.equal(read.pipeline.correlation.quietPeriodMs, 900_000);
    assert.deepEqual(read.pipeline.inhibitRules[0]?.targetMatchers, [
      { name: 'severity', operator: '=~', value: 'warning|info' },
    ]);
    // Parsing what was parsed changes nothing, so a second read at another cold start agrees.
    assert.deepEqual(parseAlertRules(JSON.parse(JSON.stringify(read.rules))), read.rules);
    assert.deepEqual(parsePipelineConfig(JSON.parse(JSON.stringify(read.pipeline))), read.pipeline);
  });

  it('writes alerting config every shipped environment and the local one can read back', () => {
    for (const environment of [
      ...environmentNames.map((name) => loadEnvironment(name)),
      loadLocalEnvironment(),
    ]) {
      const read = readAlertingConfig(bundled(toRuntimeConfig(environment)).alerting);

      assert.deepEqual(read.rules, alertRules(environment), environment.name);
      assert.deepEqual(read.pipeline, environment.alerting.pipeline, environment.name);
    }
  });

  it('gives every model of the local environment the error-rate and latency rules', () => {
    const local = loadLocalEnvironment();

    const names = new Set(
      toRuntimeConfig(local).alerting.rules.map((rule) => (rule as { name: string }).name),
    );

    assert.ok(local.models.length > 0);
    for (const model of local.models) {
      for (const id of [
        'error-rate-warning',
        'error-rate-critical',
        'latency-p95-warning',
        'latency-p95-critical',
      ]) {
        assert.ok(names.has(`${model.name}/${id}`), `${model.name}/${id}`);
      }
    }
  });
});

describe('toRuntimeConfig channels and escalation', () => {
  const channels = [
    {
      name: 'oncall-slack',
      type: 'slack',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/oncall-slack',
      filter: { severities: ['critical', 'high'], models: ['fraud'] },
    },
    {
      name: 'pager',
      type: 'pagerduty',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pager-AbCdEf',
    },
  ];
  const escalation = {
    policies: {
      business: {
        tiers: [
          { name: 'on-call', targets: ['pager', 'severity-topic'], timeoutMs: '10m' },
          {
            name: 'team-lead',
            targets: ['oncall-slack'],
            timeoutMs: 1_800_000,
            // Only in office hours; outside them the chain skips to the next tier at once.
            condition: {
              timeZone: 'Europe/Berlin',
              windows: [
                {
                  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
                  start: '09:00',
                  end: '17:00',
                },
              ],
            },
          },
        ],
        repeat: 2,
      },
    },
    severityPolicies: { critical: 'business', high: 'business' },
  };

  it('bundles the channels so the notifications context parses back the same channels', () => {
    const environment = environmentWith({ channels });

    const read = parseChannels(bundled(toRuntimeConfig(environment)).channels, 'vigil-config.json');

    assert.deepEqual(read, parseChannels(channels, 'the test'));
    assert.deepEqual(read, environment.channels);
  });

  it('bundles the policies so the escalation context reads back what the policy module makes of the config', () => {
    const environment = environmentWith({ channels, escalation });

    const read = readEscalationConfig(bundled(toRuntimeConfig(environment)));

    // The reference: the policy module's own parse of the config as written, targets checked against channels.
    assert.deepEqual(
      read,
      parseEscalationConfig(escalation, { channels: ['oncall-slack', 'pager'], source: 'the test' }),
    );
    assert.equal(read.policies.business?.tiers[0]?.timeoutMs, 600_000, '10 minutes');
    assert.equal(read.policies.business?.tiers[1]?.condition?.when, 'inside');
    // Reading what was read changes nothing, so every cold start agrees.
    assert.deepEqual(parseEscalationConfig(JSON.parse(JSON.stringify(read))), read);
  });

  it('gives an environment without escalation config the default policies, and no channels', () => {
    const runtimeConfig = bundled(toRuntimeConfig(environmentWith({})));

    assert.deepEqual(runtimeConfig.channels, []);
    assert.deepEqual(readEscalationConfig(runtimeConfig), DEFAULT_ESCALATION_CONFIG);
  });

  it('writes channels and policies every shipped environment and the local one can read back', () => {
    for (const environment of [
      ...environmentNames.map((name) => loadEnvironment(name)),
      loadLocalEnvironment(),
    ]) {
      const runtimeConfig = bundled(toRuntimeConfig(environment));

      assert.deepEqual(parseChannels(runtimeConfig.channels, 'test'), environment.channels, environment.name);
      assert.deepEqual(readEscalationConfig(runtimeConfig), environment.escalation, environment.name);
    }
  });
});
