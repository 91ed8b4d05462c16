import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  WEBHOOK_FORMAT_VERSION,
  webhookHeaders,
  webhookPayload,
} from '../../../../../lambdas/notifications/core/formatters/webhook.js';
import { parseNotificationMessage } from '../../../../../lambdas/notifications/core/message.js';
import { alertNotification, digestNotification, notice } from '../../fixtures/messages.js';

describe('webhookPayload', () => {
  it('is the envelope as published, with the format version', () => {
    for (const message of [notice('trigger'), alertNotification(), digestNotification()]) {
      // Act
      const payload = webhookPayload(message);

      // Assess
      const { version, ...envelope } = JSON.parse(JSON.stringify(payload));
      assert.equal(version, WEBHOOK_FORMAT_VERSION);
      assert.deepEqual(envelope, JSON.parse(JSON.stringify(message)));
      // A receiver can read it with the same schema the formatter uses.
      assert.deepEqual(parseNotificationMessage(JSON.stringify(envelope)), envelope);
    }
  });

  it('sends the message id as the Idempotency-Key', () => {
    assert.deepEqual(webhookHeaders(notice('trigger')), { 'idempotency-key': notice('trigger').id });
  });
});
