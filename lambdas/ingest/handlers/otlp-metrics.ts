import middy from '@middy/core';
import type { MetricWriter } from '../../metrics/ports/metric-store.js';
import { type HttpEvent, type HttpResult, json } from '../../shared/http/middleware.js';
import { logger } from '../../shared/logger.js';
import { awsOtlpMetricsDependencies } from '../adapters/aws/ingest-dependencies.js';
import {
  exportMetricsServiceResponse,
  ingestOtlpMetrics,
  type OtlpMetricsDependencies,
} from '../core/ingest-otlp-metrics.js';
import { otlpIngestRoute } from './ingest-route.js';

/** What `POST /v1/metrics` needs: the OTLP use case's dependencies and where rollups go. */
export interface OtlpMetricsRouteDependencies extends OtlpMetricsDependencies {
  readonly metricWriter: MetricWriter;
  readonly dashboardWriter?: MetricWriter;
}

/**
 * Builds `POST /v1/metrics` (OTLP/HTTP, JSON encoding): answers an `ExportMetricsServiceResponse`, with
 * `partialSuccess` when points were rejected, and errors as `google.rpc.Status` as the OTLP spec requires.
 */
export function createOtlpMetricsHandler(dependencies: () => OtlpMetricsRouteDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const { metricWriter, dashboardWriter, ...otlp } = dependencies();
    const ingestion = await ingestOtlpMetrics(event.jsonBody, otlp);
    let storeMessage: string | undefined;
    if (ingestion.rollups.length > 0) {
      const [stored] = await Promise.all([
        metricWriter.write(ingestion.rollups),
        dashboardWriter?.write(ingestion.rollups),
      ]);
      if (stored.rejected.length > 0) {
        storeMessage = `the metric store refused ${stored.rejected.length} rollups: ${stored.rejected[0]!.reason}`;
      }
    }
    if (ingestion.rejectedDataPoints > 0 || storeMessage) {
      logger.warn('OTLP metrics partly rejected', {
        rejectedDataPoints: ingestion.rejectedDataPoints,
        errorMessage: ingestion.errorMessage,
        storeMessage,
      });
    }
    const errorMessage = [ingestion.errorMessage, storeMessage].filter(Boolean).join('; ');
    return json(
      200,
      exportMetricsServiceResponse({ ...ingestion, ...(errorMessage ? { errorMessage } : {}) }),
    );
  }).use(otlpIngestRoute());
}

/** The Lambda entry point. */
export const handler = createOtlpMetricsHandler(awsOtlpMetricsDependencies);
