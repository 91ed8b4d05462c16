import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonWithPosition } from '../../../../lambdas/shared/http/json.js';

describe('parseJsonWithPosition', () => {
  it('parses valid JSON', () => {
    assert.deepEqual(parseJsonWithPosition('{"a":[1,2]}'), { ok: true, value: { a: [1, 2] } });
  });

  it('says on which line and column the JSON breaks', () => {
    const text = '{\n  "predictions": [\n    { "model": "a", }\n  ]\n}';
    const result = parseJsonWithPosition(text);

    assert.equal(result.ok, false);
    // The stray "}" after the trailing comma is on line 3, column 21.
    assert.match(!result.ok ? result.message : '', /line 3, column 21/);
  });

  it('reports a truncated body at its end', () => {
    const result = parseJsonWithPosition('{"predictions": [');
    assert.match(!result.ok ? result.message : '', /line 1, column 18/);
  });
});
