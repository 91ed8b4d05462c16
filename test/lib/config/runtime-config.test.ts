import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRuntimeConfig } from '../../../lambdas/shared/runtime-config.js';
import { loadEnvironment, loadLocalEnvironment } from '../../../lib/config/load-environment.js';
import { toRuntimeConfig } from '../../../lib/config/runtime-config.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('toRuntimeConfig', () => {
  it('derives the Lambdas config slice from a Timestream environment', () => {
    const runtimeConfig = toRuntimeConfig(loadEnvironment('dev'));

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
