import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FatigueOptions,
  type FatigueWindow,
  guardNotification,
  nextDigestAt,
  type SuppressedNotification,
  takeDigest,
} from '../../../../lambdas/alerts/core/fatigue.js';

const T0 = Date.parse('2026-03-10T14:00:00Z');
const MINUTE = 60_000;
const options: FatigueOptions = { maxNotificationsPerHour: 2, maxDigestEntries: 50 };

const notification = (at: number, groupKey = 'g1'): SuppressedNotification => ({
  at,
  groupKey,
  reason: 'first',
  alerts: [{ fingerprint: `fp-${at}`, name: 'HighErrorRate', status: 'firing' }],
});

/** Offers notifications at these minutes after T0 and records what the guard let out. */
function offer(minutes: number[], start?: FatigueWindow) {
  let window = start;
  const out: Array<{ minute: number; admitted: boolean; digestOf?: number }> = [];
  for (const minute of minutes) {
    const at = T0 + minute * MINUTE;
    const decision = guardNotification(window, 'HighErrorRate', notification(at), at, options);
    window = decision.window;
    out.push({ minute, admitted: decision.admitted, digestOf: decision.digest?.suppressed.length });
  }
  return { out, window: window! };
}

describe('guardNotification', () => {
  it('lets N notifications per rule through in an hour and holds back the rest', () => {
    const { out, window } = offer([0, 1, 2, 3]);

    assert.deepEqual(
      out.map(({ admitted }) => admitted),
      [true, true, false, false],
    );
    assert.deepEqual(
      window.suppressed.map((entry) => entry.at),
      [T0 + 2 * MINUTE, T0 + 3 * MINUTE],
    );
  });

  it('admits again once the rolling hour has room and nothing is held back', () => {
    const { out } = offer([0, 1, 61]);

    assert.deepEqual(
      out.map(({ admitted }) => admitted),
      [true, true, true],
    );
  });

  it('counts a rolling hour: a slot frees when the oldest send is an hour old, and the digest takes it first', () => {
    const { out } = offer([0, 1, 2, 59, 60, 61]);

    assert.deepEqual(out, [
      { minute: 0, admitted: true, digestOf: undefined },
      { minute: 1, admitted: true, digestOf: undefined },
      { minute: 2, admitted: false, digestOf: undefined },
      { minute: 59, admitted: false, digestOf: undefined },
      // 60: the send at 0 has aged out; the digest of the two held back goes, and takes that slot.
      { minute: 60, admitted: false, digestOf: 2 },
      // 61: the send at 1 has aged out; the one held back at 60 goes first, in a digest.
      { minute: 61, admitted: false, digestOf: 1 },
    ]);
  });

  it('never sends more than N in any hour, digests included', () => {
    const minutes = Array.from({ length: 240 }, (_, minute) => minute);
    let window: FatigueWindow | undefined;
    const sends: number[] = [];
    for (const minute of minutes) {
      const at = T0 + minute * MINUTE;
      const decision = guardNotification(window, 'HighErrorRate', notification(at), at, options);
      window = decision.window;
      if (decision.digest) sends.push(at);
      if (decision.admitted) sends.push(at);
    }

    for (const at of sends) {
      const inHour = sends.filter((other) => other >= at && other < at + 60 * MINUTE);
      assert.ok(
        inHour.length <= options.maxNotificationsPerHour,
        `${inHour.length} sends in the hour from ${at}`,
      );
    }
    assert.equal(sends.length, 8);
  });

  it('lists at most maxDigestEntries and counts the rest', () => {
    const small: FatigueOptions = { maxNotificationsPerHour: 1, maxDigestEntries: 2 };
    let window: FatigueWindow | undefined;
    for (const minute of [0, 1, 2, 3, 4]) {
      const at = T0 + minute * MINUTE;
      window = guardNotification(window, 'r', notification(at), at, small).window;
    }

    const { digest } = takeDigest(window!, T0 + 60 * MINUTE, small);

    assert.equal(digest?.suppressed.length, 2);
    assert.equal(digest?.omitted, 2);
  });
});

describe('takeDigest and nextDigestAt', () => {
  it('holds the digest until a slot frees, then sends it once', () => {
    const { window } = offer([0, 1, 2]);

    assert.equal(nextDigestAt(window, options, T0 + 2 * MINUTE), T0 + 60 * MINUTE);
    assert.equal(takeDigest(window, T0 + 59 * MINUTE, options).digest, undefined);
    const taken = takeDigest(window, T0 + 60 * MINUTE, options);
    assert.deepEqual(taken.digest?.suppressed, [notification(T0 + 2 * MINUTE)]);
    assert.equal(takeDigest(taken.window, T0 + 61 * MINUTE, options).digest, undefined);
    assert.equal(nextDigestAt(taken.window, options, T0 + 61 * MINUTE), undefined);
  });
});
