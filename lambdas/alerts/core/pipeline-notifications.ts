import { ALERT_NAME_LABEL, type AlertSource, type AlertStatus, type Labels } from './alert.js';
import type { SuppressedNotification } from './fatigue.js';
import type { NotifyReason } from './grouping.js';
import type { AlertRecord } from './pipeline-state.js';

/** One alert as a notification lists it. */
export interface NotifiedAlert {
  readonly fingerprint: string;
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly source: AlertSource;
  readonly status: AlertStatus;
  readonly startsAt: number;
  readonly endsAt?: number;
  readonly generatorUrl?: string;
}

/** A notification about a group of alerts (Alertmanager's webhook message, in Vigil's words). */
export interface AlertNotification {
  readonly kind: 'alerts';
  /** Stable for one group and time, so a sink can drop a resend after a retried run. */
  readonly id: string;
  readonly at: number;
  /** The rule the fatigue guard counts it for. */
  readonly rule: string;
  readonly groupKey: string;
  readonly groupLabels: Labels;
  readonly reason: NotifyReason;
  /** `firing` while any of its alerts fires. */
  readonly status: AlertStatus;
  /** Firing alerts first, then the resolved ones. */
  readonly alerts: readonly NotifiedAlert[];
}

/** A digest of the notifications the fatigue guard held back for one rule. */
export interface DigestNotification {
  readonly kind: 'digest';
  readonly id: string;
  readonly at: number;
  readonly rule: string;
  readonly suppressed: readonly SuppressedNotification[];
  /** Held-back notifications beyond what the digest lists. */
  readonly omitted: number;
}

/** What the pipeline hands to the notification sink. */
export type Notification = AlertNotification | DigestNotification;

/** The alert of a record as a notification lists it. */
export function notifiedAlert(record: AlertRecord): NotifiedAlert {
  const { alert } = record;
  return {
    fingerprint: record.fingerprint,
    name: alert.name,
    labels: alert.labels,
    annotations: alert.annotations,
    source: alert.source,
    status: alert.status,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorUrl: alert.generatorUrl,
  };
}

/**
 * The rule a group's notification counts against in the fatigue guard: the group's `alertname`, else the
 * name all its alerts share, else the group itself (a group mixing rules is limited as one).
 */
export function notificationRule(
  groupKey: string,
  groupLabels: Labels,
  alerts: readonly NotifiedAlert[],
): string {
  const grouped = groupLabels[ALERT_NAME_LABEL];
  if (grouped) return grouped;
  const names = new Set(alerts.map((alert) => alert.name));
  return names.size === 1 ? [...names][0]! : `group:${groupKey}`;
}

/** How a held-back notification is listed in a digest. */
export function suppressedEntry(notification: AlertNotification): SuppressedNotification {
  return {
    at: notification.at,
    groupKey: notification.groupKey,
    reason: notification.reason,
    alerts: notification.alerts.map((alert) => ({
      fingerprint: alert.fingerprint,
      name: alert.name,
      status: alert.status,
      summary: alert.annotations.summary,
    })),
  };
}
