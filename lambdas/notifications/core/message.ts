import { z } from 'zod';
import {
  ALERT_SOURCES,
  alertSeverity,
  MODEL_LABEL,
  maxSeverity,
  SEVERITIES,
  type Severity,
} from '../../alerts/core/alert.js';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../../alerts/core/incident.js';
import type {
  AlertNotification,
  DigestNotification,
  Notification,
} from '../../alerts/core/pipeline-notifications.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';

/*
 * The envelope Vigil publishes to its SNS topics (the JSON message body) and the formatter Lambda reads.
 * Two families share it, told apart by `kind`:
 *
 * - `alerts` and `digest`: the alert pipeline's notifications (`Notification`, pipeline-notifications.ts)
 *   as they are, optionally with the `environment` and the `links` the publisher knows;
 * - `incident`: a notice of the escalation workflow about one incident (triggered at a tier, acknowledged,
 *   resolved, nobody acknowledged after the last tier, escalation failed), with the links a person needs:
 *   the incident in the API, how to acknowledge it, and the dashboard and runbook when known.
 *
 * The weekly SLO report shares the `info` topic but not this envelope: its body is Markdown for people,
 * told apart by its `kind` message attribute (`SLO_REPORT_KIND`), which the formatter checks first.
 *
 * Every message has an `id` that stays the same when the same notice is published again (a retried
 * pipeline run or workflow step) and differs between notices: the formatter keeps its delivery receipts
 * under it, and generic webhook receivers can drop repeats by it.
 */

/** What happened to an incident, as the escalation workflow tells it. */
export const INCIDENT_EVENTS = [
  'trigger',
  'acknowledge',
  'resolve',
  'unacknowledged',
  'escalation-failed',
] as const;
/** What happened to an incident, as the escalation workflow tells it. */
export type IncidentEvent = (typeof INCIDENT_EVENTS)[number];

/** The kinds of message the formatter reads. */
export const MESSAGE_KINDS = ['alerts', 'digest', 'incident'] as const;

/**
 * The `kind` message attribute of the weekly SLO report, which Vigil publishes to the `info` topic as
 * Markdown for the people subscribed to it (by email). It is no notification for channels: the formatter
 * leaves it alone.
 */
export const SLO_REPORT_KIND = 'slo-report';
/** The kinds of message the formatter reads. */
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The longest link accepted: Slack's limit for a button's URL, which every other receiver allows too. */
export const MAX_LINK_LENGTH = 3000;

/** Where a person goes from an alert notification; all optional, since the pipeline may not know them. */
export interface AlertLinks {
  readonly dashboard?: string;
  readonly runbook?: string;
  /** The incident the alerts joined, in the API. */
  readonly incident?: string;
  /** How to acknowledge: the API URL to POST to (the incident's `/ack`). */
  readonly acknowledge?: string;
}

/** What the publisher may add to a pipeline notification. */
export interface PipelineEnvelope {
  readonly environment?: string;
  readonly links?: AlertLinks;
}

/** An alert pipeline notification (`alerts` or `digest`) as published. */
export type PipelineMessage = Notification & PipelineEnvelope;

/** The incident as a notice shows it. Times are ISO-8601. */
export interface NoticeIncident {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  /** The model the incident is about, when its alerts name one. */
  readonly model?: string;
  /** What is wrong, in a sentence (the first alert's summary). */
  readonly summary?: string;
  readonly createdAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  /** How many alerts joined it. */
  readonly alertCount?: number;
}

/** The escalation tier a notice is sent for; `index` counts from 1. */
export interface NoticeTier {
  readonly index: number;
  readonly name: string;
  /** How many tiers the policy has. */
  readonly of: number;
}

/** Where a person goes from an incident notice. */
export interface IncidentLinks {
  readonly dashboard?: string;
  readonly runbook?: string;
  /** The incident in the API (`GET /api/v1/incidents/{id}`). */
  readonly incident: string;
  /** How to acknowledge: the API URL to POST to (`/api/v1/incidents/{id}/ack`, `respond` scope). */
  readonly acknowledge: string;
  /**
   * A signed link that acknowledges in two clicks without a token (`/ack/{id}?exp=&sig=`), on notices that
   * ask for an acknowledgement, when the environment signs links.
   */
  readonly acknowledgeLink?: string;
}

