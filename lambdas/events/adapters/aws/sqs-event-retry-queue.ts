import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type RetryOptions, withRetries } from '../../../metrics/adapters/aws/retry.js';
import { SQS_LIMITS } from '../../../metrics/adapters/aws/sqs-retry-queue.js';
import { encodeEventRetryMessage } from '../../../metrics/core/rollup-codec.js';
import type { EventRetryQueue, SpilledEvents } from '../../../metrics/ports/retry-queue.js';

/** A failure reason is kept short: it is for people reading the queue, and the records need the room. */
const MAX_REASON_LENGTH = 1000;

function bytesOf(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Sound: the slice keeps the kind its records came with.
function slice(events: SpilledEvents, start: number, end?: number): SpilledEvents {
  return { ...events, records: events.records.slice(start, end) } as SpilledEvents;
}

/**
 * The retry message bodies for spilled records: as few as possible, each at most `maxBytes` (SQS takes
 * 256 KiB). The records are halved until each part fits, so the order is kept and every record lands in
 * exactly one message; a single record too large for a message is an error, never a truncation.
 */
export function eventRetryMessageBodies(
  events: SpilledEvents,
  reason: string,
  maxBytes: number = SQS_LIMITS.messageBytes,
): string[] {
  const shortReason = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}...` : reason;
  const body = encodeEventRetryMessage(events, shortReason);
  if (bytesOf(body) <= maxBytes) return [body];
  if (events.records.length <= 1)
    throw new Error(
      `one of the ${events.kind} encodes to ${bytesOf(body)} bytes; a retry message holds at most ${maxBytes}`,
    );
  const half = Math.ceil(events.records.length / 2);
  return [
    ...eventRetryMessageBodies(slice(events, 0, half), shortReason, maxBytes),
    ...eventRetryMessageBodies(slice(events, half), shortReason, maxBytes),
  ];
}

/** Which queue an `SqsEventRetryQueue` sends to, and how it retries. */
export interface SqsEventRetryQueueProps extends RetryOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Largest message body, bytes. @default SQS_LIMITS.messageBytes */
  readonly maxMessageBytes?: number;
}

/**
 * The retry queue on SQS for event records: the same queue as spilled rollups (the replay function tells
 * the messages apart by `kind`), one `SendMessage` per message. Spills happen during outages only, and are
 * a few messages each (256 KiB holds hundreds of records), so sending them one by one keeps this simple.
 * Failed sends are retried with backoff; when one still fails the error propagates, nothing is dropped.
 */
export class SqsEventRetryQueue implements EventRetryQueue {
  constructor(private readonly props: SqsEventRetryQueueProps) {}

  async send(events: SpilledEvents, reason: string): Promise<void> {
    if (events.records.length === 0) return;
    const bodies = eventRetryMessageBodies(
      events,
      reason,
      this.props.maxMessageBytes ?? SQS_LIMITS.messageBytes,
    );
    for (const body of bodies) {
      const command = new SendMessageCommand({ QueueUrl: this.props.queueUrl, MessageBody: body });
      await withRetries(() => this.props.client.send(command), this.props);
    }
  }
}
