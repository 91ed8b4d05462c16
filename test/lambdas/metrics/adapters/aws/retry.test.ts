import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffDelayMs,
  isTransientAwsError,
  withRetries,
} from '../../../../../lambdas/metrics/adapters/aws/retry.js';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 };
const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('backoffDelayMs', () => {
  it('draws uniformly below min(maxDelayMs, baseDelayMs * 2^retry): "full jitter"', () => {
    // Reference: AWS Architecture Blog, "Exponential Backoff And Jitter": sleep = random(0, min(cap, base * 2^attempt)).
    assert.deepEqual(
      [0, 1, 2, 3].map((retry) => backoffDelayMs(retry, policy, () => 0.5)),
      [50, 100, 150, 150],
    );
    assert.equal(
      backoffDelayMs(1, policy, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(1, policy, () => 0.999),
      199,
    );
  });
});

describe('isTransientAwsError', () => {
  for (const [error, transient] of [
    [named('ThrottlingException'), true],
    [named('Throttling'), true],
    [named('InternalServerException'), true],
    [named('ServiceUnavailable'), true],
    [named('TimeoutError'), true],
    [named('AbortError'), true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [named('SomethingNew', { $metadata: { httpStatusCode: 503 } }), true],
    [named('SomethingNew', { $retryable: { throttling: true } }), true],
    [named('ValidationException', { $metadata: { httpStatusCode: 400 } }), false],
    [named('AccessDeniedException', { $metadata: { httpStatusCode: 403 } }), false],
    [named('RejectedRecordsException', { $metadata: { httpStatusCode: 419 } }), false],
    ['not an error', false],
  ] as const) {
    it(`${transient ? 'retries' : 'does not retry'} ${typeof error === 'string' ? error : error.name}`, () => {
      assert.equal(isTransientAwsError(error), transient);
    });
  }
});

describe('withRetries', () => {
  it('retries transient failures with backoff until the operation succeeds', async () => {
    // Prepare
    const delays: number[] = [];
    let attempts = 0;
    const operation = async () => {
      attempts += 1;
      if (attempts < 3) throw named('ThrottlingException');
      return 'done';
    };

    // Act
    const result = await withRetries(operation, {
      backoff: policy,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
    });

    // Assess
    assert.equal(result, 'done');
    assert.equal(attempts, 3);
    assert.deepEqual(delays, [50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let attempts = 0;
    await assert.rejects(
      withRetries(
        async () => {
          attempts += 1;
          throw named('TimeoutError');
        },
        { backoff: policy, sleep: async () => {} },
      ),
      { name: 'TimeoutError' },
    );
    assert.equal(attempts, 4);
  });

  it('does not retry a client error', async () => {
    let attempts = 0;
    await assert.rejects(
      withRetries(
        async () => {
          attempts += 1;
          throw named('ValidationException');
        },
        { backoff: policy, sleep: async () => {} },
      ),
      { name: 'ValidationException' },
    );
    assert.equal(attempts, 1);
  });
});
