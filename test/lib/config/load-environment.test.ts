import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PIPELINE_CONFIG } from '../../../lambdas/alerts/core/pipeline-config.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../lambdas/escalation/core/policy.js';
import { environments, localEnvironment } from '../../../lib/config/environments.js';
import {
  environmentNames,
  loadEnvironment,
  loadLocalEnvironment,
  parseEnvironment,
} from '../../../lib/config/load-environment.js';
import { deploymentProblems } from '../../../lib/config/schema.js';

describe('loadEnvironment', () => {
  it('loads each deployable environment under its own name', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const environment = loadEnvironment(name);

      assert.equal(environment.name, name);
    }
  });

  it('knows exactly dev, staging and prod, in promotion order', () => {
    assert.deepEqual(environmentNames, ['dev', 'staging', 'prod']);
  });

  it('names the known environments when the name is unknown', () => {
    assert.throws(() => loadEnvironment('qa'), {
      message: 'unknown environment "qa"; expected one of: dev, staging, prod',
    });
  });

  it('does not take inherited object keys for environment names', () => {
    assert.throws(() => loadEnvironment('toString'), /unknown environment "toString"/);
  });

  it('names the known environments when no name is given', () => {
    for (const missing of [undefined, '']) {
      assert.throws(() => loadEnvironment(missing), {
        message: 'no environment given; expected -c env=<name> with one of: dev, staging, prod',
      });
    }
  });

  it('applies a metric store override', () => {
    const environment = loadEnvironment('dev', { metricStore: 'cloudwatch' });

    assert.equal(environment.metricStore, 'cloudwatch');
    assert.equal(environments.dev.metricStore, 'timestream', 'the environment itself stays as written');
  });

  it('ignores an override that is not given', () => {
    assert.equal(loadEnvironment('dev', { metricStore: undefined }).metricStore, 'timestream');
  });

  it('validates an override like the rest of the config', () => {
    assert.throws(
      () => loadEnvironment('dev', { metricStore: 'influxdb' }),
      /invalid config for environment "dev": metricStore: /,
    );
  });

  it('applies defaults for optional lists', () => {
    assert.deepEqual(loadEnvironment('dev').alarmEmails, []);
  });

  it('switches the event store to OpenSearch Serverless from the -c string "true"', () => {
    const environment = loadEnvironment('dev', { opensearchServerless: 'true' });

    assert.equal(environment.eventStore.opensearchServerless, true);
    assert.equal(environment.eventStore.operationalRetentionDays, 90, 'the rest of the event store stays');
    assert.equal(
      loadEnvironment('dev', { opensearchServerless: 'false' }).eventStore.opensearchServerless,
      false,
    );
    assert.equal(environments.dev.eventStore.opensearchServerless, false, 'the environment stays as written');
  });

  it('validates a serverless override that is not a boolean', () => {
    assert.throws(
      () => loadEnvironment('dev', { opensearchServerless: 'yes' }),
      /invalid config for environment "dev": eventStore\.opensearchServerless: /,
    );
  });
});

