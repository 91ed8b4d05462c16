import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Severity } from '../../../alerts/core/alert.js';
import { truncateUtf8 } from '../../../alerts/core/notification-text.js';
import { AUDIENCE_ATTRIBUTE } from '../../../notifications/core/deliver.js';
import type { IncidentNotice } from '../../../notifications/core/message.js';
import { describeNotice } from '../../core/notice-text.js';
import type { IncidentNoticePublisher, NoticeAudience } from '../../ports/notice-publisher.js';

/** SNS wants subjects "less than 100 characters long"; counting UTF-8 bytes bounds the characters too. */
const SNS_MAX_SUBJECT_BYTES = 99;

/** Properties of `SnsIncidentNoticePublisher`. */
export interface SnsIncidentNoticePublisherProps {
  /** The client to publish with; its retry settings are the publisher's. */
  readonly client: SNSClient;
  /** The topic of each severity (`VIGIL_SEVERITY_TOPIC_ARNS`). */
  readonly topicArns: Readonly<Partial<Record<Severity, string>>>;
}

/**
 * Publishes incident notices to the SNS topic of the incident's severity: the notice as JSON, a subject for
 * email subscribers, and message attributes for subscription filter policies: `kind` (`incident`), `event`,
 * `severity`, `environment`, `incidentId`, `model` and `tier` (the tier's name) when known, and `channels`
 * (a String.Array) when the notice is only for some channels, which the formatter then delivers to alone.
 * A tier's topics of its own (by ARN) get the notice too, without `channels`; a tier that targets only
 * those leaves the severity topic out.
 * SDK errors propagate after its retries.
 */
export class SnsIncidentNoticePublisher implements IncidentNoticePublisher {
  constructor(private readonly props: SnsIncidentNoticePublisherProps) {}

  async publish(notice: IncidentNotice, audience: NoticeAudience): Promise<void> {
    const deliveries: [string, NoticeAudience][] = [];
    if (audience.severityTopic !== false) deliveries.push([this.severityTopic(notice), audience]);
    // Topics of their own get the notice for everyone on them: the channels narrow the severity topic only.
    for (const topicArn of audience.topics ?? []) deliveries.push([topicArn, {}]);
    const subject = truncateUtf8(
      `[vigil ${notice.environment}] ${describeNotice(notice)}`,
      SNS_MAX_SUBJECT_BYTES,
    );
    // One after another: a retried step publishes every topic again under the same notice id, which the
    // formatter's receipts and PagerDuty's dedup key absorb.
    for (const [topicArn, topicAudience] of deliveries) {
      await this.props.client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subject,
          Message: JSON.stringify(notice),
          MessageAttributes: noticeAttributes(notice, topicAudience),
        }),
      );
    }
  }

  private severityTopic(notice: IncidentNotice): string {
    const { severity } = notice.incident;
    const topicArn = this.props.topicArns[severity];
    if (!topicArn) {
      throw new Error(
        `no SNS topic for severity ${severity}; the severity topics are for ${Object.keys(this.props.topicArns).join(', ') || 'no severity'}`,
      );
    }
    return topicArn;
  }
}

/** The message attributes of a notice (SNS refuses empty values, so absent ones are left out). */
export function noticeAttributes(
  notice: IncidentNotice,
  audience: NoticeAudience,
): Record<string, MessageAttributeValue> {
  const values: Record<string, string | undefined> = {
    kind: notice.kind,
    event: notice.event,
    severity: notice.incident.severity,
    environment: notice.environment,
    incidentId: notice.incident.id,
    model: notice.incident.model,
    tier: notice.tier?.name,
  };
  const attributes: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, string] => !!entry[1])
      .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
  if (audience.channels && audience.channels.length > 0) {
    attributes[AUDIENCE_ATTRIBUTE] = {
      DataType: 'String.Array',
      StringValue: JSON.stringify(audience.channels),
    };
  }
  return attributes;
}
