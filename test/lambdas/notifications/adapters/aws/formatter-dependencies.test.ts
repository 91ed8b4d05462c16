import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelsFromEnvironment } from '../../../../../lambdas/notifications/adapters/aws/formatter-dependencies.js';

describe('channelsFromEnvironment', () => {
  it('reads the channels of VIGIL_CHANNELS, and none when it is unset', () => {
    assert.deepEqual(channelsFromEnvironment(undefined), []);
    assert.deepEqual(
      channelsFromEnvironment('[{"name":"hook","type":"webhook","url":"https://hooks.example.com/vigil"}]'),
      [{ name: 'hook', type: 'webhook', url: 'https://hooks.example.com/vigil' }],
    );
  });

  it('fails with a message that names the variable', () => {
    assert.throws(() => channelsFromEnvironment('[{'), /^Error: VIGIL_CHANNELS is not JSON/);
    assert.throws(
      () => channelsFromEnvironment('[{"name":"s","type":"slack"}]'),
      /invalid channels in VIGIL_CHANNELS: .*slack channel needs secretArn/,
    );
  });
});
