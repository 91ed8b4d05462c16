import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dailyIndexName,
  domainIndexTemplates,
  EVENT_INDEX_KINDS,
  INDEX_MAPPINGS,
  indexPattern,
  indicesForRange,
  ismPolicies,
  serverlessIndexTemplates,
  serverlessLifecyclePolicy,
} from '../../../../../lambdas/events/adapters/aws/opensearch-schema.js';

const HOUR = 3_600_000;

describe('index names', () => {
  it('names the daily index of a record by its UTC day', () => {
    // Reference: the UTC calendar dates of these instants.
    const cases: Array<[string, number, string]> = [
      ['logs', Date.UTC(2026, 2, 10, 23, 59, 59, 999), 'vigil-logs-2026.03.10'],
      ['logs', Date.UTC(2026, 2, 11), 'vigil-logs-2026.03.11'],
      ['spans', Date.UTC(2024, 1, 29, 12), 'vigil-spans-2024.02.29'],
      ['predictions', Date.UTC(1999, 11, 31, 23, 59, 59, 999.9), 'vigil-predictions-1999.12.31'],
      ['audit', 0, 'vigil-audit-1970.01.01'],
      ['logs', -1, 'vigil-logs-1969.12.31'],
    ];
    for (const [kind, epochMs, expected] of cases)
      assert.equal(dailyIndexName(kind as 'logs', epochMs), expected, `${kind} at ${epochMs}`);
  });

  it('lists the days a range touches, end excluded, and falls back to the pattern for long ranges', () => {
    const midnight = Date.UTC(2026, 2, 11);
    assert.deepEqual(indicesForRange('logs', midnight - HOUR, midnight), ['vigil-logs-2026.03.10']);
    assert.deepEqual(indicesForRange('logs', midnight - HOUR, midnight + 1), [
      'vigil-logs-2026.03.10',
      'vigil-logs-2026.03.11',
    ]);
    assert.equal(indicesForRange('logs', midnight - 24 * HOUR * 31, midnight).length, 31);
    assert.deepEqual(indicesForRange('logs', midnight - 24 * HOUR * 32, midnight), ['vigil-logs-*']);
    assert.deepEqual(indicesForRange('spans', midnight, midnight), ['vigil-spans-*']);
  });
});

describe('index templates', () => {
  it('maps the fields every search and aggregation relies on, with an explicit type each', () => {
    // JSON.parse: the mappings as OpenSearch receives them, read field by field.
    const logs = JSON.parse(JSON.stringify(INDEX_MAPPINGS.logs));
    assert.equal(logs.dynamic, false);
    assert.deepEqual(logs.properties.timestamp, { type: 'date', format: 'epoch_millis' });
    for (const field of ['level', 'service', 'model', 'traceId', 'spanId', 'logId'])
      assert.deepEqual(logs.properties[field], { type: 'keyword' }, field);
    assert.deepEqual(logs.properties.pattern.properties.fingerprint, { type: 'keyword' });
    assert.deepEqual(logs.properties.message, {
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 256 } },
    });
    assert.deepEqual(logs.properties.attributes, { type: 'object', enabled: false });
    const spans = JSON.parse(JSON.stringify(INDEX_MAPPINGS.spans));
    for (const field of ['traceId', 'spanId', 'parentSpanId'])
      assert.deepEqual(spans.properties[field], { type: 'keyword' }, field);
    assert.deepEqual(spans.properties.events, { type: 'object', enabled: false });
  });

  it('gives a domain one template per kind with shards and replicas, the audit one compressed', () => {
    const templates = domainIndexTemplates({ replicas: 0 });
    assert.deepEqual(
      templates.map((t) => [t.name, t.body.index_patterns]),
      EVENT_INDEX_KINDS.map((kind) => [`vigil-${kind}`, [`vigil-${kind}-*`]]),
    );
    const logs = templates.find((t) => t.name === 'vigil-logs')!;
    assert.equal(logs.body.template.settings?.number_of_shards, 1);
    assert.equal(logs.body.template.settings?.number_of_replicas, 0);
    assert.equal(logs.body.template.settings?.codec, undefined);
    assert.equal(
      templates.find((t) => t.name === 'vigil-audit')!.body.template.settings?.codec,
      'best_compression',
    );
    assert.throws(
      () => domainIndexTemplates({ replicas: -1 }),
      /replicas must be a whole number of at least 0, got -1/,
    );
  });

  it('gives Serverless the same mappings without the settings it manages itself', () => {
    const templates = serverlessIndexTemplates();
    for (const template of templates) {
      assert.equal(template.body.template.settings, undefined);
      assert.equal(
        template.body.template.mappings,
        INDEX_MAPPINGS[template.name.slice('vigil-'.length) as 'logs'],
      );
    }
    assert.equal(indexPattern('audit'), 'vigil-audit-*');
    assert.deepEqual(serverlessIndexTemplates({ nextGenTimeSeries: true })[0]!.body.template.settings, {
      'index.timestamp_field': 'timestamp',
    });
  });
});

describe('retention', () => {
  it('deletes operational indices after 90 days and audit indices after 365, hot then delete', () => {
    const [operational, audit] = ismPolicies();
    assert.deepEqual(operational!.body.policy, {
      description: 'Vigil: deletes log, span and prediction indices 90 days after they were created',
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: '90d' } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [
        { index_patterns: ['vigil-logs-*', 'vigil-spans-*', 'vigil-predictions-*'], priority: 100 },
      ],
    });
    const auditPolicy = JSON.parse(JSON.stringify(audit!.body.policy));
    assert.deepEqual(auditPolicy.states[0].transitions[0].conditions, { min_index_age: '365d' });
    assert.deepEqual(auditPolicy.ism_template[0].index_patterns, ['vigil-audit-*']);
  });

  it('takes configured retention and refuses less than a day', () => {
    const [operational] = ismPolicies({ operationalRetentionDays: 30 });
    assert.match(JSON.stringify(operational), /"min_index_age":"30d"/);
    assert.throws(
      () => ismPolicies({ auditRetentionDays: 0 }),
      /auditRetentionDays must be a whole number of at least 1, got 0/,
    );
  });

  it('writes Serverless retention as a lifecycle policy on the collection indices', () => {
    assert.deepEqual(serverlessLifecyclePolicy('vigil-prod', { operationalRetentionDays: 30 }), {
      Rules: [
        {
          ResourceType: 'index',
          Resource: [
            'index/vigil-prod/vigil-logs-*',
            'index/vigil-prod/vigil-spans-*',
            'index/vigil-prod/vigil-predictions-*',
          ],
          MinIndexRetention: '30d',
        },
        { ResourceType: 'index', Resource: ['index/vigil-prod/vigil-audit-*'], MinIndexRetention: '365d' },
      ],
    });
  });
});
