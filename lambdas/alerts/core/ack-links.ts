import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Acknowledge links: a URL in a notice that acknowledges the incident in two clicks, from Slack, Teams or an
 * email, without a bearer token. The link carries its expiry and an HMAC-SHA256 signature over the incident
 * id and that expiry, under a key only Vigil holds (a Secrets Manager secret in AWS), so it acknowledges that
 * one incident and no other, and only until it expires. Opening it (GET) changes nothing: it shows the
 * incident and a button, since chat apps and mail scanners fetch links on their own; the button POSTs.
 */

/** The route of acknowledge links, outside `/api/v1` because no bearer token comes with them. */
export const ACK_LINK_ROUTE = '/ack/{id}';

/** How long a link acknowledges: a day, longer than the default chains take to run out. */
export const ACK_LINK_TTL_MS = 86_400_000;

/** The shortest key accepted: 32 bytes (256 bits), the size of the HMAC-SHA256 output. */
export const MIN_ACK_LINK_KEY_LENGTH = 32;

/** What signs and checks links: the key, and how long a new link lasts. */
export interface AckLinkSigner {
  readonly key: string;
  /** @default ACK_LINK_TTL_MS */
  readonly ttlMs?: number;
}

function signature(key: string, incidentId: string, expiresAtSeconds: number): string {
  if (key.length < MIN_ACK_LINK_KEY_LENGTH) {
    throw new Error(
      `the acknowledge link key has ${key.length} characters; expected ${MIN_ACK_LINK_KEY_LENGTH} or more`,
    );
  }
  return createHmac('sha256', key).update(`ack:${incidentId}:${expiresAtSeconds}`).digest('base64url');
}

/** The link that acknowledges an incident until `now` plus the signer's lifetime. */
export function ackLinkUrl(
  apiBaseUrl: string,
  incidentId: string,
  signer: AckLinkSigner,
  now: number,
): string {
  const expiresAtSeconds = Math.floor((now + (signer.ttlMs ?? ACK_LINK_TTL_MS)) / 1000);
  const base = apiBaseUrl.replace(/\/+$/, '');
  const sig = signature(signer.key, incidentId, expiresAtSeconds);
  return `${base}/ack/${encodeURIComponent(incidentId)}?exp=${expiresAtSeconds}&sig=${sig}`;
}

/** What checking a link found. */
export type AckLinkCheck =
  | { readonly ok: true; readonly expiresAt: number }
  | { readonly ok: false; readonly status: 403 | 410; readonly reason: string };

/** Checks a link's expiry and signature for an incident, as of `now` (epoch ms). */
export function checkAckLink(
  incidentId: string,
  query: { readonly exp?: string; readonly sig?: string },
  key: string,
  now: number,
): AckLinkCheck {
  const expiresAtSeconds = Number(query.exp);
  if (!query.exp || !Number.isSafeInteger(expiresAtSeconds) || !query.sig) {
    return {
      ok: false,
      status: 403,
      reason: 'the link is incomplete: it needs the exp and sig it was sent with',
    };
  }
  const expected = Buffer.from(signature(key, incidentId, expiresAtSeconds));
  const given = Buffer.from(query.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 403, reason: 'the link is not one Vigil signed for this incident' };
  }
  if (expiresAtSeconds * 1000 <= now) {
    return {
      ok: false,
      status: 410,
      reason: `the link expired at ${new Date(expiresAtSeconds * 1000).toISOString()}; acknowledge through the API or \`vigil ack\``,
    };
  }
  return { ok: true, expiresAt: expiresAtSeconds * 1000 };
}
