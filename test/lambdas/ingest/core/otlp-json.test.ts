import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeText,
  canonicalAttributes,
  double,
  findAttribute,
  int64,
  uint64,
} from '../../../../lambdas/ingest/core/otlp-json.js';

describe('OTLP/JSON scalars', () => {
  it('reads 64-bit integers from decimal strings and numbers without losing nanoseconds', () => {
    // 2^63 - 1 does not fit a double; the string form must keep every digit.
    assert.equal(int64.parse('9223372036854775807'), 9_223_372_036_854_775_807n);
    assert.equal(int64.parse(1_700_000_000), 1_700_000_000n);
    assert.equal(int64.parse('-42'), -42n);
    assert.equal(int64.safeParse('12.5').success, false);
    assert.equal(int64.safeParse(1.5).success, false);
  });

  it('reads counts as non-negative numbers', () => {
    assert.equal(uint64.parse('17'), 17);
    assert.match(uint64.safeParse('-1').error?.issues[0]?.message ?? '', /count of 0 or more, got -1/);
  });

  it('reads doubles from numbers and the strings protobuf JSON uses for non-finite values', () => {
    assert.equal(double.parse(0.25), 0.25);
    assert.equal(double.parse('1e3'), 1000);
    assert.equal(double.parse('Infinity'), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(double.parse('NaN')));
    assert.equal(double.safeParse('abc').success, false);
  });
});

describe('attributeText', () => {
  const cases = [
    [{ stringValue: 'gpt' }, 'gpt'],
    [{ intValue: '9007199254740993' }, '9007199254740993'],
    [{ intValue: 7 }, '7'],
    [{ doubleValue: 0.5 }, '0.5'],
    [{ boolValue: false }, 'false'],
    [{ bytesValue: 'AQI=' }, 'AQI='],
    [{ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } }, '["a","1"]'],
    [{ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }, '{"k":true}'],
    [{}, ''],
  ] as const;
  for (const [value, expected] of cases) {
    it(`renders ${JSON.stringify(value)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(attributeText(value), expected);
    });
  }
});

describe('canonicalAttributes', () => {
  it('ignores order and integer encoding but keeps value types apart', () => {
    const a = canonicalAttributes([
      { key: 'b', value: { intValue: '1' } },
      { key: 'a', value: { stringValue: 'x' } },
    ]);
    const sameReordered = canonicalAttributes([
      { key: 'a', value: { stringValue: 'x' } },
      { key: 'b', value: { intValue: 1 } },
    ]);
    const stringOne = canonicalAttributes([
      { key: 'a', value: { stringValue: 'x' } },
      { key: 'b', value: { stringValue: '1' } },
    ]);

    assert.equal(JSON.stringify(a), JSON.stringify(sameReordered));
    assert.notEqual(JSON.stringify(a), JSON.stringify(stringOne));
  });

  it('finds the last value of a repeated key, as a map would hold it', () => {
    const attributes = [
      { key: 'model', value: { stringValue: 'a' } },
      { key: 'model', value: { stringValue: 'b' } },
    ];

    assert.deepEqual(findAttribute(attributes, 'model'), { stringValue: 'b' });
    assert.equal(findAttribute(attributes, 'other'), undefined);
  });
});
