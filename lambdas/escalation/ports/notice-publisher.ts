import type { IncidentNotice } from '../../notifications/core/message.js';

/** Who a notice is for. */
export interface NoticeAudience {
  /**
   * The channels it is for; undefined when it is for everything subscribed to the incident's severity
   * topic (a tier that targets `severity-topic`).
   */
  readonly channels?: readonly string[];
  /** SNS topics by ARN that get the notice too, as it is. */
  readonly topics?: readonly string[];
  /**
   * False when the notice is for those topics alone (a tier that targets only topics by ARN): nothing goes
   * to the severity topic. @default true
   */
  readonly severityTopic?: boolean;
}

/**
 * Publishes the escalation's notices (SNS topic of the incident's severity in AWS, the outbox locally).
 * Delivery is at least once: a retried step publishes the same notice again with the same `id`.
 */
export interface IncidentNoticePublisher {
  publish(notice: IncidentNotice, audience: NoticeAudience): Promise<void>;
}
