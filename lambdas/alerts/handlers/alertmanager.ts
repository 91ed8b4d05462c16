import middy from '@middy/core';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { awsAlertingContext } from '../adapters/aws/alerting-dependencies.js';
import { type AlertingContext, receiveAlerts } from '../core/alerting.js';
import { parseAlertmanagerWebhook } from '../core/alertmanager.js';

/**
 * Builds `POST /api/v1/alerts/alertmanager`: an Alertmanager webhook (version 4 payload), one alert per
 * entry (resolved entries resolve), run through the pipeline. Answers what the pipeline decided for each
 * alert, so a sender can see that a repeat was deduplicated or a silence muted it.
 */
export function createAlertmanagerHandler(dependencies: () => AlertingContext) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const webhook = parseAlertmanagerWebhook(event.jsonBody);
    const summary = await receiveAlerts(dependencies(), webhook.alerts);
    return json(200, {
      received: webhook.alerts.length,
      truncatedAlerts: webhook.truncatedAlerts,
      alerts: summary.decisions,
    });
  }).use(httpRoute({ scope: 'ingest', jsonBody: true }));
}

/** The Lambda entry point. */
export const handler = createAlertmanagerHandler(awsAlertingContext);
