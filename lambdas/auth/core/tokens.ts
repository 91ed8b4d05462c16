import { createHash, randomBytes } from 'node:crypto';
import type { AuthorizerContext, Scope } from './scopes.js';

/** A token as Vigil stores it: only the SHA-256 of the secret, never the secret itself. */
export interface StoredToken {
  readonly tokenHash: string;
  /** Who or what uses the token (a service or a person), shown in errors and audit trails. */
  readonly principal: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
  /** After this time (ISO-8601) the token no longer works. */
  readonly expiresAt?: string;
}

/** Hashes a bearer token for storage and look-up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates a new random bearer token (`vgl_` and 32 random bytes, base64url). */
export function generateToken(): string {
  return `vgl_${randomBytes(32).toString('base64url')}`;
}

/** Takes the token out of an `Authorization: Bearer <token>` header; undefined when the header is not of that form. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The authorizer's verdict for a request, given the token found for it (if any) and the time. */
export function authorize(
  authorization: string | undefined,
  stored: StoredToken | undefined,
  now: Date,
): AuthorizerContext {
  if (!bearerToken(authorization)) {
    return {
      principal: '',
      scopes: '',
      reason: 'missing bearer token: send "Authorization: Bearer <token>"',
    };
  }
  if (!stored) return { principal: '', scopes: '', reason: 'unknown bearer token' };
  if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) {
    return {
      principal: '',
      scopes: '',
      reason: `token for "${stored.principal}" expired at ${stored.expiresAt}`,
    };
  }
  return { principal: stored.principal, scopes: stored.scopes.join(' ') };
}
