import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelsFromRuntimeConfig } from '../../../../../lambdas/notifications/adapters/aws/formatter-dependencies.js';
import { parseRuntimeConfig } from '../../../../../lambdas/shared/runtime-config.js';

/** A runtime config as the bundled file holds it, with the given channels. */
function runtimeConfigWith(channels?: unknown) {
  return parseRuntimeConfig(
    {
      environment: 'dev',
      metricStore: 'timestream',
      maxTimestampAgeMs: 86_400_000,
      metricNamespace: 'Vigil/dev',
      ...(channels === undefined ? {} : { channels }),
    },
    'vigil-config.json',
  );
}

describe('channelsFromRuntimeConfig', () => {
  it('reads the channels of the runtime config, and none when it has none', () => {
    // Prepare
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/oncall-slack';
    const channels = [{ name: 'oncall', type: 'slack', secretArn, filter: { severities: ['critical'] } }];

    // Act
    const read = channelsFromRuntimeConfig(runtimeConfigWith(channels));

    // Assess
    assert.deepEqual(read, [
      { name: 'oncall', type: 'slack', secretArn, filter: { severities: ['critical'] } },
    ]);
    assert.deepEqual(channelsFromRuntimeConfig(runtimeConfigWith()), []);
  });

  it('fails with a message that names the runtime config and the problem', () => {
    assert.throws(
      () => channelsFromRuntimeConfig(runtimeConfigWith([{ name: 's', type: 'slack' }])),
      /invalid channels in the runtime config: .*slack channel needs secretArn/,
    );
  });
});
