import middy from '@middy/core';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { awsEventSearchDependencies } from '../adapters/aws/event-search-dependencies.js';
import { parseLogSearch, parsePatternSearch } from '../core/log-search-params.js';
import type { EventStore } from '../ports/event-store.js';

/** What the search routes need. */
export interface EventSearchDependencies {
  readonly eventStore: Pick<EventStore, 'searchLogs' | 'getTraceSpans' | 'errorPatterns'>;
  readonly now: () => number;
}

/**
 * Builds `GET /api/v1/logs/search` (text, level, model, service, traceId, time range, cursor paging) and
 * `GET /api/v1/logs/patterns` (error and critical logs grouped by normalised template).
 */
export function createLogSearchHandler(dependencies: () => EventSearchDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const { eventStore, now } = dependencies();
    const params = event.queryStringParameters ?? {};
    if (event.rawPath.endsWith('/patterns')) {
      return json(200, { patterns: await eventStore.errorPatterns(parsePatternSearch(params, now())) });
    }
    return json(200, await eventStore.searchLogs(parseLogSearch(params, now())));
  }).use(httpRoute({ scope: 'read' }));
}

/** The Lambda entry point. */
export const handler = createLogSearchHandler(awsEventSearchDependencies);
