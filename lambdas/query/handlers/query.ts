import middy from '@middy/core';
import type { MetricReader } from '../../metrics/ports/metric-store.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { awsQueryDependencies } from '../adapters/aws/query-dependencies.js';
import { parseMetricQuery } from '../core/query-params.js';

/** What the query route needs. */
export interface QueryDependencies {
  readonly metricReader: MetricReader;
  readonly now: () => number;
}

/** Builds `GET /api/v1/query`: `{ series: [ { labels, points: [[epochMs, value]] } ] }`. */
export function createQueryHandler(dependencies: () => QueryDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const { metricReader, now } = dependencies();
    const query = parseMetricQuery(event.queryStringParameters ?? {}, now());
    const series = await metricReader.query(query);
    return json(200, { series });
  }).use(httpRoute({ scope: 'read' }));
}

/** The Lambda entry point. */
export const handler = createQueryHandler(awsQueryDependencies);
