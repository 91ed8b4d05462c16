import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BucketSliCounts,
  readWindowCounts,
  type SliBucket,
  sloCountWindows,
} from '../../../../lambdas/slos/core/sli-windows.js';
import { parseSlo } from '../../../../lambdas/slos/core/slo.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

const slo = parseSlo({ name: 'a', model: 'fraud', sli: { kind: 'availability' }, objective: 0.999 });

describe('sloCountWindows', () => {
  it('lists each distinct window once, longest first, ending at the start of the evaluation minute', () => {
    const at = T0 + 5 * MINUTE + 42_000;

    const windows = sloCountWindows(slo, at);

    const end = T0 + 5 * MINUTE;
    // 30d (the SLO), 3d, 6h (ticket's short and page's long), 1h (page and forecast), 30m, 5m.
    assert.deepEqual(
      windows,
      [30 * DAY, 3 * DAY, 6 * HOUR, HOUR, 30 * MINUTE, 5 * MINUTE].map((windowMs) => ({
        windowMs,
        from: end - windowMs,
        to: end,
      })),
    );
  });

  it('adds the projection window and leaves out alert windows when alerting is off', () => {
    const quiet = parseSlo({
      name: 'q',
      model: 'fraud',
      sli: { kind: 'availability' },
      objective: 0.99,
      window: '7d',
      projectionWindow: '2h',
      alerting: { enabled: false },
    });

    assert.deepEqual(
      sloCountWindows(quiet, T0).map((window) => window.windowMs),
      [7 * DAY, 2 * HOUR],
    );
  });
});

describe('BucketSliCounts', () => {
  it('sums the minutes that start in [from, to), adding buckets of the same minute', () => {
    const source = new BucketSliCounts([
      { minute: T0, good: 9, total: 10 },
      { minute: T0 + 30_000, good: 1, total: 1 },
      { minute: T0 + MINUTE, good: 5, total: 5 },
      { minute: T0 + 3 * MINUTE, good: 0, total: 2 },
    ]);

    assert.deepEqual(source.counts(T0, T0 + MINUTE), { good: 10, total: 11 });
    assert.deepEqual(source.counts(T0 + MINUTE, T0 + 4 * MINUTE), { good: 5, total: 7 });
    assert.deepEqual(source.counts(T0 + 1, T0 + MINUTE), { good: 0, total: 0 });
    assert.deepEqual(source.counts(T0 - DAY, T0 + DAY), { good: 15, total: 18 });
    assert.deepEqual(source.counts(T0 + MINUTE, T0), { good: 0, total: 0 });
    assert.deepEqual(source.range, { first: T0, last: T0 + 3 * MINUTE });
    assert.equal(new BucketSliCounts([]).range, undefined);
  });

  it('answers as summing every bucket one by one would', () => {
    // A deterministic pseudo-random day of minutes, some empty.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const buckets: SliBucket[] = [];
    for (let minute = 0; minute < 1440; minute++) {
      if (random() < 0.2) continue;
      const total = Math.floor(random() * 100);
      buckets.push({ minute: T0 + minute * MINUTE, good: Math.floor(total * random()), total });
    }
    const source = new BucketSliCounts(buckets);

    for (let query = 0; query < 200; query++) {
      const from = T0 + Math.floor(random() * 1500 - 30) * MINUTE;
      const to = from + Math.floor(random() * 600) * MINUTE;
      const inRange = buckets.filter((bucket) => bucket.minute >= from && bucket.minute < to);
      const expected = {
        good: inRange.reduce((sum, bucket) => sum + bucket.good, 0),
        total: inRange.reduce((sum, bucket) => sum + bucket.total, 0),
      };
      assert.deepEqual(source.counts(from, to), expected, `[${from}, ${to})`);
    }
  });
});

describe('readWindowCounts', () => {
  it('reads every window an evaluation needs from the source', () => {
    const source = new BucketSliCounts([
      { minute: T0 - 2 * MINUTE, good: 1, total: 2 },
      { minute: T0 - 2 * HOUR, good: 3, total: 3 },
    ]);

    const counts = readWindowCounts(slo, source, T0);

    assert.deepEqual(counts.get(5 * MINUTE), { good: 1, total: 2 });
    assert.deepEqual(counts.get(HOUR), { good: 1, total: 2 });
    assert.deepEqual(counts.get(6 * HOUR), { good: 4, total: 5 });
    assert.equal(counts.size, 6);
  });
});
