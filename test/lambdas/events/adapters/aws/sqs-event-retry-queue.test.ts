import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  eventRetryMessageBodies,
  SqsEventRetryQueue,
} from '../../../../../lambdas/events/adapters/aws/sqs-event-retry-queue.js';
import type { LogRecord } from '../../../../../lambdas/events/core/records.js';
import { decodeQueuedRetryMessage } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import type { SpilledEvents } from '../../../../../lambdas/metrics/ports/retry-queue.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-retry';
const sqs = mockClient(SQSClient);

function spilledLogs(count: number): SpilledEvents {
  return {
    kind: 'logs',
    records: Array.from({ length: count }, (_, i) => ({
      id: `batch.${i}`,
      record: {
        timestamp: Date.UTC(2026, 2, 10, 14, 5) + i,
        level: 'error',
        message: `payment declined for order ${i}`,
        attributes: { attempt: i },
      } satisfies LogRecord,
    })),
  };
}

const eventsOf = (body: string): SpilledEvents => {
  const message = decodeQueuedRetryMessage(body);
  assert.equal(message.kind, 'events');
  return message.events;
};

/** The records of messages, in order, as plain values. */
const recordsOf = (bodies: readonly string[]): unknown[] =>
  bodies.flatMap((body): unknown[] => [...eventsOf(body).records]);

describe('eventRetryMessageBodies', () => {
  it('keeps a batch that fits in one message, records and ids as given', () => {
    const events = spilledLogs(3);
    const bodies = eventRetryMessageBodies(events, 'ConnectionError: connect ECONNREFUSED');
    assert.equal(bodies.length, 1);
    assert.deepEqual(eventsOf(bodies[0]!), events);
    assert.equal(decodeQueuedRetryMessage(bodies[0]!).reason, 'ConnectionError: connect ECONNREFUSED');
  });

  it('splits a large batch into messages within the limit, every record once and in order', () => {
    // Prepare
    const events = spilledLogs(40);

    // Act
    const bodies = eventRetryMessageBodies(events, 'TimeoutError', 2000);

    // Assess
    assert.ok(bodies.length > 1);
    for (const body of bodies) assert.ok(Buffer.byteLength(body) <= 2000, `${Buffer.byteLength(body)} bytes`);
    assert.deepEqual(recordsOf(bodies), events.records);
  });

  it('refuses a single record larger than a message rather than truncating it', () => {
    assert.throws(
      () => eventRetryMessageBodies(spilledLogs(1), 'x', 100),
      /one of the logs encodes to \d+ bytes; a retry message holds at most 100/,
    );
  });
});

describe('SqsEventRetryQueue', () => {
  beforeEach(() => sqs.reset());

  const queue = (delays: number[] = [], maxMessageBytes?: number) =>
    new SqsEventRetryQueue({
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: QUEUE_URL,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
      ...(maxMessageBytes ? { maxMessageBytes } : {}),
    });

  it('sends each message body to the queue', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const events = spilledLogs(40);

    // Act
    await queue([], 2000).send(events, 'TimeoutError');

    // Assess
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    assert.ok(sent.length > 1);
    assert.ok(sent.every((input) => input.QueueUrl === QUEUE_URL));
    assert.deepEqual(recordsOf(sent.map((input) => input.MessageBody!)), events.records);
  });

  it('retries a throttled send, and lets a lasting failure propagate', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    sqs.on(SendMessageCommand).rejectsOnce(throttled).resolves({ MessageId: 'm' });
    const delays: number[] = [];
    await queue(delays).send(spilledLogs(1), 'x');
    assert.equal(sqs.commandCalls(SendMessageCommand).length, 2);
    assert.deepEqual(delays, [50]);

    sqs.reset();
    sqs.on(SendMessageCommand).rejects(throttled);
    await assert.rejects(queue().send(spilledLogs(1), 'x'), /Rate exceeded/);
    assert.equal(sqs.commandCalls(SendMessageCommand).length, 4);
  });

  it('sends nothing for nothing', async () => {
    await queue().send({ kind: 'spans', records: [] }, 'x');
    assert.equal(sqs.commandCalls(SendMessageCommand).length, 0);
  });
});
