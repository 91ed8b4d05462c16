import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  retryMessageBodies,
  SqsRetryQueue,
} from '../../../../../lambdas/metrics/adapters/aws/sqs-retry-queue.js';
import { decodeRetryMessage } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import type { IdentifiedRollup } from '../../../../../lambdas/metrics/ports/retry-queue.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-retry';
const sqs = mockClient(SQSClient);

function identified(count: number): IdentifiedRollup[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `batch.${i}`,
    rollup: {
      metric: 'predictions',
      dimensions: { model: `model-${i}` },
      minute: MINUTE,
      count: 1,
      sum: 1,
      min: 1,
      max: 1,
    },
  }));
}

function queueWith(maxMessageBytes?: number, delays: number[] = []) {
  return new SqsRetryQueue({
    client: new SQSClient({ region: 'eu-west-1' }),
    queueUrl: QUEUE_URL,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    ...(maxMessageBytes ? { maxMessageBytes } : {}),
  });
}

const sentEntries = () =>
  sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
const allSucceed = () =>
  sqs.on(SendMessageBatchCommand).callsFake((input) => ({
    Successful: input.Entries.map((entry: { Id: string }) => ({
      Id: entry.Id,
      MessageId: entry.Id,
      MD5OfMessageBody: '',
    })),
  }));

describe('retryMessageBodies', () => {
  it('keeps a batch that fits in one message', () => {
    const rollups = identified(3);
    const bodies = retryMessageBodies(rollups, 'ThrottlingException: Rate exceeded');
    assert.equal(bodies.length, 1);
    assert.deepEqual(decodeRetryMessage(bodies[0]!).rollups, rollups);
  });

  it('splits a large batch into messages within the limit, every rollup once and in order', () => {
    // Prepare
    const rollups = identified(60);

    // Act
    const bodies = retryMessageBodies(rollups, 'TimeoutError', 2000);

    // Assess
    assert.ok(bodies.length > 1);
    for (const body of bodies) assert.ok(Buffer.byteLength(body) <= 2000, `${Buffer.byteLength(body)} bytes`);
    assert.deepEqual(
      bodies.flatMap((body) => decodeRetryMessage(body).rollups),
      rollups,
    );
  });

  it('refuses a single rollup larger than a message rather than truncating it', () => {
    assert.throws(
      () => retryMessageBodies(identified(1), 'x', 100),
      /one rollup encodes to \d+ bytes; a retry message holds at most 100/,
    );
  });
});

describe('SqsRetryQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends the messages in SendMessageBatch calls of at most 10 entries', async () => {
    // Prepare
    allSucceed();
    const rollups = identified(200);

    // Act
    await queueWith(1500).send(rollups, 'InternalServerException: oops');

    // Assess
    const batches = sentEntries();
    assert.ok(batches.length >= 2);
    for (const batch of batches) assert.ok(batch.length >= 1 && batch.length <= 10);
    assert.ok(
      sqs.commandCalls(SendMessageBatchCommand).every((call) => call.args[0].input.QueueUrl === QUEUE_URL),
    );
    const received = batches.flat().flatMap((entry) => decodeRetryMessage(entry.MessageBody!).rollups);
    assert.deepEqual(received, rollups);
  });

  it('sends the entries SQS failed again, after a backoff, until they are taken', async () => {
    // Prepare
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: '1', MD5OfMessageBody: '' }],
        Failed: [{ Id: 'm1', SenderFault: false, Code: 'InternalError' }],
      })
      .resolves({ Successful: [{ Id: 'm1', MessageId: '2', MD5OfMessageBody: '' }] });
    const delays: number[] = [];

    // Act: at most 200 bytes per message puts each rollup in a message of its own.
    await queueWith(200, delays).send(identified(4), 'outage');

    // Assess
    const batches = sentEntries();
    assert.equal(batches.length, 2);
    assert.equal(batches[0]!.length, 4);
    assert.deepEqual(
      batches[1]!.map((entry) => entry.Id),
      ['m1'],
    );
    assert.equal(batches[1]![0]!.MessageBody, batches[0]![1]!.MessageBody);
    assert.deepEqual(delays, [50]);
  });

  it('fails at once when SQS blames the sender, and after the last attempt otherwise', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: 'm0', SenderFault: true, Code: 'InvalidParameterValue', Message: 'too big' }],
    });
    await assert.rejects(
      queueWith().send(identified(1), 'x'),
      /did not take 1 of 1 messages: m0: InvalidParameterValue too big/,
    );
    assert.equal(sqs.commandCalls(SendMessageBatchCommand).length, 1);

    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: 'm0', SenderFault: false, Code: 'InternalError' }] });
    await assert.rejects(queueWith().send(identified(1), 'x'), /did not take 1 of 1 messages/);
    assert.equal(sqs.commandCalls(SendMessageBatchCommand).length, 4);
  });

  it('lets an SQS outage propagate after its retries, so the caller answers 5xx', async () => {
    sqs.on(SendMessageBatchCommand).rejects(
      Object.assign(new Error('unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await assert.rejects(queueWith().send(identified(1), 'x'), /unavailable/);
    assert.equal(sqs.commandCalls(SendMessageBatchCommand).length, 4);
  });
});
