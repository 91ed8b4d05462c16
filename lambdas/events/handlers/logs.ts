import middy from '@middy/core';
import { validateItems } from '../../ingest/core/item-validation.js';
import { INGEST_LIMITS } from '../../ingest/core/limits.js';
import { itemsResponse } from '../../ingest/handlers/ingest-route.js';
import { type HttpEvent, type HttpResult, httpRoute } from '../../shared/http/middleware.js';
import { awsEventIngestDependencies } from '../adapters/aws/events-dependencies.js';
import { ingestLogs } from '../core/ingest-logs.js';
import { nativeLogSchema } from '../core/native-logs.js';
import { type EventIngestDependencies, windowOf } from './event-ingest.js';

/**
 * Builds `POST /api/v1/logs` (native structured logs): each item validated on its own, the valid ones
 * redacted and stored; errors by the item's index in the request, also for items the store refused.
 */
export function createLogsHandler(dependencies: () => EventIngestDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const deps = dependencies();
    const { accepted, errors } = validateItems(event.jsonBody, 'logs', nativeLogSchema(windowOf(deps)));
    const stored = await ingestLogs(
      accepted.map(({ item }) => item),
      deps,
    );
    if (stored.errorPatternRollups.length > 0) await deps.metricWriter.write(stored.errorPatternRollups);
    const storeErrors = stored.rejected.map(({ index, reason }) => ({
      index: accepted[index]!.index,
      field: '(item)',
      message: `not stored: ${reason}`,
    }));
    const allErrors = [...errors, ...storeErrors].sort((a, b) => a.index - b.index);
    return itemsResponse({
      accepted: stored.written,
      rejected: new Set(allErrors.map((error) => error.index)).size,
      errors: allErrors,
    });
  }).use(httpRoute({ scope: 'ingest', jsonBody: true, maxBodyBytes: INGEST_LIMITS.maxBodyBytes }));
}

/** The Lambda entry point. */
export const handler = createLogsHandler(awsEventIngestDependencies);