describe('the environments as configured', () => {
  const dev = loadEnvironment('dev');
  const prod = loadEnvironment('prod');

  it('gives each example model a 99.9 % availability SLO and a p95-style latency SLO, everywhere', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const environment = loadEnvironment(name);
      const slos = environment.slos.definitions;

      for (const model of environment.models) {
        const availability = slos.find((slo) => slo.model === model.name && slo.sli.kind === 'availability');
        const latency = slos.find((slo) => slo.model === model.name && slo.sli.kind === 'latency');
        assert.equal(availability?.objective, 0.999, `${name}: ${model.name} availability`);
        // p95-style: 95 % of predictions within the latency the model's p95 warning rule holds it to.
        assert.equal(latency?.objective, 0.95, `${name}: ${model.name} latency`);
        assert.deepEqual(latency?.sli, { kind: 'latency', thresholdMs: model.latencyP95WarningMs });
      }
      assert.equal(slos.length, 2 * environment.models.length, name);
    }
  });

  it('protects prod data and only prod data', () => {
    assert.equal(prod.retainData, true);
    assert.equal(dev.retainData, false);
    assert.equal(loadEnvironment('staging').retainData, false);
  });

  it('keeps prod metrics and logs longer than dev', () => {
    assert.ok(prod.retention.magneticStoreDays > dev.retention.magneticStoreDays);
    assert.ok(prod.retention.memoryStoreHours > dev.retention.memoryStoreHours);
    assert.ok(prod.retention.logRetentionDays > dev.retention.logRetentionDays);
  });

  it('gives prod functions more memory than dev', () => {
    assert.ok(prod.lambda.memorySizeMb > dev.lambda.memorySizeMb);
  });

  it('runs the dev event store on one small node, with no dedicated masters', () => {
    assert.deepEqual(dev.eventStore.domain, {
      dataNodes: 1,
      dataNodeInstanceType: 't3.small.search',
      availabilityZones: 1,
      dedicatedMasterNodes: 0,
      volumeSizeGiB: 10,
      multiAzWithStandby: false,
    });
  });

  it('spreads staging over two zones and prod over three, with three dedicated masters in prod', () => {
    const staging = loadEnvironment('staging').eventStore.domain;

    assert.equal(staging.dataNodes, 2);
    assert.equal(staging.availabilityZones, 2);
    assert.equal(prod.eventStore.domain.dataNodes, 3);
    assert.equal(prod.eventStore.domain.availabilityZones, 3);
    assert.equal(prod.eventStore.domain.dedicatedMasterNodes, 3);
  });

  it('keeps operational events 90 days and audit events a year, everywhere', () => {
    for (const environment of [dev, prod, loadEnvironment('staging')]) {
      assert.equal(environment.eventStore.operationalRetentionDays, 90, environment.name);
      assert.equal(environment.eventStore.auditRetentionDays, 365, environment.name);
    }
  });

  it('uses OpenSearch domains, not Serverless, unless told', () => {
    for (const environment of [dev, prod, loadEnvironment('staging')]) {
      assert.equal(environment.eventStore.opensearchServerless, false, environment.name);
    }
  });
});

describe('loadLocalEnvironment', () => {
  it('loads the local environment with Timestream retention semantics', () => {
    const local = loadLocalEnvironment();

    assert.equal(local.name, 'local');
    assert.equal(local.metricStore, 'timestream');
  });
});

