/**
 * The alert and incident routes that one handler (`handlers/alerts-api.ts`) answers, as `[method, path]`:
 * the API stack and the local platform both route them from this list.
 */
export const ALERTS_API_ROUTES = [
  ['GET', '/api/v1/alerts'],
  ['GET', '/api/v1/incidents'],
  ['GET', '/api/v1/incidents/stats'],
  ['GET', '/api/v1/incidents/{id}'],
  ['POST', '/api/v1/incidents/{id}/ack'],
  ['POST', '/api/v1/incidents/{id}/resolve'],
  ['GET', '/api/v1/silences'],
  ['POST', '/api/v1/silences'],
  ['GET', '/api/v1/silences/{id}'],
  ['DELETE', '/api/v1/silences/{id}'],
] as const;

/** The Alertmanager webhook route. */
export const ALERTMANAGER_ROUTE = ['POST', '/api/v1/alerts/alertmanager'] as const;

/** The route that runs a scheduled job now. */
export const JOB_RUN_ROUTE = ['POST', '/api/v1/jobs/{job}/run'] as const;

/** The environment variable naming the SNS topic notifications are published to. */
export const ALERT_TOPIC_ENV = 'VIGIL_ALERT_TOPIC_ARN';

/** The acknowledge-link routes (`handlers/ack-link.ts`), which the API serves without its bearer-token authorizer. */
export const ACK_LINK_ROUTES = [
  ['GET', '/ack/{id}'],
  ['POST', '/ack/{id}'],
] as const;

/** The environment variable naming the Secrets Manager secret that acknowledge links are signed with. */
export const ACK_LINK_KEY_ENV = 'VIGIL_ACK_LINK_KEY_ARN';
