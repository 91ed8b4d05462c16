import type { Notification } from '../core/pipeline-notifications.js';

/**
 * Where notifications go (SNS in AWS; the console, the outbox file and webhooks locally). Delivery is at
 * least once: a pipeline run that is retried after a lost write race may send a notification again with
 * the same `id`, which a sink or receiver can use to drop the repeat.
 */
export interface NotificationSink {
  send(notification: Notification): Promise<void>;
}
