import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRuntimeConfig } from '../../../lambdas/shared/runtime-config.js';

const minimal = {
  environment: 'dev',
  metricStore: 'timestream',
  maxTimestampAgeMs: 86_400_000,
  metricNamespace: 'Vigil/dev',
};

describe('parseRuntimeConfig alerting', () => {
  it('reads a config written before alerting existed as no rules, no models and the default pipeline', () => {
    const config = parseRuntimeConfig(minimal, 'vigil-config.json');

    assert.deepEqual(config.alerting, { rules: [], models: [] });
  });

  it('passes rules and pipeline config through untouched, for the alerts context to read', () => {
    const rules = [{ name: 'fraud/error-rate-warning', anything: ['the alerts context checks it'] }];
    const pipeline = { grouping: { waitMs: 30_000 } };

    const config = parseRuntimeConfig(
      { ...minimal, alerting: { rules, pipeline, models: ['fraud'] } },
      'vigil-config.json',
    );

    assert.deepEqual(config.alerting, { rules, pipeline, models: ['fraud'] });
  });

  it('names the field when the alerting slice has the wrong shape', () => {
    assert.throws(
      () => parseRuntimeConfig({ ...minimal, alerting: { rules: {}, models: 'fraud' } }, 'vigil-config.json'),
      /invalid runtime config in vigil-config\.json: alerting\.rules: .*; alerting\.models: /,
    );
  });
});
