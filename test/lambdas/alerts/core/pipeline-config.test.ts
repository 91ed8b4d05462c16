import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_PIPELINE_CONFIG,
  parsePipelineConfig,
} from '../../../../lambdas/alerts/core/pipeline-config.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

describe('parsePipelineConfig', () => {
  it('defaults everything', () => {
    assert.deepEqual(parsePipelineConfig(undefined), DEFAULT_PIPELINE_CONFIG);
    assert.deepEqual(parsePipelineConfig({}), DEFAULT_PIPELINE_CONFIG);
  });

  it('reads durations as text and keeps what is given', () => {
    const config = parsePipelineConfig({
      grouping: { by: ['alertname'], waitMs: '1m' },
      fatigue: { maxNotificationsPerHour: 3 },
      correlation: { minAlertsToOpen: 2, quietPeriodMs: '30m', related: [['checkout', 'fraud-detector']] },
      inhibitRules: [
        {
          sourceMatchers: [{ name: 'alertname', operator: '=', value: 'ModelDown' }],
          targetMatchers: [{ name: 'severity', operator: '=~', value: 'warning|info' }],
          equal: ['model'],
        },
      ],
    });

    assert.equal(config.grouping.waitMs, 60_000);
    assert.equal(config.grouping.intervalMs, DEFAULT_PIPELINE_CONFIG.grouping.intervalMs);
    assert.equal(config.fatigue.maxNotificationsPerHour, 3);
    assert.equal(config.fatigue.maxDigestEntries, DEFAULT_PIPELINE_CONFIG.fatigue.maxDigestEntries);
    assert.equal(config.correlation.quietPeriodMs, 30 * 60_000);
    assert.deepEqual(config.correlation.labels, ['model', 'service']);
    assert.equal(config.inhibitRules.length, 1);
  });

  const invalid = [
    { config: { grouping: { waitMs: 'soon' } }, message: /grouping\.waitMs: duration must look like 60s/ },
    { config: { fatigue: { maxNotificationsPerHour: 0 } }, message: /fatigue\.maxNotificationsPerHour:/ },
    {
      config: { inhibitRules: [{ sourceMatchers: [], targetMatchers: [] }] },
      message: /inhibitRules\[0\]\.sourceMatchers: must have at least one matcher/,
    },
    {
      config: { correlation: { related: [['only-one']] } },
      message: /correlation\.related\[0\]: must relate at least two values/,
    },
  ];
  for (const { config, message } of invalid) {
    it(`refuses ${JSON.stringify(config)}, naming the field`, () => {
      assert.throws(
        () => parsePipelineConfig(config),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});
