import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { encodeRetryMessage } from '../../core/rollup-codec.js';
import type { IdentifiedRollup, RetryQueue } from '../../ports/retry-queue.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type RetryOptions, realSleep, withRetries } from './retry.js';

/** SQS SendMessageBatch limits: 10 messages, each and all together at most 256 KiB. */
export const SQS_LIMITS = { messagesPerBatch: 10, messageBytes: 256 * 1024, batchBytes: 256 * 1024 } as const;

/** A failure reason is kept short: it is for people reading the queue, and the rollups need the room. */
const MAX_REASON_LENGTH = 1000;

function bytesOf(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The retry message bodies for some rollups: as few as possible, each at most `maxBytes`. The rollups are
 * halved until each part fits, so the order is kept and every rollup lands in exactly one message.
 */
export function retryMessageBodies(
  rollups: readonly IdentifiedRollup[],
  reason: string,
  maxBytes: number = SQS_LIMITS.messageBytes,
): string[] {
  const shortReason = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}...` : reason;
  const body = encodeRetryMessage(rollups, shortReason);
  if (bytesOf(body) <= maxBytes) return [body];
  if (rollups.length === 1)
    throw new Error(
      `one rollup encodes to ${bytesOf(body)} bytes; a retry message holds at most ${maxBytes}`,
    );
  const half = Math.ceil(rollups.length / 2);
  return [
    ...retryMessageBodies(rollups.slice(0, half), shortReason, maxBytes),
    ...retryMessageBodies(rollups.slice(half), shortReason, maxBytes),
  ];
}

/** Packs message bodies into SendMessageBatch entries, at most 10 and 256 KiB per batch. */
function batchesOf(bodies: readonly string[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = bytesOf(body);
    if (
      current.length === SQS_LIMITS.messagesPerBatch ||
      (current.length > 0 && bytes + size > SQS_LIMITS.batchBytes)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ Id: `m${index}`, MessageBody: body });
    bytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Which queue a `SqsRetryQueue` sends to, and how it retries. */
export interface SqsRetryQueueProps extends RetryOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Largest message body, bytes. @default SQS_LIMITS.messageBytes */
  readonly maxMessageBytes?: number;
}

/**
 * The retry queue on SQS: spilled rollups as JSON messages (`encodeRetryMessage`), split to fit SQS's
 * message and batch limits. Entries SQS fails for its own reasons are sent again with backoff; when some
 * still fail, or SQS blames the sender, the error propagates so that nothing is dropped unnoticed.
 */
export class SqsRetryQueue implements RetryQueue {
  constructor(private readonly props: SqsRetryQueueProps) {}

  async send(rollups: readonly IdentifiedRollup[], reason: string): Promise<void> {
    if (rollups.length === 0) return;
    const bodies = retryMessageBodies(rollups, reason, this.props.maxMessageBytes ?? SQS_LIMITS.messageBytes);
    for (const batch of batchesOf(bodies)) await this.sendBatch(batch);
  }

  private async sendBatch(batch: readonly SendMessageBatchRequestEntry[]): Promise<void> {
    const policy = this.props.backoff ?? DEFAULT_BACKOFF;
    let entries = batch;
    for (let attempt = 1; ; attempt++) {
      const command = new SendMessageBatchCommand({ QueueUrl: this.props.queueUrl, Entries: [...entries] });
      const result = await withRetries(() => this.props.client.send(command), this.props);
      const failed = result.Failed ?? [];
      if (failed.length === 0) return;
      const summary = failed
        .map((entry) => `${entry.Id}: ${entry.Code} ${entry.Message ?? ''}`.trim())
        .join('; ');
      if (failed.some((entry) => entry.SenderFault) || attempt >= policy.maxAttempts)
        throw new Error(
          `the retry queue did not take ${failed.length} of ${entries.length} messages: ${summary}`,
        );
      const failedIds = new Set(failed.map((entry) => entry.Id));
      entries = entries.filter((entry) => failedIds.has(entry.Id));
      if (entries.length === 0)
        throw new Error(`the retry queue reported unknown failed messages: ${summary}`);
      await (this.props.sleep ?? realSleep)(
        backoffDelayMs(attempt - 1, policy, this.props.random ?? Math.random),
      );
    }
  }
}
