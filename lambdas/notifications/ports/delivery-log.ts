/**
 * Receipts of delivered messages, per channel: a message that is delivered again (Lambda retries the whole
 * SNS record after any channel failed) skips the channels that already have it.
 */
export interface DeliveryLog {
  /** The channels `messageId` was delivered to (receipts past their retention count as absent). */
  deliveredChannels(messageId: string, now: number): Promise<ReadonlySet<string>>;
  /** Records that `messageId` reached `channel`. */
  recordDelivery(messageId: string, channel: string, now: number): Promise<void>;
}
