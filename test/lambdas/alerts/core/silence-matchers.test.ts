import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatMatcher,
  type LabelMatcher,
  labelMatcherSchema,
  matchesAll,
  matchesLabel,
} from '../../../../lambdas/alerts/core/silence-matchers.js';

describe('matchesLabel', () => {
  const labels = { alertname: 'HighErrorRate', model: 'fraud-detector', severity: 'warning' };
  // Expected values follow Alertmanager's pkg/labels matcher semantics: anchored regexes, missing = "".
  const cases: Array<{ matcher: LabelMatcher; expected: boolean }> = [
    { matcher: { name: 'model', operator: '=', value: 'fraud-detector' }, expected: true },
    { matcher: { name: 'model', operator: '=', value: 'fraud' }, expected: false },
    { matcher: { name: 'model', operator: '!=', value: 'fraud' }, expected: true },
    { matcher: { name: 'model', operator: '=~', value: 'fraud' }, expected: false },
    { matcher: { name: 'model', operator: '=~', value: 'fraud.*' }, expected: true },
    { matcher: { name: 'model', operator: '=~', value: 'detector' }, expected: false },
    { matcher: { name: 'severity', operator: '=~', value: 'warning|info' }, expected: true },
    { matcher: { name: 'severity', operator: '!~', value: 'warning|info' }, expected: false },
    { matcher: { name: 'team', operator: '=', value: '' }, expected: true },
    { matcher: { name: 'team', operator: '!=', value: '' }, expected: false },
    { matcher: { name: 'team', operator: '=~', value: '.*' }, expected: true },
    { matcher: { name: 'team', operator: '=~', value: '.+' }, expected: false },
    { matcher: { name: 'team', operator: '!~', value: 'ml' }, expected: true },
  ];
  for (const { matcher, expected } of cases) {
    it(`${formatMatcher(matcher)} ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(matchesLabel(matcher, labels), expected);
    });
  }

  it('needs every matcher of a list to match', () => {
    const matchers: LabelMatcher[] = [
      { name: 'alertname', operator: '=', value: 'HighErrorRate' },
      { name: 'severity', operator: '=', value: 'critical' },
    ];

    assert.equal(matchesAll(matchers, labels), false);
    assert.equal(matchesAll(matchers.slice(0, 1), labels), true);
  });
});

describe('labelMatcherSchema', () => {
  const cases = [
    {
      input: { name: 'model', operator: '!~', value: 'a|b' },
      expected: { name: 'model', operator: '!~', value: 'a|b' },
    },
    {
      input: { name: 'model', value: 'a', isRegex: false },
      expected: { name: 'model', operator: '=', value: 'a' },
    },
    {
      input: { name: 'model', value: 'a', isRegex: false, isEqual: false },
      expected: { name: 'model', operator: '!=', value: 'a' },
    },
    {
      input: { name: 'model', value: 'a.*', isRegex: true },
      expected: { name: 'model', operator: '=~', value: 'a.*' },
    },
    {
      input: { name: 'model', value: 'a.*', isRegex: true, isEqual: false },
      expected: { name: 'model', operator: '!~', value: 'a.*' },
    },
  ];
  for (const { input, expected } of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      assert.deepEqual(labelMatcherSchema.parse(input), expected);
    });
  }

  it('refuses a matcher without an operator', () => {
    const parsed = labelMatcherSchema.safeParse({ name: 'model', value: 'a' });

    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['operator']);
  });

  it('refuses a regular expression that does not compile, naming the value', () => {
    const parsed = labelMatcherSchema.safeParse({ name: 'model', operator: '=~', value: 'fraud(' });

    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['value']);
    assert.match(parsed.error?.issues[0]?.message ?? '', /"fraud\(" is not a valid regular expression/);
  });
});