describe('parseEnvironment', () => {
  const valid = {
    name: 'test',
    metricStore: 'timestream',
    retainData: false,
    retention: { memoryStoreHours: 24, magneticStoreDays: 30, logRetentionDays: 14 },
    lambda: { memorySizeMb: 512 },
    apiThrottling: { rateLimit: 10, burstLimit: 20 },
  };

  it('accepts a minimal config', () => {
    assert.equal(parseEnvironment(valid).name, 'test');
  });

  it('rejects a log retention CloudWatch does not offer, listing the ones it does', () => {
    const config = { ...valid, retention: { ...valid.retention, logRetentionDays: 10 } };

    assert.throws(
      () => parseEnvironment(config),
      /retention\.logRetentionDays: got 10 days, expected one of 1, 3, 5, 7, 14,/,
    );
  });

  it('rejects retention outside the limits Timestream sets', () => {
    // Timestream allows 1 to 8766 memory-store hours and 1 to 73000 magnetic-store days.
    const tooLong = {
      ...valid,
      retention: { ...valid.retention, memoryStoreHours: 8767, magneticStoreDays: 73_001 },
    };

    assert.throws(
      () => parseEnvironment(tooLong),
      /retention\.memoryStoreHours: .*; retention\.magneticStoreDays: /,
    );
  });

  it('rejects an account id that is not 12 digits', () => {
    assert.throws(
      () => parseEnvironment({ ...valid, account: '1234' }),
      /account: expected a 12-digit AWS account id/,
    );
  });

  it('rejects a model listed twice', () => {
    const models = [{ name: 'fraud' }, { name: 'fraud' }];

    assert.throws(
      () => parseEnvironment({ ...valid, models }),
      /models\.1\.name: model "fraud" is listed twice/,
    );
  });

  it('rejects an alarm address that is not an email', () => {
    assert.throws(() => parseEnvironment({ ...valid, alarmEmails: ['ops'] }), /alarmEmails\.0: /);
  });

  describe('eventStore', () => {
    const withDomain = (domain: Record<string, unknown>) => ({ ...valid, eventStore: { domain } });

    it('defaults to a one-node domain, 90 and 365 days, a tenth of raw events and no extra patterns', () => {
      assert.deepEqual(parseEnvironment(valid).eventStore, {
        opensearchServerless: false,
        domain: {
          dataNodes: 1,
          dataNodeInstanceType: 't3.small.search',
          availabilityZones: 1,
          dedicatedMasterNodes: 0,
          volumeSizeGiB: 10,
          multiAzWithStandby: false,
        },
        serverlessStandbyReplicas: true,
        operationalRetentionDays: 90,
        auditRetentionDays: 365,
        rawEventSampleRate: 0.1,
        redactionPatterns: [],
      });
    });

    it('rejects data nodes that do not divide evenly over the zones', () => {
      assert.throws(
        () => parseEnvironment(withDomain({ dataNodes: 4, availabilityZones: 3 })),
        /eventStore\.domain\.dataNodes: got 4 data nodes over 3 zones; expected a multiple of 3/,
      );
    });

    it('rejects dedicated masters without an instance type', () => {
      assert.throws(
        () => parseEnvironment(withDomain({ dedicatedMasterNodes: 3 })),
        /eventStore\.domain\.masterNodeInstanceType: got 3 dedicated master nodes and no instance type/,
      );
    });

    it('rejects an even number of dedicated masters, which cannot form a majority after a split', () => {
      assert.throws(
        () =>
          parseEnvironment(
            withDomain({ dedicatedMasterNodes: 2, masterNodeInstanceType: 'm6g.large.search' }),
          ),
        /eventStore\.domain\.dedicatedMasterNodes: /,
      );
    });

    it('rejects an instance type that is not an OpenSearch one', () => {
      assert.throws(
        () => parseEnvironment(withDomain({ dataNodeInstanceType: 'm6g.large' })),
        /eventStore\.domain\.dataNodeInstanceType: got "m6g\.large", expected an OpenSearch instance type/,
      );
    });

    it('rejects Multi-AZ with Standby on a domain that cannot have it, saying why', () => {
      assert.throws(
        () => parseEnvironment(withDomain({ multiAzWithStandby: true })),
        /eventStore\.domain\.multiAzWithStandby: got 1 zones, no dedicated masters, t3\.small\.search data nodes;/,
      );
    });

    it('rejects a sample rate outside 0 to 1', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, eventStore: { rawEventSampleRate: 1.5 } }),
        /eventStore\.rawEventSampleRate: /,
      );
    });

    it('rejects a redaction pattern that is not a regular expression, quoting it', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, eventStore: { redactionPatterns: ['acct-[0-9+'] } }),
        /eventStore\.redactionPatterns\.0: got "acct-\[0-9\+", expected a valid JavaScript regular expression/,
      );
    });
  });

  describe('models', () => {
    it("gives a model the alert profile's documented defaults", () => {
      const [model] = parseEnvironment({ ...valid, models: [{ name: 'fraud' }] }).models;

      assert.equal(model?.latencyP95WarningMs, 1000);
      assert.equal(model?.latencyP95CriticalMs, 2500);
      assert.equal(model?.throughputDropFraction, 0.5);
      assert.equal(model?.accuracyTarget, undefined);
      assert.equal(model?.alertOverrides, undefined);
    });

    it('rejects a target outside 0 to 1, naming the model and field', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, models: [{ name: 'fraud', accuracyTarget: 90 }] }),
        /models\.0\.accuracyTarget: expected a fraction from 0 to 1/,
      );
    });

    it('rejects a field the profile does not know, such as a misspelt threshold', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, models: [{ name: 'fraud', latencyP99WarningMs: 500 }] }),
        /models\.0: got unknown field "latencyP99WarningMs"; expected fields among name, latencyP95WarningMs, /,
      );
    });

    it('rejects overrides that are not an object of objects', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, models: [{ name: 'fraud', alertOverrides: 'off' }] }),
        /models\.0\.alertOverrides: got "off", expected overrides by default rule id/,
      );
    });

    it('rejects an override of a default rule that does not exist, listing the ones that do', () => {
      const models = [
        { name: 'fraud' },
        { name: 'churn', alertOverrides: { 'latency-p99': { threshold: 1 } } },
      ];

      assert.throws(
        () => parseEnvironment({ ...valid, models }),
        /models\.1\.alertOverrides: .*unknown default rule "latency-p99"; expected one of error-rate-warning, /,
      );
    });

    it('rejects an override with an invalid value, naming the rule and the field', () => {
      const models = [{ name: 'fraud', alertOverrides: { 'latency-p95-warning': { window: 'soon' } } }];

      assert.throws(
        () => parseEnvironment({ ...valid, models }),
        /models\.0\.alertOverrides: .*alert rule "fraud\/latency-p95-warning": window: expected a duration/,
      );
    });

    it('rejects an override of what a default rule measures', () => {
      const models = [{ name: 'fraud', alertOverrides: { 'latency-p95-warning': { metric: 'ttft_ms' } } }];

      assert.throws(
        () => parseEnvironment({ ...valid, models }),
        /models\.0\.alertOverrides: .*"metric" cannot be overridden/,
      );
    });
  });

  describe('alerting', () => {
    const costRule = {
      name: 'fraud-cost-high',
      aggregation: 'sum',
      metric: 'cost_usd',
      window: '1h',
      comparison: '>',
      threshold: 50,
      severity: 'warning',
    };

    it('defaults to the default rules, no custom rules and the default pipeline', () => {
      const { alerting } = parseEnvironment(valid);

      assert.equal(alerting.defaultRules, true);
      assert.deepEqual(alerting.rules, []);
      assert.deepEqual(alerting.pipeline, DEFAULT_PIPELINE_CONFIG);
    });

    it('validates custom rules with the alert rule schema, naming the rule and field', () => {
      const rules = [costRule, { ...costRule, name: 'other', threshold: 'high' }];

      assert.throws(
        () => parseEnvironment({ ...valid, alerting: { rules } }),
        /alerting\.rules\.1\.threshold: expected a finite number, got "high"/,
      );
    });

    it('rejects a custom rule that takes the name of a default rule, naming both', () => {
      const rules = [{ ...costRule, name: 'fraud/error-rate-warning' }];

      assert.throws(
        () => parseEnvironment({ ...valid, models: [{ name: 'fraud' }], alerting: { rules } }),
        /alerting\.rules\.0\.name: custom rule "fraud\/error-rate-warning" has the name of the default rule "error-rate-warning" of model "fraud"; expected another name, or models\.0\.alertOverrides\["error-rate-warning"\]/,
      );
    });

    it('accepts that name when default rules are off', () => {
      const rules = [{ ...costRule, name: 'fraud/error-rate-warning' }];

      const environment = parseEnvironment({
        ...valid,
        models: [{ name: 'fraud' }],
        alerting: { defaultRules: false, rules },
      });

      assert.equal(environment.alerting.rules[0]?.name, 'fraud/error-rate-warning');
    });

    it('rejects a custom rule name used twice', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, alerting: { rules: [costRule, costRule] } }),
        /alerting\.rules\.1\.name: custom rule "fraud-cost-high" is listed twice/,
      );
    });

    it('validates the pipeline config by path', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, alerting: { pipeline: { grouping: { waitMs: 'soon' } } } }),
        /alerting\.pipeline\.grouping\.waitMs: /,
      );
    });
  });

  describe('channels', () => {
    const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbCdEf';

    it('defaults to no channels and no secret keys', () => {
      const environment = parseEnvironment(valid);

      assert.deepEqual(environment.channels, []);
      assert.deepEqual(environment.channelSecretKeyArns, []);
    });

    it('validates channels with the channel schema, naming the channel and field', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, channels: [{ name: 'oncall', type: 'slack' }] }),
        /channels\.0: a slack channel needs secretArn/,
      );
    });

    it('rejects a secret key that is not a KMS key ARN, quoting it', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, channelSecretKeyArns: ['alias/vigil'] }),
        /channelSecretKeyArns\.0: got "alias\/vigil", expected a KMS key ARN/,
      );
    });

    it('finds nothing to refuse in channels that name their secrets, nor in a PagerDuty endpoint', () => {
      const environment = parseEnvironment({
        ...valid,
        channels: [
          { name: 'oncall', type: 'slack', secretArn: SLACK_SECRET },
          {
            name: 'pager',
            type: 'pagerduty',
            secretArn: SLACK_SECRET.replace('slack', 'pagerduty'),
            url: 'https://events.eu.pagerduty.com/v2/enqueue',
          },
        ],
      });

      assert.deepEqual(deploymentProblems(environment), []);
    });

    it('refuses to deploy a URL or routing key written in plain config, naming the channel', () => {
      const environment = parseEnvironment({
        ...valid,
        channels: [
          { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/vigil' },
          { name: 'pager', type: 'pagerduty', routingKey: 'R0UT1NGKEY' },
        ],
      });

      const problems = deploymentProblems(environment);

      assert.deepEqual(
        problems.map((problem) => problem.path),
        [
          ['channels', 0, 'url'],
          ['channels', 1, 'routingKey'],
        ],
      );
      assert.match(
        problems[0]?.message ?? '',
        /channel "hook" has its webhook URL in plain config; expected secretArn/,
      );
      assert.match(
        problems[1]?.message ?? '',
        /channel "pager" has its routing key in plain config; expected secretArn/,
      );
    });

    it('lets the local environment post to a URL in plain config', () => {
      const local = parseEnvironment({
        ...localEnvironment,
        channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9000/vigil' }],
      });

      assert.equal(local.channels[0]?.url, 'http://127.0.0.1:9000/vigil');
    });
  });

  describe('escalation', () => {
    const tier = { name: 'on-call', targets: ['severity-topic'], timeoutMs: '10m' };

    it('defaults to the seeded chains: p0 for critical, p1 for high, p2 for warning', () => {
      const { escalation } = parseEnvironment(valid);

      assert.deepEqual(escalation, DEFAULT_ESCALATION_CONFIG);
      assert.deepEqual(escalation.severityPolicies, { critical: 'p0', high: 'p1', warning: 'p2' });
      // p0: on-call 5 min, manager 15, director 30, CTO 60, as the seeds give it.
      assert.deepEqual(
        escalation.policies.p0?.tiers.map((each) => each.timeoutMs),
        [5, 15, 30, 60].map((minutes) => minutes * 60_000),
      );
    });

    it('reads tier timeouts written as durations in ms', () => {
      const { escalation } = parseEnvironment({
        ...valid,
        escalation: {
          policies: { team: { tiers: [tier], repeat: 2 } },
          severityPolicies: { critical: 'team' },
        },
      });

      assert.equal(escalation.policies.team?.tiers[0]?.timeoutMs, 600_000);
      assert.equal(escalation.policies.team?.repeat, 2);
    });

    it('accepts a tier that targets a configured channel', () => {
      const { escalation } = parseEnvironment({
        ...valid,
        channels: [{ name: 'oncall', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }],
        escalation: {
          policies: { team: { tiers: [{ ...tier, targets: ['oncall', 'severity-topic'] }] } },
          severityPolicies: { critical: 'team' },
        },
      });

      assert.deepEqual(escalation.policies.team?.tiers[0]?.targets, ['oncall', 'severity-topic']);
    });

    it('rejects a tier target that is not a channel, listing the channels', () => {
      assert.throws(
        () =>
          parseEnvironment({
            ...valid,
            channels: [{ name: 'oncall', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }],
            escalation: {
              policies: { team: { tiers: [{ ...tier, targets: ['severity-topic', 'on-call-slack'] }] } },
              severityPolicies: { critical: 'team' },
            },
          }),
        /escalation\.policies\.team\.tiers\.0\.targets\.1: got "on-call-slack", which is not a channel; expected "severity-topic", an SNS topic ARN or one of the channels \(oncall\)/,
      );
    });

    it('rejects a severity mapped to a policy that does not exist', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, escalation: { severityPolicies: { critical: 'p9' } } }),
        /escalation\.severityPolicies\.critical: no policy "p9"; the policies are p0, p1, p2/,
      );
    });

    it('rejects an unknown field, such as a misspelt mapping, listing the known ones', () => {
      assert.throws(
        () => parseEnvironment({ ...valid, escalation: { severityPolicy: { critical: 'p0' } } }),
        /escalation: got unknown field "severityPolicy"; expected fields among policies, severityPolicies/,
      );
    });

    it('validates tiers with the policy schema, by path', () => {
      assert.throws(
        () =>
          parseEnvironment({
            ...valid,
            escalation: {
              policies: { team: { tiers: [{ ...tier, timeoutMs: '1500ms' }] } },
              severityPolicies: {},
            },
          }),
        /escalation\.policies\.team\.tiers\.0\.timeoutMs: /,
      );
    });
  });

  describe('subscriptions', () => {
    const withSubscriptions = (subscriptions: unknown) => parseEnvironment({ ...valid, subscriptions });

    it('defaults to no endpoint on any severity topic', () => {
      assert.deepEqual(parseEnvironment(valid).subscriptions, {
        critical: [],
        high: [],
        warning: [],
        info: [],
      });
    });

    it('reads email and HTTPS endpoints with their filter policies', () => {
      const { subscriptions } = withSubscriptions({
        critical: [
          {
            protocol: 'email',
            endpoint: 'oncall@example.com',
            filterPolicy: { event: ['trigger', 'unacknowledged'], model: [{ prefix: 'fraud-' }] },
          },
          { protocol: 'https', endpoint: 'https://hooks.example.com/sns' },
        ],
      });

      assert.deepEqual(subscriptions.critical, [
        {
          protocol: 'email',
          endpoint: 'oncall@example.com',
          filterPolicy: { event: ['trigger', 'unacknowledged'], model: [{ prefix: 'fraud-' }] },
        },
        { protocol: 'https', endpoint: 'https://hooks.example.com/sns', rawMessageDelivery: false },
      ]);
      assert.deepEqual(subscriptions.info, []);
    });

    it('takes a filter on kind, so an address on the info topic can get the SLO report alone', () => {
      const { subscriptions } = withSubscriptions({
        info: [
          { protocol: 'email', endpoint: 'slo-owners@example.com', filterPolicy: { kind: ['slo-report'] } },
        ],
      });

      assert.deepEqual(subscriptions.info[0]?.filterPolicy, { kind: ['slo-report'] });
    });

    it('rejects a severity that does not exist, listing the ones that do', () => {
      assert.throws(
        () => withSubscriptions({ p0: [] }),
        /subscriptions: got unknown severity "p0"; expected severities among critical, high, warning, info/,
      );
    });

    it('rejects a protocol SNS subscriptions here do not offer', () => {
      assert.throws(
        () => withSubscriptions({ high: [{ protocol: 'sms', endpoint: '+15555550100' }] }),
        /subscriptions\.high\.0\.protocol: got "sms", expected "email" or "https"/,
      );
    });

    it('rejects a plain http URL and a URL with credentials', () => {
      assert.throws(
        () => withSubscriptions({ high: [{ protocol: 'https', endpoint: 'http://hooks.example.com/sns' }] }),
        /subscriptions\.high\.0\.endpoint: got "http:\/\/hooks\.example\.com\/sns", expected an https URL/,
      );
      assert.throws(
        () =>
          withSubscriptions({
            high: [{ protocol: 'https', endpoint: 'https://user:secret@hooks.example.com/sns' }],
          }),
        /subscriptions\.high\.0\.endpoint: must not carry credentials/,
      );
    });

    it('rejects an endpoint subscribed twice to one topic', () => {
      const subscription = { protocol: 'email', endpoint: 'oncall@example.com' };

      assert.throws(
        () => withSubscriptions({ critical: [subscription, subscription] }),
        /subscriptions\.critical\.1\.endpoint: oncall@example\.com is subscribed twice/,
      );
    });

    it('rejects a filter on an attribute notices do not carry, listing the ones they do', () => {
      const filterPolicy = { team: ['risk'] };

      assert.throws(
        () =>
          withSubscriptions({ warning: [{ protocol: 'email', endpoint: 'a@example.com', filterPolicy }] }),
        /subscriptions\.warning\.0\.filterPolicy\.team: got attribute "team", which notices do not carry; expected one of kind, event, severity, environment, incidentId, model, tier, channels/,
      );
    });

    it('rejects a condition that is neither a value nor one known operator', () => {
      const filterPolicy = { model: [{ startsWith: 'fraud' }] };

      assert.throws(
        () =>
          withSubscriptions({ warning: [{ protocol: 'email', endpoint: 'a@example.com', filterPolicy }] }),
        /subscriptions\.warning\.0\.filterPolicy\.model\.0: got \{"startsWith":"fraud"\}, expected a string, a number or one operator/,
      );
    });

    it('holds filter policies to the SNS limits: five attributes and 150 combinations', () => {
      // 6 attributes; and 4 x 4 x 10 = 160 combinations, where SNS allows 150.
      const sixAttributes = Object.fromEntries(
        ['kind', 'event', 'severity', 'environment', 'model', 'tier'].map((name) => [name, ['x']]),
      );
      const values = (count: number) => Array.from({ length: count }, (_, index) => `v${index}`);
      const tooManyCombinations = { event: values(4), model: values(4), tier: values(10) };

      assert.throws(
        () =>
          withSubscriptions({
            info: [{ protocol: 'email', endpoint: 'a@example.com', filterPolicy: sixAttributes }],
          }),
        /subscriptions\.info\.0\.filterPolicy: got 6 attributes, expected 1 to 5/,
      );
      assert.throws(
        () =>
          withSubscriptions({
            info: [{ protocol: 'email', endpoint: 'a@example.com', filterPolicy: tooManyCombinations }],
          }),
        /subscriptions\.info\.0\.filterPolicy: got 160 combinations of values, expected at most 150/,
      );
    });
  });
});
