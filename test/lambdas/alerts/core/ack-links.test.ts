import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ACK_LINK_TTL_MS, ackLinkUrl, checkAckLink } from '../../../../lambdas/alerts/core/ack-links.js';

const KEY = 'k'.repeat(64);
const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const query = (url: string) =>
  Object.fromEntries(new URL(url).searchParams) as { exp?: string; sig?: string };

describe('acknowledge links', () => {
  it('signs the incident id and the expiry with HMAC-SHA256 (RFC 2104), as base64url', () => {
    // Act
    const url = ackLinkUrl('https://api.example.com/', 'inc-1', { key: KEY }, T0);

    // Assess: the reference signature from node's HMAC over the documented message.
    const exp = (T0 + ACK_LINK_TTL_MS) / 1000;
    const expected = createHmac('sha256', KEY).update(`ack:inc-1:${exp}`).digest('base64url');
    assert.equal(url, `https://api.example.com/ack/inc-1?exp=${exp}&sig=${expected}`);
  });

  it('accepts its own link until it expires, then answers 410', () => {
    const url = ackLinkUrl('https://api.example.com', 'inc-1', { key: KEY, ttlMs: 60_000 }, T0);

    assert.deepEqual(checkAckLink('inc-1', query(url), KEY, T0 + 59_000), {
      ok: true,
      expiresAt: T0 + 60_000,
    });
    const expired = checkAckLink('inc-1', query(url), KEY, T0 + 60_000);
    assert.equal(expired.ok, false);
    assert.equal(!expired.ok && expired.status, 410);
  });

  it('refuses with 403 a link for another incident, another key, a longer life, or missing parts', () => {
    const url = ackLinkUrl('https://api.example.com', 'inc-1', { key: KEY }, T0);
    const { exp, sig } = query(url);
    const refusals = [
      checkAckLink('inc-2', { exp, sig }, KEY, T0),
      checkAckLink('inc-1', { exp, sig }, 'o'.repeat(64), T0),
      checkAckLink('inc-1', { exp: String(Number(exp) + 86_400), sig }, KEY, T0),
      checkAckLink('inc-1', { exp }, KEY, T0),
      checkAckLink('inc-1', { exp: 'soon', sig }, KEY, T0),
    ];
    for (const [index, refusal] of refusals.entries()) {
      assert.equal(!refusal.ok && refusal.status, 403, String(index));
    }
  });

  it('refuses to sign with a key shorter than 256 bits', () => {
    assert.throws(
      () => ackLinkUrl('https://api.example.com', 'inc-1', { key: 'short' }, T0),
      /5 characters; expected 32/,
    );
  });
});
