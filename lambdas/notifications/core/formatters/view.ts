import type { Severity } from '../../../alerts/core/alert.js';
import type { AlertNotification, DigestNotification } from '../../../alerts/core/pipeline-notifications.js';
import {
  type IncidentNotice,
  MAX_LINK_LENGTH,
  type MessageKind,
  messageModels,
  messageSeverity,
  type NotificationMessage,
  type PipelineEnvelope,
} from '../message.js';

/*
 * What every receiver shows of a message, worked out once: the formatters only lay it out in their
 * receiver's format and limits. Each view has the summary, the severity (when the message has one), the
 * dashboard and runbook links (when known) and how to acknowledge, as the escalation issue requires.
 */

/** Where a message stands, which sets the emoji and colour a receiver shows. */
export type ViewState =
  | 'firing'
  | 'resolved'
  | 'acknowledged'
  | 'unacknowledged'
  | 'escalation-failed'
  | 'digest';

/** A labelled value (Slack fields, a Teams fact set, PagerDuty custom details). */
export interface ViewFact {
  readonly label: string;
  readonly value: string;
}

/** A link a person can follow. */
export interface ViewLink {
  readonly label: 'Acknowledge' | 'Dashboard' | 'Runbook' | 'Incident' | 'Source';
  readonly url: string;
}

/** One alert a message lists. */
export interface ViewItem {
  readonly status: 'firing' | 'resolved';
  readonly name: string;
  readonly summary?: string;
  readonly runbook?: string;
}

/** A message as people see it, whatever the receiver. */
export interface NotificationView {
  readonly id: string;
  readonly kind: MessageKind;
  readonly state: ViewState;
  /** The first line a person reads, without severity or emoji (the formatters add those). */
  readonly headline: string;
  readonly summary: string;
  readonly severity?: Severity;
  readonly environment?: string;
  readonly facts: readonly ViewFact[];
  /** The acknowledge link, dashboard, runbook and the incident, in that order, those that are known. */
  readonly links: readonly ViewLink[];
  /** How to acknowledge, in one sentence. */
  readonly acknowledge: string;
  /** The alerts the message lists (for a digest, those of the held-back notifications). */
  readonly items: readonly ViewItem[];
  /** Items the message itself left out (a digest's `omitted` notifications). */
  readonly omittedItems: number;
  /** When it happened, ISO-8601. */
  readonly at: string;
}

/** The API path that acknowledges an incident, for messages that do not link a known incident. */
export const ACKNOWLEDGE_PATH = '/api/v1/incidents/{id}/ack';

const RESPOND_SCOPE = 'with a bearer token that has the respond scope';

/** A link from free text (an annotation), kept only when it is an http(s) URL a receiver accepts. */
function followable(url: string | undefined): string | undefined {
  if (!url || url.length > MAX_LINK_LENGTH || !/^https?:\/\/[^\s]+$/.test(url)) return undefined;
  return url;
}

function linksOf(entries: ReadonlyArray<[ViewLink['label'], string | undefined]>): ViewLink[] {
  return entries.flatMap(([label, url]) => {
    const safe = followable(url);
    return safe ? [{ label, url: safe }] : [];
  });
}

function pipelineAcknowledge(links: PipelineEnvelope['links']): string {
  const acknowledge = links?.acknowledge ?? (links?.incident ? `${links.incident}/ack` : undefined);
  if (acknowledge) return `To acknowledge: POST ${acknowledge} ${RESPOND_SCOPE}.`;
  return (
    'To acknowledge, acknowledge the incident these alerts joined (find it with GET /api/v1/incidents): ' +
    `POST ${ACKNOWLEDGE_PATH} ${RESPOND_SCOPE}.`
  );
}

const INCIDENT_HEADLINES: Record<IncidentNotice['event'], (title: string) => string> = {
  trigger: (title) => title,
  acknowledge: (title) => `Acknowledged: ${title}`,
  resolve: (title) => `Resolved: ${title}`,
  unacknowledged: (title) => `Unacknowledged after every tier: ${title}`,
  'escalation-failed': (title) => `Escalation failed: ${title}`,
};

const INCIDENT_STATES: Record<IncidentNotice['event'], ViewState> = {
  trigger: 'firing',
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  unacknowledged: 'unacknowledged',
  'escalation-failed': 'escalation-failed',
};

function incidentView(message: IncidentNotice): NotificationView {
  const { incident, tier } = message;
  const facts: ViewFact[] = [
    { label: 'Severity', value: incident.severity },
    { label: 'Status', value: incident.status },
    { label: 'Environment', value: message.environment },
  ];
  if (tier) facts.push({ label: 'Tier', value: `${tier.index} of ${tier.of}: ${tier.name}` });
  if (incident.model) facts.push({ label: 'Model', value: incident.model });
  facts.push({ label: 'Incident', value: incident.id });
  facts.push({ label: 'Opened', value: incident.createdAt });
  if (incident.alertCount !== undefined) facts.push({ label: 'Alerts', value: String(incident.alertCount) });
  if (incident.acknowledgedBy) facts.push({ label: 'Acknowledged by', value: incident.acknowledgedBy });
  if (incident.resolvedBy) facts.push({ label: 'Resolved by', value: incident.resolvedBy });
  if (message.reason) facts.push({ label: 'Reason', value: message.reason });
  return {
    id: message.id,
    kind: 'incident',
    state: INCIDENT_STATES[message.event],
    headline: INCIDENT_HEADLINES[message.event](incident.title),
    summary: incident.summary || incident.title,
    severity: incident.severity,
    environment: message.environment,
    facts,
    links: linksOf([
      ['Acknowledge', message.links.acknowledgeLink],
      ['Dashboard', message.links.dashboard],
      ['Runbook', message.links.runbook],
      ['Incident', message.links.incident],
    ]),
    acknowledge: message.links.acknowledgeLink
      ? `To acknowledge, open the Acknowledge link, or POST ${message.links.acknowledge} ${RESPOND_SCOPE}; that stops the escalation.`
      : `To acknowledge: POST ${message.links.acknowledge} ${RESPOND_SCOPE}; that stops the escalation.`,
    items: [],
    omittedItems: 0,
    at: message.at,
  };
}

