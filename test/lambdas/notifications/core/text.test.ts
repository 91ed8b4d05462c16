import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { truncate, utf8Length } from '../../../../lambdas/notifications/core/text.js';

describe('truncate', () => {
  const cases: Array<[string, number, string]> = [
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['abcdefghijk', 10, 'abcdefghi…'],
    // '😀' is two UTF-16 code units: cutting between them would leave half an emoji.
    ['ab😀cd', 4, 'ab…'],
    ['ab😀cd', 5, 'ab😀…'],
    ['abc', 0, ''],
  ];
  for (const [text, max, expected] of cases) {
    it(`cuts ${JSON.stringify(text)} to ${max} as ${JSON.stringify(expected)}`, () => {
      const cut = truncate(text, max);
      assert.equal(cut, expected);
      assert.ok(cut.length <= max);
    });
  }
});

describe('utf8Length', () => {
  it('counts bytes as UTF-8 encodes them', () => {
    assert.deepEqual([utf8Length('abc'), utf8Length('é'), utf8Length('警'), utf8Length('😀')], [3, 2, 3, 4]);
  });
});