/** A notice of the escalation workflow about one incident. */
export interface IncidentNotice {
  readonly kind: 'incident';
  /** Stable for one notice (the same when republished), different between notices. */
  readonly id: string;
  readonly event: IncidentEvent;
  /** When it happened, ISO-8601. */
  readonly at: string;
  readonly environment: string;
  readonly incident: NoticeIncident;
  /** The tier notified; absent for notices that concern no tier (acknowledged, resolved). */
  readonly tier?: NoticeTier;
  /** Why escalation failed or stopped, for `escalation-failed` and `unacknowledged`. */
  readonly reason?: string;
  readonly links: IncidentLinks;
}

/** Every message the formatter reads from SNS. */
export type NotificationMessage = PipelineMessage | IncidentNotice;

const labelsSchema = z.record(z.string(), z.string());
const linkSchema = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .max(MAX_LINK_LENGTH, `expected at most ${MAX_LINK_LENGTH} characters`);
const isoTimeSchema = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time' });
const statusSchema = z.enum(['firing', 'resolved']);
const reasonSchema = z.enum(['first', 'new-alerts', 'resolved-alerts', 'all-resolved', 'repeat']);
// PagerDuty's dedup_key, which carries the incident id, takes at most 255 characters.
const idSchema = z.string().min(1).max(255);

const alertLinksSchema = z.object({
  dashboard: linkSchema.optional(),
  runbook: linkSchema.optional(),
  incident: linkSchema.optional(),
  acknowledge: linkSchema.optional(),
});

const envelopeFields = {
  environment: z.string().min(1).optional(),
  links: alertLinksSchema.optional(),
};

/** One alert of an `alerts` notification (`NotifiedAlert`). */
export const notifiedAlertSchema = z.object({
  fingerprint: z.string().min(1),
  name: z.string().min(1),
  labels: labelsSchema,
  annotations: labelsSchema,
  source: z.enum(ALERT_SOURCES),
  status: statusSchema,
  startsAt: z.number(),
  endsAt: z.number().optional(),
  generatorUrl: z.string().optional(),
});

/** An `alerts` notification as published. */
export const alertNotificationSchema = z.object({
  kind: z.literal('alerts'),
  id: idSchema,
  at: z.number(),
  rule: z.string(),
  groupKey: z.string(),
  groupLabels: labelsSchema,
  reason: reasonSchema,
  status: statusSchema,
  alerts: z.array(notifiedAlertSchema),
  ...envelopeFields,
}) satisfies z.ZodType<AlertNotification & PipelineEnvelope>;

/** One held-back notification a digest lists (`SuppressedNotification`). */
export const suppressedNotificationSchema = z.object({
  at: z.number(),
  groupKey: z.string(),
  reason: reasonSchema,
  alerts: z.array(
    z.object({
      fingerprint: z.string(),
      name: z.string(),
      status: statusSchema,
      summary: z.string().optional(),
    }),
  ),
});

/** A `digest` notification as published. */
export const digestNotificationSchema = z.object({
  kind: z.literal('digest'),
  id: idSchema,
  at: z.number(),
  rule: z.string(),
  suppressed: z.array(suppressedNotificationSchema),
  omitted: z.int().nonnegative(),
  ...envelopeFields,
}) satisfies z.ZodType<DigestNotification & PipelineEnvelope>;

/** An `incident` notice as published. */
export const incidentNoticeSchema = z.object({
  kind: z.literal('incident'),
  id: idSchema,
  event: z.enum(INCIDENT_EVENTS),
  at: isoTimeSchema,
  environment: z.string().min(1),
  incident: z.object({
    id: idSchema,
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    model: z.string().min(1).optional(),
    summary: z.string().optional(),
    createdAt: isoTimeSchema,
    acknowledgedAt: isoTimeSchema.optional(),
    acknowledgedBy: z.string().optional(),
    resolvedAt: isoTimeSchema.optional(),
    resolvedBy: z.string().optional(),
    alertCount: z.int().nonnegative().optional(),
  }),
  tier: z
    .object({ index: z.int().positive(), name: z.string().min(1), of: z.int().positive() })
    .refine((tier) => tier.index <= tier.of, 'tier index must not exceed the number of tiers (of)')
    .optional(),
  reason: z.string().optional(),
  links: z.object({
    dashboard: linkSchema.optional(),
    runbook: linkSchema.optional(),
    incident: linkSchema,
    acknowledge: linkSchema,
    acknowledgeLink: linkSchema.optional(),
  }),
}) satisfies z.ZodType<IncidentNotice>;

