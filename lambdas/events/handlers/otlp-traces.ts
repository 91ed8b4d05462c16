import middy from '@middy/core';
import { otlpIngestRoute } from '../../ingest/handlers/ingest-route.js';
import { type HttpEvent, type HttpResult, json } from '../../shared/http/middleware.js';
import { awsSpanIngestDependencies } from '../adapters/aws/events-dependencies.js';
import { ingestSpans } from '../core/ingest-spans.js';
import { exportTraceServiceResponse, readOtlpTraces } from '../core/otlp-traces.js';
import {
  joinMessages,
  type SpanIngestDependencies,
  storeRejectionMessage,
  windowOf,
} from './event-ingest.js';

/** Builds `POST /v1/traces` (OTLP/HTTP, JSON): spans are redacted and stored; `partialSuccess` as the spec says. */
export function createOtlpTracesHandler(dependencies: () => SpanIngestDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const deps = dependencies();
    const reading = readOtlpTraces(event.jsonBody, windowOf(deps));
    const stored = await ingestSpans(reading.spans, deps);
    return json(
      200,
      exportTraceServiceResponse({
        rejectedSpans: reading.rejectedSpans + stored.rejected.length,
        errorMessage: joinMessages(reading.errorMessage, storeRejectionMessage(stored.rejected)),
      }),
    );
  }).use(otlpIngestRoute());
}

/** The Lambda entry point. */
export const handler = createOtlpTracesHandler(awsSpanIngestDependencies);
