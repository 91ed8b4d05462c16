import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FetchHttpPoster,
  type FetchHttpPosterOptions,
  isRetryableStatus,
  retryAfterMs,
} from '../../../../../lambdas/notifications/adapters/http/fetch-http-poster.js';
import {
  type LoopbackReceiver,
  recordingSleep,
  type ScriptedAnswer,
  startLoopbackReceiver,
} from '../../support/loopback-receiver.js';

const NOW = Date.parse('2026-03-10T14:07:00Z');

/*
 * Reference: PagerDuty Events API v2, "Response Codes & Retry Logic": 202 accepted (no retry), 400 (no
 * retry), 429 and 5xx and network errors (retry after some time). Slack's rate limits: 429 with a
 * Retry-After header "containing the number of seconds until you can retry". RFC 9110 §10.2.3:
 * Retry-After = HTTP-date / delay-seconds.
 */
describe('retryAfterMs', () => {
  const cases: Array<[string | null, number | undefined]> = [
    ['30', 30_000],
    ['0', 0],
    [' 7 ', 7_000],
    [new Date(NOW + 12_000).toUTCString(), 12_000],
    [new Date(NOW - 5_000).toUTCString(), 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ];
  for (const [header, expected] of cases) {
    it(`reads ${JSON.stringify(header)} as ${expected} ms`, () => {
      assert.equal(retryAfterMs(header, NOW), expected);
    });
  }

  it('counts 429 and 5xx as worth retrying, other statuses not', () => {
    assert.deepEqual([200, 202, 400, 403, 404, 410, 413, 429, 500, 502, 503, 504].map(isRetryableStatus), [
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('FetchHttpPoster against a loopback receiver', () => {
  let receiver: LoopbackReceiver;
  const scripts = new Map<string, (n: number) => ScriptedAnswer>();

  before(async () => {
    receiver = await startLoopbackReceiver((request, n) => scripts.get(request.path)?.(n) ?? { status: 404 });
  });
  after(async () => {
    await receiver.close();
  });

  function poster(overrides: FetchHttpPosterOptions = {}) {
    const recorded = recordingSleep();
    const instance = new FetchHttpPoster({
      sleep: recorded.sleep,
      random: () => 0.5,
      now: () => NOW,
      backoff: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 },
      ...overrides,
    });
    return { poster: instance, waits: recorded.waits };
  }

  it('retries 503 with exponential backoff and jitter, then succeeds', async () => {
    // Prepare
    scripts.set('/retry-503', (n) =>
      n < 2 ? { status: 503, body: 'unavailable' } : { status: 202, body: '{"status":"success"}' },
    );
    const { poster: subject, waits } = poster();

    // Act
    const result = await subject.post({ url: receiver.url('/retry-503'), body: '{"hello":"world"}' });

    // Assess
    assert.deepEqual(result, { ok: true, status: 202, attempts: 3 });
    // Full jitter at random 0.5: half of 1 s, then half of 2 s.
    assert.deepEqual(waits, [500, 1_000]);
    const requests = receiver.requestsTo('/retry-503');
    assert.equal(requests.length, 3);
    for (const request of requests) {
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.body, '{"hello":"world"}');
    }
  });

  it('waits what Retry-After asks for on 429, in seconds or as a date', async () => {
    // Prepare
    scripts.set('/retry-after-seconds', (n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 },
    );
    scripts.set('/retry-after-date', (n) =>
      n === 0
        ? { status: 429, headers: { 'retry-after': new Date(NOW + 3_000).toUTCString() } }
        : { status: 200 },
    );
    const { poster: subject, waits } = poster();

    // Act
    const inSeconds = await subject.post({ url: receiver.url('/retry-after-seconds'), body: '{}' });
    const asDate = await subject.post({ url: receiver.url('/retry-after-date'), body: '{}' });

    // Assess
    assert.deepEqual(
      [inSeconds, asDate],
      [
        { ok: true, status: 200, attempts: 2 },
        { ok: true, status: 200, attempts: 2 },
      ],
    );
    assert.deepEqual(waits, [7_000, 3_000]);
  });

  it('does not retry a 400, and reports the receiver’s answer', async () => {
    // Prepare
    scripts.set('/bad-request', () => ({ status: 400, body: 'invalid_payload' }));
    const { poster: subject, waits } = poster();

    // Act
    const result = await subject.post({ url: receiver.url('/bad-request'), body: '{}' });

    // Assess
    assert.deepEqual(result, {
      ok: false,
      status: 400,
      attempts: 1,
      reason: 'the receiver answered 400 (invalid_payload)',
      retryable: false,
    });
    assert.equal(receiver.requestsTo('/bad-request').length, 1);
    assert.deepEqual(waits, []);
  });

  it('gives up after the last attempt, as retryable', async () => {
    scripts.set('/always-500', () => ({ status: 500 }));
    const { poster: subject, waits } = poster();
    const result = await subject.post({ url: receiver.url('/always-500'), body: '{}' });
    assert.equal(result.ok, false);
    assert.ok(
      !result.ok &&
        result.retryable &&
        result.attempts === 4 &&
        /gave up after 4 attempts/.test(result.reason),
    );
    assert.equal(receiver.requestsTo('/always-500').length, 4);
    assert.deepEqual(waits, [500, 1_000, 2_000]);
  });

  it('leaves a long Retry-After to a later delivery instead of waiting', async () => {
    scripts.set('/retry-after-long', () => ({ status: 429, headers: { 'retry-after': '120' } }));
    const { poster: subject, waits } = poster({ maxRetryAfterMs: 30_000 });
    const result = await subject.post({ url: receiver.url('/retry-after-long'), body: '{}' });
    assert.ok(
      !result.ok && result.retryable && result.status === 429 && /retry after 120 s/.test(result.reason),
    );
    assert.deepEqual(waits, []);
  });

  it('starts no retry that would end past the deadline', async () => {
    scripts.set('/deadline', () => ({ status: 503 }));
    const { poster: subject, waits } = poster();
    const result = await subject.post({ url: receiver.url('/deadline'), body: '{}', deadline: NOW + 400 });
    assert.ok(!result.ok && result.attempts === 1 && /before the deadline/.test(result.reason));
    assert.deepEqual(waits, []);
  });

  it('retries a dropped connection', async () => {
    scripts.set('/hang-up', (n) => (n === 0 ? 'hang-up' : { status: 200 }));
    const { poster: subject, waits } = poster();
    const result = await subject.post({ url: receiver.url('/hang-up'), body: '{}' });
    assert.deepEqual(result, { ok: true, status: 200, attempts: 2 });
    assert.deepEqual(waits, [500]);
  });

  it('gives up on an attempt that gets no answer within the timeout', async () => {
    scripts.set('/silent', () => 'hold');
    const { poster: subject } = poster({
      timeoutMs: 50,
      backoff: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const result = await subject.post({ url: receiver.url('/silent'), body: '{}' });
    assert.ok(!result.ok && result.retryable && result.status === undefined);
    assert.match(!result.ok ? result.reason : '', /^no answer within 50 ms/);
  });

  it('sends the extra headers it is given', async () => {
    scripts.set('/headers', () => ({ status: 204 }));
    const { poster: subject } = poster();
    await subject.post({
      url: receiver.url('/headers'),
      body: '{}',
      headers: { 'idempotency-key': 'msg-1' },
    });
    assert.equal(receiver.requestsTo('/headers')[0]?.headers['idempotency-key'], 'msg-1');
  });
});
