import type { StoredToken } from '../core/tokens.js';

/** Stores and finds hashed bearer tokens. */
export interface TokenRepository {
  /** The token with this SHA-256 hash, if there is one. */
  findByHash(tokenHash: string): Promise<StoredToken | undefined>;
  /** Stores a token (replacing one with the same hash). */
  save(token: StoredToken): Promise<void>;
}
