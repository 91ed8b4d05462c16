import middy from '@middy/core';
import type { z } from 'zod';
import { idempotency } from '../../shared/http/idempotency.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { logger } from '../../shared/logger.js';
import type { IdempotencyStore } from '../../shared/ports/idempotency-store.js';
import { type IngestDependencies, type ItemKind, ingestItems } from '../core/ingest-items.js';
import { INGEST_LIMITS } from '../core/limits.js';

/** What an ingest route needs beyond the use case: where idempotency keys are recorded. */
export interface IngestRouteDependencies extends IngestDependencies {
  readonly idempotencyStore: IdempotencyStore;
}

/** The middleware of an OTLP/HTTP ingest route: the ingest scope, a JSON body up to 1 MiB, OTLP-style errors. */
export const otlpIngestRoute = () =>
  httpRoute({
    scope: 'ingest',
    jsonBody: true,
    maxBodyBytes: INGEST_LIMITS.maxBodyBytes,
    errorFormat: 'otlp',
  });

/** The answer of a native ingest route: 200 when at least one item was accepted, 400 (with the errors) when none was. */
export function itemsResponse<T extends { readonly accepted: number; readonly rejected: number }>(
  outcome: T,
): HttpResult {
  if (outcome.accepted > 0) return json(200, outcome);
  const message = `no item was accepted: ${outcome.rejected} rejected; see "errors"`;
  return json(400, { error: { code: 'bad_request', message }, ...outcome });
}

/**
 * Builds a native ingest route (predictions, metrics): 200 when at least one item was accepted, 400 when
 * none was, with the per-item errors either way; a retry with the same `Idempotency-Key` is not counted twice.
 */
export function createIngestRoute<S extends z.ZodType>(
  kind: ItemKind<S>,
  dependencies: () => IngestRouteDependencies,
) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const outcome = await ingestItems(event.jsonBody, kind, dependencies());
    if (outcome.eventStoreError) logger.error('raw events not stored', { reason: outcome.eventStoreError });
    return itemsResponse(outcome);
  })
    .use(httpRoute({ scope: 'ingest', jsonBody: true, maxBodyBytes: INGEST_LIMITS.maxBodyBytes }))
    .use(idempotency({ store: () => dependencies().idempotencyStore, now: () => dependencies().now() }));
}
