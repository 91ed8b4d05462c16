/** A response kept for an idempotency key, replayed when the same request comes again. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** What claiming an idempotency key found. */
export type IdempotencyClaim =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  | { readonly outcome: 'in-progress' }
  | { readonly outcome: 'mismatch' };

/** A request to claim a key for one processing of one request. */
export interface ClaimRequest {
  /** The key, already scoped to the caller and the route. */
  readonly key: string;
  /** A hash of the request body: the same key with another body is a client error, not a replay. */
  readonly requestHash: string;
  /** The time of the claim, epoch ms. */
  readonly now: number;
  /** How long a finished response is kept for replays, ms. */
  readonly retentionMs: number;
  /** How long an unfinished claim blocks others before it counts as abandoned (a crashed invocation), ms. */
  readonly lockMs: number;
}

/** Records which requests were processed, so a retried request is answered once and counted once. */
export interface IdempotencyStore {
  claim(request: ClaimRequest): Promise<IdempotencyClaim>;
  /** Keeps the response of a claimed key for replays. */
  complete(key: string, response: StoredResponse): Promise<void>;
  /** Lets the key be claimed again, after a failure the client should retry. */
  release(key: string): Promise<void>;
}
