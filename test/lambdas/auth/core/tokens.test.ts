import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hasScope, parseScopes } from '../../../../lambdas/auth/core/scopes.js';
import {
  authorize,
  bearerToken,
  generateToken,
  hashToken,
  type StoredToken,
} from '../../../../lambdas/auth/core/tokens.js';

const NOW = new Date('2026-03-10T14:00:00Z');
const stored: StoredToken = {
  tokenHash: 'h',
  principal: 'svc',
  scopes: ['ingest'],
  createdAt: '2026-01-01T00:00:00Z',
};

describe('tokens', () => {
  it('hashes with SHA-256 (the FIPS 180-4 test vector for "abc")', () => {
    assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('generates distinct tokens that are never stored in the clear', () => {
    const [a, b] = [generateToken(), generateToken()];
    assert.notEqual(a, b);
    assert.match(a, /^vgl_[A-Za-z0-9_-]{43}$/);
    assert.equal(hashToken(a), createHash('sha256').update(a).digest('hex'));
  });

  for (const [header, expected] of [
    ['Bearer abc', 'abc'],
    ['bearer   abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ] as const) {
    it(`reads ${JSON.stringify(header)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(bearerToken(header), expected);
    });
  }

  it('authorizes a known token with its scopes and refuses unknown and expired ones with a reason', () => {
    assert.deepEqual(authorize('Bearer x', stored, NOW), { principal: 'svc', scopes: 'ingest' });
    assert.match(authorize('Bearer x', undefined, NOW).reason ?? '', /unknown bearer token/);
    assert.match(authorize(undefined, stored, NOW).reason ?? '', /missing bearer token/);
    const expired = authorize('Bearer x', { ...stored, expiresAt: '2026-03-10T13:59:59Z' }, NOW);
    assert.equal(expired.principal, '');
    assert.match(expired.reason ?? '', /expired at 2026-03-10T13:59:59Z/);
  });

  it('grants a scope when listed, and every scope to admin', () => {
    assert.equal(hasScope('ingest', 'ingest'), true);
    assert.equal(hasScope('ingest', 'read'), false);
    assert.equal(hasScope('read admin', 'ingest'), true);
    assert.equal(hasScope('', 'read'), false);
  });

  it('refuses unknown scope names, listing the known ones', () => {
    assert.deepEqual(parseScopes(['read', 'ingest', 'read']), ['read', 'ingest']);
    assert.throws(
      () => parseScopes(['write']),
      /unknown scope "write"; expected one of ingest, read, respond, admin/,
    );
  });
});
