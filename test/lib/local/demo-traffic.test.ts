import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTraffic, type TrafficProfile } from '../../../lib/local/demo-traffic.js';
import { seededRandom } from '../../../lib/local/seeded-random.js';

const MINUTE = 60_000;
const T = Date.UTC(2026, 11, 4, 12, 0, 0);
const profile: TrafficProfile = { model: 'm', perMinute: 30, latencyMs: [40, 90], confidence: 0.8 };

describe('demoTraffic', () => {
  it('spaces predictions evenly at the profile rate over [from, to)', () => {
    const predictions = demoTraffic(profile, T, T + 10 * MINUTE);
    assert.equal(predictions.length, 300);
    assert.equal(predictions[0]?.timestamp, T);
    assert.equal(predictions[1]?.timestamp, T + 2000);
    assert.ok(predictions.every((p) => p.timestamp < T + 10 * MINUTE));
    assert.ok(predictions.every((p) => p.latencyMs >= 40 && p.latencyMs <= 90 && p.status === 'ok'));
  });

  it('fails the burst rate of the predictions in every minute of the burst, and none outside it', () => {
    // Prepare: 40 % of 30 a minute is 12 failures in each minute of the burst.
    const burst = { kind: 'errors', from: T + 5 * MINUTE, to: T + 8 * MINUTE, rate: 0.4 } as const;

    // Act
    const predictions = demoTraffic(profile, T, T + 10 * MINUTE, [burst]);

    // Assess
    const failuresInMinute = (minute: number) =>
      predictions.filter(
        (p) =>
          p.status === 'error' &&
          p.timestamp >= T + minute * MINUTE &&
          p.timestamp < T + (minute + 1) * MINUTE,
      ).length;
    assert.deepEqual(
      Array.from({ length: 10 }, (_, minute) => failuresInMinute(minute)),
      [0, 0, 0, 0, 0, 12, 12, 12, 0, 0],
    );
    assert.ok(
      predictions.filter((p) => p.status === 'error').every((p) => p.errorType === 'upstream_timeout'),
    );
  });

  it('multiplies latencies inside a regression only, and repeats itself for the same seed', () => {
    const regression = { kind: 'latency', from: T + MINUTE, to: T + 2 * MINUTE, factor: 4 } as const;
    const healthy = demoTraffic(profile, T, T + 3 * MINUTE, [], 7);
    const slow = demoTraffic(profile, T, T + 3 * MINUTE, [regression], 7);
    for (const [index, prediction] of slow.entries()) {
      const base = healthy[index]!;
      const inside = prediction.timestamp >= T + MINUTE && prediction.timestamp < T + 2 * MINUTE;
      // Both round the same unrounded latency: the slow one within rounding of four times the healthy one.
      assert.ok(
        inside
          ? Math.abs(prediction.latencyMs - base.latencyMs * 4) <= 2
          : prediction.latencyMs === base.latencyMs,
        `${index}: ${prediction.latencyMs} vs ${base.latencyMs}`,
      );
    }
    assert.deepEqual(demoTraffic(profile, T, T + MINUTE, [], 7), demoTraffic(profile, T, T + MINUTE, [], 7));
    assert.notDeepEqual(
      demoTraffic(profile, T, T + MINUTE, [], 7),
      demoTraffic(profile, T, T + MINUTE, [], 8),
    );
  });

  it('prices tokens at the profile rate', () => {
    const llm: TrafficProfile = { ...profile, tokens: { input: 600, output: 250, usdPerThousand: 0.002 } };
    for (const p of demoTraffic(llm, T, T + MINUTE)) {
      const expected = (((p.inputTokens ?? 0) + (p.outputTokens ?? 0)) / 1000) * 0.002;
      assert.ok(Math.abs((p.costUsd ?? 0) - expected) < 1e-6);
    }
  });

  it('refuses a rate that would never end', () => {
    assert.throws(
      () => demoTraffic({ ...profile, perMinute: 0 }, T, T + MINUTE),
      /perMinute must be above 0, got 0/,
    );
  });
});

describe('seededRandom', () => {
  it('gives numbers in [0, 1) spread over the interval', () => {
    const random = seededRandom(42);
    const values = Array.from({ length: 10_000 }, random);
    assert.ok(values.every((value) => value >= 0 && value < 1));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    // The mean of 10,000 uniform draws lies within 0.5 ± 0.01 (about 3.5 standard errors of 0.0029).
    assert.ok(Math.abs(mean - 0.5) < 0.01, String(mean));
  });
});
