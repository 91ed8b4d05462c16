import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSearchCursor, encodeSearchCursor } from '../../../../lambdas/events/core/search-cursor.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

describe('search cursors', () => {
  it('decode to the position they were made from, fractional times and odd ids included', () => {
    const positions = [
      { timestamp: Date.UTC(2025, 0, 15, 10), logId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { timestamp: Date.UTC(2025, 0, 15, 10) + 0.1234, logId: 'é"\\/+=' },
      { timestamp: 0, logId: 'a' },
    ];

    const decoded = positions.map((position) => decodeSearchCursor(encodeSearchCursor(position)));

    assert.deepEqual(decoded, positions);
  });

  it('are base64url text, safe in a query string without escaping', () => {
    const cursor = encodeSearchCursor({ timestamp: 1.5, logId: '???>>>~~~' });

    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), {
      t: 1.5,
      id: '???>>>~~~',
    });
  });

  const garbage: ReadonlyArray<[string, string]> = [
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('{t:1').toString('base64url')],
    ['JSON that is not an object', Buffer.from('[1,"a"]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['a string time', Buffer.from('{"t":"1","id":"a"}').toString('base64url')],
    ['no id', Buffer.from('{"t":1}').toString('base64url')],
    ['an empty id', Buffer.from('{"t":1,"id":""}').toString('base64url')],
    ['an empty cursor', ''],
  ];
  for (const [name, cursor] of garbage) {
    it(`refuses ${name}, asking for a cursor from a previous page`, () => {
      assert.throws(
        () => decodeSearchCursor(cursor),
        (error: unknown) =>
          error instanceof ValidationError &&
          error.message.startsWith('cursor must be the nextCursor of a previous page, unchanged, got "'),
      );
    });
  }
});
