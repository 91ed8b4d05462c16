import { alertSeverity, MODEL_LABEL, maxSeverity, type Severity } from './alert.js';
import type { SuppressedNotification } from './fatigue.js';
import type {
  AlertNotification,
  DigestNotification,
  Notification,
  NotifiedAlert,
} from './pipeline-notifications.js';

/*
 * How a notification reads to people (a console line, an email subject) and what sinks label it with. One
 * line per notification: text from annotations is flattened so a line break in a summary cannot split it.
 */

/**
 * How severe a notification is: the highest severity of its firing alerts, or of all its alerts once all
 * have resolved (so a resolution reaches whoever got the page); none for a digest, which lists no labels.
 */
export function notificationSeverity(notification: Notification): Severity | undefined {
  if (notification.kind === 'digest') return undefined;
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const counted = firing.length > 0 ? firing : notification.alerts;
  return counted.length === 0 ? undefined : counted.map(alertSeverity).reduce(maxSeverity);
}

/** The models a notification is about (its alerts' `model` labels), in order of first mention. */
export function notificationModels(notification: Notification): string[] {
  if (notification.kind === 'digest') return [];
  const models = notification.alerts.map((alert) => alert.labels[MODEL_LABEL]);
  return [...new Set(models.filter((model): model is string => !!model))];
}

/** The alert name a notification is about: its alerts' common name, else the rule it counts against. */
function alertName(notification: AlertNotification): string {
  const names = new Set(notification.alerts.map((alert) => alert.name));
  return names.size === 1 ? [...names][0]! : notification.rule;
}

/** The summary of the first firing alert that has one, else of the first alert that has one. */
function leadSummary(notification: AlertNotification): string | undefined {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  return [...firing, ...notification.alerts].find((alert) => alert.annotations.summary)?.annotations.summary;
}

/** Text on one line: control characters (line breaks, tabs) become single spaces. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A notification in a line without a prefix, e.g. `FIRING critical ModelErrorRateHigh model=fraud — ...`. */
function describeNotification(notification: Notification): string {
  if (notification.kind === 'digest') {
    const { suppressed, omitted } = notification;
    const alerts = suppressed.reduce((count, entry) => count + entry.alerts.length, 0);
    const unlisted = omitted > 0 ? `; ${omitted} more not listed` : '';
    return `DIGEST ${notification.rule} — ${plural(suppressed.length + omitted, 'notification')} held back by the fatigue guard (${plural(alerts, 'alert')} in the ${suppressed.length} listed${unlisted})`;
  }
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  const resolved = notification.alerts.length - firing;
  const models = notificationModels(notification);
  const parts = [
    notification.status.toUpperCase(),
    notificationSeverity(notification),
    alertName(notification),
    models.length === 0 ? undefined : `${models.length === 1 ? 'model' : 'models'}=${models.join(',')}`,
    notification.alerts.length > 1 ? `(${firing} firing, ${resolved} resolved)` : undefined,
  ];
  const summary = leadSummary(notification);
  const head = parts.filter((part) => part !== undefined).join(' ');
  return summary ? `${head} — ${summary}` : head;
}

/**
 * The console line for a notification, e.g.
 * `[vigil] FIRING critical ModelErrorRateHigh model=fraud — Error rate of fraud is 12.5%`; a digest reads
 * `[vigil] DIGEST <rule> — 4 notifications held back by the fatigue guard (6 alerts in the 4 listed)`.
 */
export function formatNotificationLine(notification: Notification): string {
  return `[vigil] ${oneLine(describeNotification(notification))}`;
}

/** The size of `text` in UTF-8 bytes, as AWS counts message and subject sizes. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The UTF-8 size of one code point. */
function codePointBytes(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, ending in `...` when cut; never splits a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const mark = '...';
  if (maxBytes < mark.length) return '';
  let kept = '';
  let bytes = mark.length;
  for (const character of text) {
    bytes += codePointBytes(character.codePointAt(0)!);
    if (bytes > maxBytes) break;
    kept += character;
  }
  return `${kept}${mark}`;
}

/**
 * An email subject for a notification, e.g. `[vigil prod] FIRING critical ModelErrorRateHigh model=fraud
 * — ...`, on one line and cut to `maxBytes` UTF-8 bytes (which bounds the characters too).
 */
export function notificationSubject(
  notification: Notification,
  environment: string,
  maxBytes: number,
): string {
  return truncateUtf8(oneLine(`[vigil ${environment}] ${describeNotification(notification)}`), maxBytes);
}

/** An alert notification as the outbox records it: times as ISO-8601 strings. */
export type AlertNotificationRecord = Omit<AlertNotification, 'at' | 'alerts'> & {
  readonly at: string;
  readonly alerts: readonly (Omit<NotifiedAlert, 'startsAt' | 'endsAt'> & {
    readonly startsAt: string;
    readonly endsAt?: string;
  })[];
};

/** A digest as the outbox records it: times as ISO-8601 strings. */
export type DigestNotificationRecord = Omit<DigestNotification, 'at' | 'suppressed'> & {
  readonly at: string;
  readonly suppressed: readonly (Omit<SuppressedNotification, 'at'> & { readonly at: string })[];
};

/** A notification as the outbox records it. */
export type NotificationRecord = AlertNotificationRecord | DigestNotificationRecord;

/** The notification with every time (`at`, `startsAt`, `endsAt`) as an ISO-8601 string, for the outbox. */
export function notificationRecord(notification: Notification): NotificationRecord {
  const at = new Date(notification.at).toISOString();
  if (notification.kind === 'digest') {
    return {
      ...notification,
      at,
      suppressed: notification.suppressed.map((entry) => ({
        ...entry,
        at: new Date(entry.at).toISOString(),
      })),
    };
  }
  return {
    ...notification,
    at,
    alerts: notification.alerts.map((alert) => ({
      ...alert,
      startsAt: new Date(alert.startsAt).toISOString(),
      endsAt: alert.endsAt === undefined ? undefined : new Date(alert.endsAt).toISOString(),
    })),
  };
}
