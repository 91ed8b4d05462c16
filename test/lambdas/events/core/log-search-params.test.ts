import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseLogSearch,
  parsePatternSearch,
  type QueryParameters,
} from '../../../../lambdas/events/core/log-search-params.js';
import type { LogSearch, PatternSearch } from '../../../../lambdas/events/ports/event-store.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const NOW = Date.UTC(2025, 0, 15, 12);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LAST_HOUR = { from: NOW - HOUR, to: NOW };

describe('parseLogSearch', () => {
  const valid: ReadonlyArray<[string, QueryParameters, LogSearch]> = [
    ['no parameters: the last hour, 100 logs', {}, { ...LAST_HOUR, limit: 100 }],
    ['q as the text', { q: 'timeout  db' }, { ...LAST_HOUR, limit: 100, text: 'timeout  db' }],
    ['text as a synonym of q', { text: ' 100% _x ' }, { ...LAST_HOUR, limit: 100, text: '100% _x' }],
    ['a blank q beside text', { q: ' ', text: 'refused' }, { ...LAST_HOUR, limit: 100, text: 'refused' }],
    ['one level', { level: 'error' }, { ...LAST_HOUR, limit: 100, levels: ['error'] }],
    [
      'levels in any case and order, repeated, in severity order',
      { level: 'critical, ERROR,error,' },
      { ...LAST_HOUR, limit: 100, levels: ['error', 'critical'] },
    ],
    [
      'minLevel=warn: warn and above',
      { minLevel: 'warn' },
      { ...LAST_HOUR, limit: 100, levels: ['warn', 'error', 'critical'] },
    ],
    [
      'minLevel=trace: every level',
      { minLevel: 'TRACE' },
      { ...LAST_HOUR, limit: 100, levels: ['trace', 'debug', 'info', 'warn', 'error', 'critical'] },
    ],
    ['minLevel=critical', { minLevel: 'critical' }, { ...LAST_HOUR, limit: 100, levels: ['critical'] }],
    [
      'model and service, trimmed',
      { model: ' fraud ', service: 'scoring-api' },
      { ...LAST_HOUR, limit: 100, model: 'fraud', service: 'scoring-api' },
    ],
    [
      'an upper-case trace id, lowered',
      { traceId: '4BF92F3577B34DA6A3CE929D0E0E4736' },
      { ...LAST_HOUR, limit: 100, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
    ],
    ['a relative from', { from: '-15m' }, { from: NOW - 15 * MINUTE, to: NOW, limit: 100 }],
    [
      'ISO-8601 from and to',
      { from: '2025-01-14T08:30:00Z', to: '2025-01-14T09:00:00.250Z' },
      { from: Date.UTC(2025, 0, 14, 8, 30), to: Date.UTC(2025, 0, 14, 9, 0, 0, 250), limit: 100 },
    ],
    [
      'only to: from is an hour before it',
      { to: '2025-01-10T00:00:00Z' },
      { from: Date.UTC(2025, 0, 9, 23), to: Date.UTC(2025, 0, 10), limit: 100 },
    ],
    [
      'epoch ms from, to=now',
      { from: String(NOW - 90_000), to: 'now' },
      { from: NOW - 90_000, to: NOW, limit: 100 },
    ],
    ['a blank from counts as not given', { from: '' }, { ...LAST_HOUR, limit: 100 }],
    ['the smallest limit', { limit: '1' }, { ...LAST_HOUR, limit: 1 }],
    ['the largest limit', { limit: '1000' }, { ...LAST_HOUR, limit: 1000 }],
    [
      'a cursor, as given',
      { cursor: 'eyJ0IjoxLCJpZCI6ImEifQ' },
      { ...LAST_HOUR, limit: 100, cursor: 'eyJ0IjoxLCJpZCI6ImEifQ' },
    ],
    [
      'everything at once',
      {
        q: 'refused',
        level: 'warn,error',
        model: 'fraud',
        service: 'api',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        from: '-6h',
        to: '-1h',
        limit: '25',
        cursor: 'abc',
      },
      {
        text: 'refused',
        levels: ['warn', 'error'],
        model: 'fraud',
        service: 'api',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        from: NOW - 6 * HOUR,
        to: NOW - HOUR,
        limit: 25,
        cursor: 'abc',
      },
    ],
  ];
  for (const [name, params, expected] of valid) {
    it(`reads ${name}`, () => {
      assert.deepEqual(parseLogSearch(params, NOW), expected);
    });
  }

  const invalid: ReadonlyArray<[string, QueryParameters, RegExp]> = [
    [
      'a misspelt parameter',
      { levels: 'error' },
      /^unknown query parameter "levels"; expected any of q, text, level, minLevel, model, service, traceId, from, to, limit, cursor$/,
    ],
    [
      'both q and text',
      { q: 'a', text: 'b' },
      /^q and text are the same parameter; give one of them, not both$/,
    ],
    ['too long a text', { q: 'x'.repeat(1001) }, /^q must be at most 1000 characters, got 1001$/],
    [
      'an unknown level',
      { level: 'fatal' },
      /^level must be one of trace, debug, info, warn, error, critical, got "fatal"$/,
    ],
    ['an unknown level in a list', { level: 'error,bogus' }, /^level must be one of .*, got "bogus"$/],
    ['an unknown minLevel', { minLevel: 'warning' }, /^minLevel must be one of .*, got "warning"$/],
    ['level with minLevel', { level: 'error', minLevel: 'warn' }, /^give level .* or minLevel .*, not both$/],
    ['a short trace id', { traceId: 'abc' }, /^traceId must be 32 hexadecimal characters, got "abc"$/],
    [
      'a trace id with non-hex digits',
      { traceId: 'g'.repeat(32) },
      /^traceId must be 32 hexadecimal characters/,
    ],
    ['a 33-digit trace id', { traceId: 'a'.repeat(33) }, /^traceId must be 32 hexadecimal characters/],
    ['the all-zero trace id', { traceId: '0'.repeat(32) }, /^traceId must not be all zeros/],
    ['too long a model', { model: 'm'.repeat(257) }, /^model must be at most 256 characters, got 257$/],
    ['too long a service', { service: 's'.repeat(300) }, /^service must be at most 256 characters, got 300$/],
    [
      'an unreadable from',
      { from: 'yesterday' },
      /^from must be ISO-8601, epoch milliseconds, "now" or like -15m/,
    ],
    ['an unreadable to', { to: '-5 minutes' }, /^to must look like 60s, 5m, 6h or 7d/],
    [
      'from after to',
      { from: '-1h', to: '-2h' },
      /^from \(2025-01-15T11:00:00\.000Z\) must be before to \(2025-01-15T10:00:00\.000Z\)$/,
    ],
    ['an empty range', { from: 'now', to: 'now' }, /^from \(2025-01-15T12:00:00\.000Z\) must be before to/],
    [
      'a time beyond what a date can hold',
      { from: '99999999999999999' },
      /^from must be a date between the years -271821 and 275760, got "99999999999999999"$/,
    ],
    ['limit 0', { limit: '0' }, /^limit must be a whole number from 1 to 1000, got "0"$/],
    ['limit above 1000', { limit: '1001' }, /^limit must be a whole number from 1 to 1000, got "1001"$/],
    ['a fractional limit', { limit: '10.5' }, /^limit must be a whole number from 1 to 1000, got "10.5"$/],
    ['a negative limit', { limit: '-5' }, /^limit must be a whole number from 1 to 1000, got "-5"$/],
    ['a limit in words', { limit: 'ten' }, /^limit must be a whole number from 1 to 1000, got "ten"$/],
    [
      'too long a cursor',
      { cursor: 'x'.repeat(1025) },
      /^cursor must be the nextCursor of a previous page, unchanged, got 1025 characters$/,
    ],
  ];
  for (const [name, params, message] of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseLogSearch(params, NOW),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});

describe('parsePatternSearch', () => {
  const valid: ReadonlyArray<[string, QueryParameters, PatternSearch]> = [
    ['no parameters: the last hour, 50 patterns', {}, { ...LAST_HOUR, limit: 50 }],
    [
      'every parameter',
      { from: '-6h', to: '-5m', service: 'api', model: 'fraud', limit: '500' },
      { from: NOW - 6 * HOUR, to: NOW - 5 * MINUTE, service: 'api', model: 'fraud', limit: 500 },
    ],
    ['blank filters count as not given', { service: '', model: '  ' }, { ...LAST_HOUR, limit: 50 }],
  ];
  for (const [name, params, expected] of valid) {
    it(`reads ${name}`, () => {
      assert.deepEqual(parsePatternSearch(params, NOW), expected);
    });
  }

  const invalid: ReadonlyArray<[string, QueryParameters, RegExp]> = [
    ['limit above 500', { limit: '501' }, /^limit must be a whole number from 1 to 500, got "501"$/],
    ['limit 0', { limit: '0' }, /^limit must be a whole number from 1 to 500, got "0"$/],
    [
      'a log search parameter',
      { level: 'error' },
      /^unknown query parameter "level"; expected any of from, to, service, model, limit$/,
    ],
    ['from after to', { from: 'now', to: '-1h' }, /^from \(.*\) must be before to \(.*\)$/],
    ['too long a model', { model: 'm'.repeat(257) }, /^model must be at most 256 characters, got 257$/],
  ];
  for (const [name, params, message] of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parsePatternSearch(params, NOW),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});
