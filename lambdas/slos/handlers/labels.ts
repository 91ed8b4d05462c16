import middy from '@middy/core';
import { INGEST_LIMITS } from '../../ingest/core/limits.js';
import { itemsResponse } from '../../ingest/handlers/ingest-route.js';
import { type HttpEvent, type HttpResult, httpRoute } from '../../shared/http/middleware.js';
import { awsLabelsContext } from '../adapters/aws/labels-dependencies.js';
import { ingestLabels, type LabelsContext } from '../core/labels.js';

/**
 * Builds `POST /api/v1/labels`: delayed ground truth `{ "labels": [ { id, model, actual } ] }` joined to
 * earlier predictions by id; 200 when at least one label joined, 400 when none did, with every refused
 * label's reason either way.
 */
export function createLabelsHandler(dependencies: () => LabelsContext) {
  return middy(
    async (event: HttpEvent): Promise<HttpResult> =>
      itemsResponse(await ingestLabels(event.jsonBody, dependencies())),
  ).use(httpRoute({ scope: 'ingest', jsonBody: true, maxBodyBytes: INGEST_LIMITS.maxBodyBytes }));
}

/** The Lambda entry point. */
export const handler = createLabelsHandler(awsLabelsContext);
