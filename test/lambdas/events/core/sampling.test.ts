import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shouldKeepRawEvent } from '../../../../lambdas/events/core/sampling.js';

const ids = Array.from({ length: 10_000 }, (_, i) => `pred-${i}`);
const neverCalled = () => assert.fail('the random source must not decide for a prediction with an id');

describe('shouldKeepRawEvent', () => {
  it('keeps a share within the binomial bound of the rate over 10,000 ids', () => {
    for (const rate of [0.01, 0.1, 0.5, 0.9]) {
      const kept = ids.filter((id) => shouldKeepRawEvent(rate, id, neverCalled)).length;

      // Binomial(n, p): mean n·p, standard deviation sqrt(n·p·(1-p)); 4σ is passed by chance 1 time in 15,000.
      const mean = ids.length * rate;
      const sigma = Math.sqrt(ids.length * rate * (1 - rate));
      assert.ok(
        Math.abs(kept - mean) <= 4 * sigma,
        `rate ${rate}: kept ${kept}, expected ${mean} ± ${4 * sigma}`,
      );
    }
  });

  it('gives the same id the same answer every time, so a retried request keeps the same events', () => {
    const first = ids.map((id) => shouldKeepRawEvent(0.1, id));
    const retried = ids.map((id) => shouldKeepRawEvent(0.1, id));

    assert.deepEqual(retried, first);
  });

  it('keeps at a higher rate every id it keeps at a lower one', () => {
    const keptAtLow = ids.filter((id) => shouldKeepRawEvent(0.1, id));

    assert.ok(keptAtLow.every((id) => shouldKeepRawEvent(0.3, id)));
  });

  it('keeps none at rate 0 and all at rate 1, with or without an id', () => {
    assert.ok(ids.every((id) => !shouldKeepRawEvent(0, id, neverCalled)));
    assert.ok(ids.every((id) => shouldKeepRawEvent(1, id, neverCalled)));
    assert.equal(
      shouldKeepRawEvent(0, undefined, () => 0),
      false,
    );
    assert.equal(
      shouldKeepRawEvent(1, undefined, () => 0.999_999),
      true,
    );
  });

  it('lets the injected random source decide for a prediction without an id', () => {
    assert.equal(
      shouldKeepRawEvent(0.1, undefined, () => 0.099),
      true,
    );
    assert.equal(
      shouldKeepRawEvent(0.1, undefined, () => 0.1),
      false,
    );
    assert.equal(
      shouldKeepRawEvent(0.1, undefined, () => 0.5),
      false,
    );
  });

  it('refuses a rate outside 0 to 1', () => {
    for (const rate of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => shouldKeepRawEvent(rate, 'id'), RangeError);
    }
  });
});
