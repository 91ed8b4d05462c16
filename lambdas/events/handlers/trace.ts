import middy from '@middy/core';
import { notFound } from '../../shared/http/errors.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { ValidationError } from '../../shared/validation-error.js';
import { awsEventSearchDependencies } from '../adapters/aws/event-search-dependencies.js';
import { readHexId } from '../core/trace-context.js';
import { buildTraceTree } from '../core/trace-tree.js';
import type { EventSearchDependencies } from './log-search.js';

/** Builds `GET /api/v1/traces/{traceId}`: the trace's spans as a tree with durations and self times. */
export function createTraceHandler(dependencies: () => EventSearchDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const reading = readHexId(event.pathParameters?.traceId ?? '', 'trace');
    if ('problem' in reading) throw new ValidationError(`traceId ${reading.problem}`);
    const traceId = reading.id;
    const tree = buildTraceTree(traceId, await dependencies().eventStore.getTraceSpans(traceId));
    if (!tree) throw notFound(`no spans found for trace ${traceId}`);
    return json(200, tree);
  }).use(httpRoute({ scope: 'read' }));
}

/** The Lambda entry point. */
export const handler = createTraceHandler(awsEventSearchDependencies);
