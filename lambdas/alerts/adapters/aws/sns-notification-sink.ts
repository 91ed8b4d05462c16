import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { PipelineEnvelope } from '../../../notifications/core/message.js';
import {
  notificationModels,
  notificationSeverity,
  notificationSubject,
  utf8Bytes,
} from '../../core/notification-text.js';
import type {
  AlertNotification,
  DigestNotification,
  Notification,
} from '../../core/pipeline-notifications.js';
import type { NotificationSink } from '../../ports/notification-sink.js';

/**
 * The most an SNS message may weigh, body and attributes (names, data types and values) together: 256 KiB
 * unless the topic's MaximumMessageSize says otherwise.
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** SNS wants subjects "less than 100 characters long"; counting UTF-8 bytes bounds the characters too. */
export const SNS_MAX_SUBJECT_BYTES = 99;

/** Options of an `SnsNotificationSink`. */
export interface SnsNotificationSinkProps {
  /** The client to publish with; its retry settings are the sink's. */
  readonly client: SNSClient;
  /** The topic every notification is published to; subscriptions filter on the message attributes. */
  readonly topicArn: string;
  /** The environment's name, carried in the message and as the `environment` attribute. */
  readonly environment: string;
  /** The dashboard every notification links to, when there is one. */
  readonly dashboardUrl?: string;
  /**
   * The topic's MaximumMessageSize, in bytes.
   * @default SNS_MAX_MESSAGE_BYTES
   */
  readonly maxMessageBytes?: number;
}

/** An alert notification as published, with the alerts left out to fit the size limit counted. */
type PublishedAlerts = AlertNotification &
  PipelineEnvelope & { readonly environment: string; readonly omittedAlerts?: number };
/** A digest as published; entries left out to fit the size limit are added to `omitted`. */
type PublishedDigest = DigestNotification & PipelineEnvelope & { readonly environment: string };

/**
 * Publishes notifications to one SNS topic: the notification as JSON (with `environment`), a subject for
 * email subscribers, and String message attributes for subscription filter policies: `kind`, `severity`
 * (the highest of the firing alerts; none for a digest), `status`, `rule`, `model` (when the notification
 * is about one model) and `environment`; the message links to the dashboard when the sink knows it. A message over the size limit keeps as many alerts (firing ones
 * first) or digest entries as fit and says how many it left out. SDK errors propagate after its retries.
 */
export class SnsNotificationSink implements NotificationSink {
  private readonly client: SNSClient;
  private readonly topicArn: string;
  private readonly environment: string;
  private readonly maxMessageBytes: number;
  private readonly links: PipelineEnvelope;

  constructor(props: SnsNotificationSinkProps) {
    this.client = props.client;
    this.topicArn = props.topicArn;
    this.environment = props.environment;
    this.maxMessageBytes = props.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES;
    this.links = props.dashboardUrl ? { links: { dashboard: props.dashboardUrl } } : {};
  }

  /** Publishes the notification; rejects with the SDK's error when SNS refuses it. */
  async send(notification: Notification): Promise<void> {
    const attributes = this.attributes(notification);
    const subject = notificationSubject(notification, this.environment, SNS_MAX_SUBJECT_BYTES);
    // The subject does not count towards SNS's limit as documented; counting it keeps a margin.
    const budget = this.maxMessageBytes - attributesBytes(attributes) - utf8Bytes(subject);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: this.message(notification, budget),
        MessageAttributes: attributes,
      }),
    );
  }

  private attributes(notification: Notification): Record<string, MessageAttributeValue> {
    const models = notificationModels(notification);
    const values: Record<string, string | undefined> = {
      kind: notification.kind,
      severity: notificationSeverity(notification),
      status: notification.kind === 'alerts' ? notification.status : undefined,
      rule: notification.rule,
      model: models.length === 1 ? models[0] : undefined,
      environment: this.environment,
    };
    // SNS refuses attributes with empty values.
    return Object.fromEntries(
      Object.entries(values)
        .filter((entry): entry is [string, string] => !!entry[1])
        .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
  }

  /** The message body in at most `budget` bytes, cutting the alert (or digest entry) list to fit. */
  private message(notification: Notification, budget: number): string {
    const { environment } = this;
    const listed =
      notification.kind === 'alerts' ? notification.alerts.length : notification.suppressed.length;
    const render = (kept: number): string => {
      if (notification.kind === 'digest') {
        const digest: PublishedDigest = {
          ...notification,
          environment,
          ...this.links,
          suppressed: notification.suppressed.slice(0, kept),
          omitted: notification.omitted + listed - kept,
        };
        return JSON.stringify(digest);
      }
      const alerts: PublishedAlerts = {
        ...notification,
        environment,
        ...this.links,
        alerts: notification.alerts.slice(0, kept),
        ...(kept < listed ? { omittedAlerts: listed - kept } : {}),
      };
      return JSON.stringify(alerts);
    };
    const whole = render(listed);
    if (utf8Bytes(whole) <= budget) return whole;
    // The most entries that fit, by bisection: the size grows with every entry kept.
    let fits = 0;
    let tooMany = listed;
    while (tooMany - fits > 1) {
      const middle = Math.floor((fits + tooMany) / 2);
      if (utf8Bytes(render(middle)) <= budget) fits = middle;
      else tooMany = middle;
    }
    return render(fits);
  }
}

/** What message attributes weigh towards the size limit: each name, data type and value. */
function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (bytes, [name, value]) =>
      bytes + utf8Bytes(name) + utf8Bytes(value.DataType ?? '') + utf8Bytes(value.StringValue ?? ''),
    0,
  );
}