function alertsView(message: AlertNotification & PipelineEnvelope): NotificationView {
  const severity = messageSeverity(message);
  const models = messageModels(message);
  const firing = message.alerts.filter((alert) => alert.status === 'firing');
  const subject = models.length > 0 ? `${message.rule} on ${models.join(', ')}` : message.rule;
  const resolved = message.alerts.length - firing.length;
  const counts = `${firing.length} firing${resolved > 0 ? `, ${resolved} resolved` : ''}`;
  const headline = message.status === 'resolved' ? `Resolved: ${subject}` : `${subject} (${counts})`;
  const lead = firing[0] ?? message.alerts[0];
  const summary =
    lead?.annotations.summary ||
    lead?.annotations.description ||
    `${firing.length} alert${firing.length === 1 ? '' : 's'} firing for ${message.rule}`;
  const facts: ViewFact[] = [];
  if (severity) facts.push({ label: 'Severity', value: severity });
  facts.push({ label: 'Status', value: message.status });
  if (message.environment) facts.push({ label: 'Environment', value: message.environment });
  if (models.length > 0)
    facts.push({ label: models.length === 1 ? 'Model' : 'Models', value: models.join(', ') });
  facts.push({ label: 'Rule', value: message.rule });
  facts.push({ label: 'Alerts', value: String(message.alerts.length) });
  const since = message.alerts.reduce((earliest, alert) => Math.min(earliest, alert.startsAt), message.at);
  facts.push({ label: 'Since', value: new Date(since).toISOString() });
  return {
    id: message.id,
    kind: 'alerts',
    state: message.status,
    headline,
    summary,
    severity,
    environment: message.environment,
    facts,
    links: linksOf([
      ['Dashboard', message.links?.dashboard],
      [
        'Runbook',
        message.links?.runbook ??
          message.alerts.map((a) => followable(a.annotations.runbook_url)).find(Boolean),
      ],
      ['Incident', message.links?.incident],
      [
        'Source',
        message.links?.dashboard
          ? undefined
          : message.alerts.map((a) => followable(a.generatorUrl)).find(Boolean),
      ],
    ]),
    acknowledge: pipelineAcknowledge(message.links),
    items: message.alerts.map((alert) => ({
      status: alert.status,
      name: alert.name,
      summary: alert.annotations.summary || alert.annotations.description || undefined,
      runbook: followable(alert.annotations.runbook_url),
    })),
    omittedItems: 0,
    at: new Date(message.at).toISOString(),
  };
}

function digestView(message: DigestNotification & PipelineEnvelope): NotificationView {
  const held = message.suppressed.length + message.omitted;
  const facts: ViewFact[] = [{ label: 'Rule', value: message.rule }];
  if (message.environment) facts.push({ label: 'Environment', value: message.environment });
  facts.push({ label: 'Held back', value: String(held) });
  return {
    id: message.id,
    kind: 'digest',
    state: 'digest',
    headline: `Digest: ${held} notification${held === 1 ? '' : 's'} held back for ${message.rule}`,
    summary:
      `The fatigue guard held back ${held} notification${held === 1 ? '' : 's'} for ${message.rule} within the ` +
      `last hour (at most a set number per rule and hour go out); ${message.suppressed.length} ${message.suppressed.length === 1 ? 'is' : 'are'} listed.`,
    environment: message.environment,
    facts,
    links: linksOf([
      ['Dashboard', message.links?.dashboard],
      ['Runbook', message.links?.runbook],
      ['Incident', message.links?.incident],
    ]),
    acknowledge: pipelineAcknowledge(message.links),
    items: message.suppressed.flatMap((notification) =>
      notification.alerts.map((alert) => ({
        status: alert.status,
        name: alert.name,
        summary: alert.summary,
      })),
    ),
    omittedItems: message.omitted,
    at: new Date(message.at).toISOString(),
  };
}

/** The headline and the summary as one line, the summary left out when it only repeats the headline. */
export function headlineAndSummary(view: Pick<NotificationView, 'headline' | 'summary'>): string {
  return view.summary === view.headline ? view.headline : `${view.headline}: ${view.summary}`;
}

/** How a message reads, for every receiver. */
export function notificationView(message: NotificationMessage): NotificationView {
  switch (message.kind) {
    case 'incident':
      return incidentView(message);
    case 'alerts':
      return alertsView(message);
    case 'digest':
      return digestView(message);
  }
}
