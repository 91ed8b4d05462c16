import type { OutboxNotificationSink } from '../../../alerts/adapters/local/outbox-notification-sink.js';
import type { IncidentNotice } from '../../../notifications/core/message.js';
import { formatNoticeLine } from '../../core/notice-text.js';
import type { IncidentNoticePublisher, NoticeAudience } from '../../ports/notice-publisher.js';

/**
 * The local notice publisher: appends each notice to the local platform's outbox (with the channels it is
 * for, when not for everyone) and prints its line, through the same outbox writer as the alert pipeline's
 * notifications, so lines of both stay whole and in order.
 */
export class OutboxNoticePublisher implements IncidentNoticePublisher {
  constructor(private readonly outbox: OutboxNotificationSink) {}

  publish(notice: IncidentNotice, audience: NoticeAudience): Promise<void> {
    const record = {
      ...notice,
      ...(audience.channels ? { channels: audience.channels } : {}),
      ...(audience.topics ? { topics: audience.topics } : {}),
      ...(audience.severityTopic === false ? { severityTopic: false } : {}),
    };
    return this.outbox.append(record, formatNoticeLine(notice, audience));
  }
}
