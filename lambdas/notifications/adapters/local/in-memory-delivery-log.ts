import type { DeliveryLog } from '../../ports/delivery-log.js';

/** Delivery receipts in memory, for the local platform and tests: they last as long as the process. */
export class InMemoryDeliveryLog implements DeliveryLog {
  private readonly receipts = new Map<string, Set<string>>();

  async deliveredChannels(messageId: string): Promise<ReadonlySet<string>> {
    return new Set(this.receipts.get(messageId));
  }

  async recordDelivery(messageId: string, channel: string): Promise<void> {
    const channels = this.receipts.get(messageId) ?? new Set<string>();
    channels.add(channel);
    this.receipts.set(messageId, channels);
  }
}
