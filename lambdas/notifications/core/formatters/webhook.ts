import type { NotificationMessage } from '../message.js';

/*
 * A generic webhook gets the envelope as published (message.ts documents it), with the version of that
 * format, so a receiver can tell which fields to expect as the format grows (additively, within a version).
 */

/** The version of the envelope format a generic webhook receives. */
export const WEBHOOK_FORMAT_VERSION = '1';

/** The body a generic webhook receives. */
export type WebhookPayload = NotificationMessage & { readonly version: typeof WEBHOOK_FORMAT_VERSION };

/** The generic webhook body for a message: the envelope and its format version. */
export function webhookPayload(message: NotificationMessage): WebhookPayload {
  return { version: WEBHOOK_FORMAT_VERSION, ...message };
}

/**
 * The headers a generic webhook receives besides the content type: the message id as `Idempotency-Key`,
 * so a receiver can drop a message delivered twice (after a retry that followed a lost answer).
 */
export function webhookHeaders(message: NotificationMessage): Record<string, string> {
  return { 'idempotency-key': message.id };
}
