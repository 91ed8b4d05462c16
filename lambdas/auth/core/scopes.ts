/**
 * The scopes a token can carry: `ingest` sends telemetry and alerts, `read` queries, `respond` acknowledges
 * and resolves incidents and manages silences (what an on-call person does), `admin` does everything.
 */
export const SCOPES = ['ingest', 'read', 'respond', 'admin'] as const;

/** One scope. */
export type Scope = (typeof SCOPES)[number];

/**
 * What the Lambda authorizer hands every route, as API Gateway's `requestContext.authorizer.lambda`.
 * An unknown token is still passed through with no principal, so the route answers 401 with a JSON
 * error (API Gateway's own denial would be a bare 403).
 */
export interface AuthorizerContext {
  /** Who the token belongs to; empty when the token was missing or unknown. */
  readonly principal: string;
  /** The token's scopes, space-separated (API Gateway context values are flat). */
  readonly scopes: string;
  /** Why the caller is not authenticated, when it is not. */
  readonly reason?: string;
}

/** Whether a space-separated scope list grants `scope`; `admin` grants every scope. */
export function hasScope(scopes: string, scope: Scope): boolean {
  const granted = scopes.split(/\s+/).filter(Boolean);
  return granted.includes(scope) || granted.includes('admin');
}

/** Reads scope names, failing on any that Vigil does not know. */
export function parseScopes(names: readonly string[]): Scope[] {
  const unknown = names.filter((name) => !(SCOPES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scope ${unknown.map((name) => `"${name}"`).join(', ')}; expected one of ${SCOPES.join(', ')}`,
    );
  }
  return [...new Set(names)] as Scope[];
}
