import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type SecretsManagerReader,
  SecretsManagerSecretSource,
} from '../../../../../lambdas/notifications/adapters/aws/secrets-manager-secret-source.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbCdEf';
const OTHER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pagerduty-AbCdEf';

/** A Secrets Manager stand-in answering GetSecretValue as the API does (SecretString or SecretBinary). */
function fakeSecretsManager(
  answer: (secretId: string, call: number) => Promise<{ SecretString?: string; SecretBinary?: Uint8Array }>,
) {
  const calls: string[] = [];
  const client: SecretsManagerReader = {
    getSecretValue: async ({ SecretId }) => {
      calls.push(SecretId);
      return answer(SecretId, calls.length);
    },
  };
  return { client, calls };
}

describe('SecretsManagerSecretSource', () => {
  it('reads each secret once, sharing a read that is under way', async () => {
    // Prepare
    const { client, calls } = fakeSecretsManager(async (id) => ({ SecretString: `value of ${id}` }));
    const source = new SecretsManagerSecretSource({ client, now: () => 0 });

    // Act
    const values = await Promise.all([
      source.secretValue(ARN),
      source.secretValue(ARN),
      source.secretValue(OTHER),
    ]);
    const later = await source.secretValue(ARN);

    // Assess
    assert.deepEqual(values, [`value of ${ARN}`, `value of ${ARN}`, `value of ${OTHER}`]);
    assert.equal(later, `value of ${ARN}`);
    assert.deepEqual(calls, [ARN, OTHER]);
  });

  it('reads a secret again once it is older than maxAge, so a rotation takes effect', async () => {
    let now = 0;
    const { client, calls } = fakeSecretsManager(async (_id, call) => ({ SecretString: `v${call}` }));
    const source = new SecretsManagerSecretSource({ client, maxAgeMs: 60_000, now: () => now });
    assert.equal(await source.secretValue(ARN), 'v1');
    now = 59_999;
    assert.equal(await source.secretValue(ARN), 'v1');
    now = 60_000;
    assert.equal(await source.secretValue(ARN), 'v2');
    assert.equal(calls.length, 2);
  });

  it('keeps no failed read, so the next delivery tries again', async () => {
    const { client, calls } = fakeSecretsManager(async (_id, call) => {
      if (call === 1) throw new Error('ThrottlingException: Rate exceeded');
      return { SecretString: 'https://hooks.slack.com/services/T/B/X' };
    });
    const source = new SecretsManagerSecretSource({ client, now: () => 0 });
    await assert.rejects(source.secretValue(ARN), /ThrottlingException/);
    assert.equal(await source.secretValue(ARN), 'https://hooks.slack.com/services/T/B/X');
    assert.equal(calls.length, 2);
  });

  it('decodes a binary secret as UTF-8, and fails on a secret without a value', async () => {
    const { client } = fakeSecretsManager(async (id) =>
      id === ARN ? { SecretBinary: new TextEncoder().encode('R0UTINGKEY') } : {},
    );
    const source = new SecretsManagerSecretSource({ client, now: () => 0 });
    assert.equal(await source.secretValue(ARN), 'R0UTINGKEY');
    await assert.rejects(source.secretValue(OTHER), /has neither a string nor a binary value/);
  });
});
