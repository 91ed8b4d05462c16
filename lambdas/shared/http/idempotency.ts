import { createHash } from 'node:crypto';
import type middy from '@middy/core';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import { HttpError } from './errors.js';
import { bodyBytes, errorResponse, type HttpEvent, type HttpResult, header } from './middleware.js';

/** The header a client sets to make a retried request safe (IETF draft "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** How long a finished response is replayed for a repeated key: a day, like the common payment APIs. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

/** How long an unfinished request holds its key before a retry may take it over: longer than any ingest takes. */
export const IDEMPOTENCY_LOCK_MS = 60_000;

const MAX_KEY_LENGTH = 255;

/** What the idempotency middleware needs. */
export interface IdempotencyOptions {
  readonly store: () => IdempotencyStore;
  readonly now: () => number;
}

/**
 * Makes a route idempotent for requests that carry an `Idempotency-Key` header: the first request is
 * processed and its response kept; a retry with the same key and body gets that response again (with
 * `idempotent-replayed: true`) without being counted twice; the same key with another body is a 422, and
 * a retry while the first is still running a 409. A 5xx or an error releases the key so the client can
 * retry. Requests without the header are processed as they are.
 */
export function idempotency(options: IdempotencyOptions): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const claimedKeys = new WeakMap<HttpEvent, string>();

  const idempotencyBefore: middy.MiddlewareFn<HttpEvent, HttpResult> = async (request) => {
    const clientKey = header(request.event, IDEMPOTENCY_KEY_HEADER);
    if (clientKey === undefined) return undefined;
    if (clientKey.length === 0 || clientKey.length > MAX_KEY_LENGTH) {
      throw new HttpError(400, 'bad_request', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const principal = request.event.requestContext?.authorizer?.lambda?.principal ?? '';
    const key = `${principal}#${request.event.routeKey}#${clientKey}`;
    const requestHash = createHash('sha256').update(bodyBytes(request.event)).digest('hex');
    const claim = await options.store().claim({
      key,
      requestHash,
      now: options.now(),
      retentionMs: IDEMPOTENCY_RETENTION_MS,
      lockMs: IDEMPOTENCY_LOCK_MS,
    });
    switch (claim.outcome) {
      case 'claimed':
        claimedKeys.set(request.event, key);
        return undefined;
      case 'replay':
        return {
          statusCode: claim.response.statusCode,
          headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
          body: claim.response.body,
        };
      case 'in-progress':
        return errorResponse(
          new HttpError(
            409,
            'conflict',
            `a request with Idempotency-Key "${clientKey}" is still being processed; retry shortly`,
          ),
        );
      case 'mismatch':
        return errorResponse(
          new HttpError(
            422,
            'unprocessable_entity',
            `Idempotency-Key "${clientKey}" was already used with a different body`,
          ),
        );
    }
  };

  const idempotencyAfter: middy.MiddlewareFn<HttpEvent, HttpResult> = async (request) => {
    const key = claimedKeys.get(request.event);
    const response = request.response;
    if (key === undefined || !response) return;
    const statusCode = response.statusCode ?? 200;
    if (statusCode >= 500) await options.store().release(key);
    else await options.store().complete(key, { statusCode, body: response.body ?? '' });
  };

  const idempotencyOnError: middy.MiddlewareFn<HttpEvent, HttpResult> = async (request) => {
    const key = claimedKeys.get(request.event);
    if (key !== undefined) await options.store().release(key);
  };

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}
