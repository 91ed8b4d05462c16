import type { Severity } from '../../../alerts/core/alert.js';
import type { IncidentEvent, IncidentNotice, NotificationMessage } from '../message.js';
import { truncate } from '../text.js';
import { headlineAndSummary, notificationView } from './view.js';

/*
 * PagerDuty Events API v2 ("Send an Alert Event"). Vigil pages through incidents: the incident id is the
 * `dedup_key`, so the trigger, acknowledge and resolve of one incident act on one PagerDuty alert, and a
 * trigger sent again (the next tier, the final "unacknowledged" notice, a retried delivery) only adds a log
 * entry to the open alert instead of paging twice. Plain alert-group notifications and digests are not
 * sent: nothing would ever acknowledge or resolve the PagerDuty alerts they opened (their ids change with
 * every group flush), and the incident they belong to pages already. An acknowledgement made in PagerDuty
 * does not flow back into Vigil.
 */

/** What PagerDuty does with an event. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** PagerDuty's severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** The limits of the fields Vigil fills ("Send an Alert Event", parameters table). */
export const PAGERDUTY_LIMITS = {
  /** `payload.summary`: "The maximum permitted length of this property is 1024 characters." */
  summary: 1024,
  /** `dedup_key`: "The maximum permitted length of this property is 255 characters." */
  dedupKey: 255,
} as const;

/** An alert event of the Events API v2. */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: PagerDutyAction;
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details?: Readonly<Record<string, string>>;
  };
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
  readonly client?: string;
  readonly client_url?: string;
}

/** What the PagerDuty formatter makes of a message: an event to send, or why none is sent. */
export type PagerDutyFormat =
  | { readonly kind: 'event'; readonly event: PagerDutyEvent }
  | { readonly kind: 'skip'; readonly reason: string };

/** Vigil's severities as PagerDuty's: `high` is PagerDuty's `error`, the others keep their names. */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  warning: 'warning',
  info: 'info',
};

/**
 * The event action for each incident event: every notice that should reach a person triggers (with the
 * same dedup key, so PagerDuty keeps one alert), acknowledge and resolve follow Vigil's incident.
 */
export const PAGERDUTY_ACTION: Record<IncidentEvent, PagerDutyAction> = {
  trigger: 'trigger',
  unacknowledged: 'trigger',
  'escalation-failed': 'trigger',
  acknowledge: 'acknowledge',
  resolve: 'resolve',
};

/** Why alert-group notifications and digests are not sent to PagerDuty. */
export const PAGERDUTY_SKIP_REASON =
  'PagerDuty receives incident notices only: an incident pages once under its id as dedup key, while ' +
  'alert-group notifications and digests would open PagerDuty alerts that nothing resolves';

function triggerEvent(notice: IncidentNotice, routingKey: string): PagerDutyEvent {
  const view = notificationView(notice);
  const { incident } = notice;
  const details: Record<string, string> = Object.fromEntries(
    view.facts.map((fact) => [fact.label.toLowerCase().replace(/ /g, '_'), fact.value]),
  );
  details.summary = view.summary;
  details.acknowledge = view.acknowledge;
  for (const each of view.links) details[each.label.toLowerCase()] = each.url;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: incident.id,
    payload: {
      summary: truncate(`[${notice.environment}] ${headlineAndSummary(view)}`, PAGERDUTY_LIMITS.summary),
      // "The unique location of the affected system": the model within Vigil's environment.
      source: `vigil:${notice.environment}:${incident.model ?? 'platform'}`,
      severity: PAGERDUTY_SEVERITY[incident.severity],
      timestamp: notice.at,
      ...(incident.model ? { component: incident.model } : {}),
      group: `vigil-${notice.environment}`,
      class: notice.event,
      custom_details: details,
    },
    links: view.links.map((each) => ({ href: each.url, text: each.label })),
    client: 'Vigil',
    client_url: notice.links.dashboard ?? notice.links.incident,
  };
}

/** The PagerDuty event for a message, or why it is not sent. */
export function pagerDutyEvent(message: NotificationMessage, routingKey: string): PagerDutyFormat {
  if (message.kind !== 'incident') return { kind: 'skip', reason: PAGERDUTY_SKIP_REASON };
  const action = PAGERDUTY_ACTION[message.event];
  if (action === 'trigger') return { kind: 'event', event: triggerEvent(message, routingKey) };
  // The documented acknowledge and resolve requests carry only the key, the action and the dedup key.
  return {
    kind: 'event',
    event: { routing_key: routingKey, event_action: action, dedup_key: message.incident.id },
  };
}