/** Every message the formatter reads, by `kind`. */
export const notificationMessageSchema = z.discriminatedUnion('kind', [
  alertNotificationSchema,
  digestNotificationSchema,
  incidentNoticeSchema,
]);

/** Raised for an SNS message body that is not a Vigil notification; retrying cannot fix it. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

/** Reads an SNS message body, failing with every problem listed by its path. */
export function parseNotificationMessage(body: string): NotificationMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError(
      `the message body is not JSON (${(error as Error).message}); expected a Vigil notification envelope`,
    );
  }
  const parsed = notificationMessageSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidMessageError(
      `the message is not a Vigil notification: ${describeIssues(parsed.error.issues, '(message)').join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * How severe a message is: the incident's severity, the highest severity of an `alerts` notification's
 * firing alerts (of all its alerts once all have resolved), and none for a digest, which lists no labels.
 */
export function messageSeverity(message: NotificationMessage): Severity | undefined {
  switch (message.kind) {
    case 'incident':
      return message.incident.severity;
    case 'digest':
      return undefined;
    case 'alerts': {
      const firing = message.alerts.filter((alert) => alert.status === 'firing');
      const counted = firing.length > 0 ? firing : message.alerts;
      if (counted.length === 0) return undefined;
      return counted.map(alertSeverity).reduce(maxSeverity);
    }
  }
}

/** The models a message is about (the `model` label of its alerts); none for a digest. */
export function messageModels(message: NotificationMessage): string[] {
  switch (message.kind) {
    case 'incident':
      return message.incident.model ? [message.incident.model] : [];
    case 'digest':
      return [];
    case 'alerts':
      return [
        ...new Set(
          message.alerts
            .map((alert) => alert.labels[MODEL_LABEL])
            .filter((model): model is string => !!model),
        ),
      ];
  }
}

/** What the escalation workflow knows when it sends a notice, besides the incident. */
export interface IncidentNoticeContext {
  readonly environment: string;
  /** When it happened, epoch ms. */
  readonly at: number;
  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  readonly apiBaseUrl: string;
  readonly dashboardUrl?: string;
  readonly runbookUrl?: string;
  readonly tier?: NoticeTier;
  readonly reason?: string;
  /** The signed acknowledge link, for notices that ask for an acknowledgement. */
  readonly acknowledgeLink?: string;
  /**
   * The notice's id; it must stay the same when the same notice is sent again (a retried workflow step).
   * @default `<incident id>:<event>:<tier index or ->:<at>`
   */
  readonly id?: string;
}

const isoOrUndefined = (at: number | undefined) =>
  at === undefined ? undefined : new Date(at).toISOString();

/** Builds the notice about `incident` for `event`, with the API links a person needs to act on it. */
export function incidentNotice(
  incident: Incident,
  event: IncidentEvent,
  context: IncidentNoticeContext,
): IncidentNotice {
  const base = context.apiBaseUrl.replace(/\/+$/, '');
  const incidentUrl = `${base}/api/v1/incidents/${encodeURIComponent(incident.id)}`;
  const model = incident.alerts.map((alert) => alert.labels[MODEL_LABEL]).find((value) => !!value);
  const summary = (
    incident.alerts.find((alert) => alert.status === 'firing' && alert.summary) ??
    incident.alerts.find((alert) => alert.summary)
  )?.summary;
  return {
    kind: 'incident',
    id: context.id ?? `${incident.id}:${event}:${context.tier?.index ?? '-'}:${context.at}`,
    event,
    at: new Date(context.at).toISOString(),
    environment: context.environment,
    incident: {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      status: incident.status,
      model,
      summary,
      createdAt: new Date(incident.createdAt).toISOString(),
      acknowledgedAt: isoOrUndefined(incident.acknowledgedAt),
      acknowledgedBy: incident.acknowledgedBy,
      resolvedAt: isoOrUndefined(incident.resolvedAt),
      resolvedBy: incident.resolvedBy,
      alertCount: incident.alerts.length,
    },
    tier: context.tier,
    reason: context.reason,
    links: {
      dashboard: context.dashboardUrl,
      runbook: context.runbookUrl,
      incident: incidentUrl,
      acknowledge: `${incidentUrl}/ack`,
      ...(context.acknowledgeLink ? { acknowledgeLink: context.acknowledgeLink } : {}),
    },
  };
}
