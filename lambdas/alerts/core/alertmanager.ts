import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ValidationError } from '../../shared/validation-error.js';
import { ALERT_NAME_LABEL, type Alert, type AlertStatus } from './alert.js';

/*
 * Prometheus Alertmanager's webhook (webhook_config, payload version 4): one Vigil alert per entry of
 * `alerts`, named by its `alertname` label, with its other labels and its annotations. A resolved entry
 * resolves the alert. Alertmanager writes Go's zero time (`0001-01-01T00:00:00Z`) as the end of a firing
 * alert, which means "no end". Since Vigil's fingerprint is Alertmanager's, an alert keeps the
 * fingerprint Alertmanager sent. Fields Vigil does not use (and fields added by later versions) are
 * ignored.
 */

/** Go's zero time, which Alertmanager sends as `endsAt` of alerts still firing. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const labelMap = z.record(z.string(), z.string({ error: 'must be a string' }), {
  error: 'must be an object of strings',
});

const rfc3339 = z.string({ error: 'must be an RFC 3339 time' }).transform((text, context) => {
  const epochMs = Date.parse(text);
  if (Number.isNaN(epochMs)) {
    context.addIssue({ code: 'custom', message: `must be an RFC 3339 time, got "${text}"` });
    return z.NEVER;
  }
  return epochMs;
});

const alertStatus = z.enum(['firing', 'resolved'], {
  error: (issue) => `must be "firing" or "resolved", got ${JSON.stringify(issue.input)}`,
});

const alertEntrySchema = z.object(
  {
    status: alertStatus,
    labels: labelMap.refine((labels) => !!labels[ALERT_NAME_LABEL], {
      message: 'must have an alertname label: Vigil names every alert',
    }),
    annotations: labelMap.default({}),
    startsAt: rfc3339,
    endsAt: z
      .string()
      .optional()
      .transform((text) =>
        text === undefined || text.startsWith(GO_ZERO_TIME.slice(0, 10)) ? undefined : text,
      )
      .pipe(rfc3339.optional()),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional(),
  },
  { error: 'must be an object' },
);

const webhookSchema = z.object(
  {
    version: z.literal('4', {
      error: (issue) =>
        `must be "4", the webhook payload version Vigil reads, got ${JSON.stringify(issue.input)}`,
    }),
    groupKey: z.string().optional(),
    truncatedAlerts: z.int().nonnegative().default(0),
    status: alertStatus,
    receiver: z.string({ error: 'must be a string' }),
    groupLabels: labelMap.default({}),
    commonLabels: labelMap.default({}),
    commonAnnotations: labelMap.default({}),
    externalURL: z.string().optional(),
    alerts: z.array(alertEntrySchema, { error: 'must be a list of alerts' }),
  },
  { error: 'must be a JSON object' },
);

/** An Alertmanager webhook, read into Vigil alerts. */
export interface AlertmanagerWebhook {
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly groupKey?: string;
  readonly externalUrl?: string;
  /** Alerts Alertmanager left out because of the receiver's `max_alerts`. */
  readonly truncatedAlerts: number;
  /** One per entry, in the payload's order. */
  readonly alerts: readonly Alert[];
}

/**
 * Reads an Alertmanager webhook (version 4 payload). Throws a ValidationError whose message names the
 * field path (`alerts[0].status`) when the payload is not one.
 */
export function parseAlertmanagerWebhook(body: unknown): AlertmanagerWebhook {
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      `invalid Alertmanager webhook: ${describeIssues(parsed.error.issues).join('; ')}`,
    );
  }
  const payload = parsed.data;
  return {
    receiver: payload.receiver,
    status: payload.status,
    groupKey: payload.groupKey,
    externalUrl: payload.externalURL,
    truncatedAlerts: payload.truncatedAlerts,
    alerts: payload.alerts.map((entry): Alert => {
      const { [ALERT_NAME_LABEL]: name, ...labels } = entry.labels;
      return {
        name: name!,
        labels,
        annotations: entry.annotations,
        source: 'alertmanager',
        status: entry.status,
        startsAt: entry.startsAt,
        endsAt: entry.endsAt,
        generatorUrl: entry.generatorURL || undefined,
      };
    }),
  };
}
