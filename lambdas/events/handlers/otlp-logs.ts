import middy from '@middy/core';
import { otlpIngestRoute } from '../../ingest/handlers/ingest-route.js';
import { type HttpEvent, type HttpResult, json } from '../../shared/http/middleware.js';
import { awsEventIngestDependencies } from '../adapters/aws/events-dependencies.js';
import { ingestLogs } from '../core/ingest-logs.js';
import { exportLogsServiceResponse, readOtlpLogs } from '../core/otlp-logs.js';
import {
  type EventIngestDependencies,
  joinMessages,
  storeRejectionMessage,
  windowOf,
} from './event-ingest.js';

/**
 * Builds `POST /v1/logs` (OTLP/HTTP, JSON): logs are redacted, given error patterns and stored; the answer
 * is an `ExportLogsServiceResponse` with `partialSuccess` for what the reader or the store refused.
 */
export function createOtlpLogsHandler(dependencies: () => EventIngestDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const deps = dependencies();
    const reading = readOtlpLogs(event.jsonBody, windowOf(deps));
    const stored = await ingestLogs(reading.logs, deps);
    if (stored.errorPatternRollups.length > 0) await deps.metricWriter.write(stored.errorPatternRollups);
    return json(
      200,
      exportLogsServiceResponse({
        rejectedLogRecords: reading.rejectedLogRecords + stored.rejected.length,
        errorMessage: joinMessages(reading.errorMessage, storeRejectionMessage(stored.rejected)),
      }),
    );
  }).use(otlpIngestRoute());
}

/** The Lambda entry point. */
export const handler = createOtlpLogsHandler(awsEventIngestDependencies);
