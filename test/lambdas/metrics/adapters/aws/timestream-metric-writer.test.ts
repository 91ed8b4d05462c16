import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type _Record,
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsRetryQueue } from '../../../../../lambdas/metrics/adapters/aws/sqs-retry-queue.js';
import { TimestreamMetricWriter } from '../../../../../lambdas/metrics/adapters/aws/timestream-metric-writer.js';
import type { MetricRollup } from '../../../../../lambdas/metrics/core/rollup.js';
import { decodeRetryMessage } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import { SpillingMetricWriter } from '../../../../../lambdas/metrics/core/spilling-metric-writer.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);
const timestream = mockClient(TimestreamWriteClient);
const sqs = mockClient(SQSClient);
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 };

function rollupsFor(count: number): MetricRollup[] {
  return Array.from({ length: count }, (_, i) => ({
    metric: 'predictions',
    dimensions: { model: `model-${i}` },
    minute: MINUTE,
    count: i + 1,
    sum: i + 1,
    min: 1,
    max: 1,
  }));
}

function writerWith(delays: number[] = []) {
  return new TimestreamMetricWriter({
    client: new TimestreamWriteClient({ region: 'eu-west-1' }),
    databaseName: 'vigil',
    tableName: 'rollups',
    backoff: policy,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
  });
}

const sentRecords = (): _Record[][] =>
  timestream.commandCalls(WriteRecordsCommand).map((call) => call.args[0].input.Records ?? []);
const rollupIdOf = (record: _Record) => record.Dimensions!.find((d) => d.Name === 'rollup_id')!.Value!;
const modelOf = (record: _Record) => record.Dimensions!.find((d) => d.Name === 'model')!.Value!;
const timeout = () => Object.assign(new Error('socket timed out after 3000 ms'), { name: 'TimeoutError' });

describe('TimestreamMetricWriter', () => {
  beforeEach(() => {
    timestream.reset();
    sqs.reset();
  });

  it('writes 250 rollups in requests of 100, 100 and 50 records, to the configured table', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).resolves({});
    const rollups = rollupsFor(250);

    // Act
    const outcome = await writerWith().write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 250, rejected: [] });
    assert.deepEqual(
      sentRecords().map((records) => records.length),
      [100, 100, 50],
    );
    const input = timestream.commandCalls(WriteRecordsCommand)[0]!.args[0].input;
    assert.equal(input.DatabaseName, 'vigil');
    assert.equal(input.TableName, 'rollups');
    const records = sentRecords().flat();
    assert.deepEqual(
      records.map(modelOf),
      rollups.map((rollup) => rollup.dimensions.model),
    );
    assert.equal(new Set(records.map(rollupIdOf)).size, 250);
  });

  it('retries throttling with exponential backoff and jitter, then succeeds', async () => {
    // Prepare
    const throttled = new ThrottlingException({
      message: 'Rate exceeded',
      Message: 'Rate exceeded',
      $metadata: { httpStatusCode: 429 },
    });
    timestream.on(WriteRecordsCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({});
    const delays: number[] = [];

    // Act
    const outcome = await writerWith(delays).write(rollupsFor(3));

    // Assess: full jitter with random 0.5 waits half of 100 ms, then half of 200 ms.
    assert.deepEqual(outcome, { written: 3, rejected: [] });
    assert.equal(timestream.commandCalls(WriteRecordsCommand).length, 3);
    assert.deepEqual(delays, [50, 100]);
  });

  it('reports the 2 records Timestream rejected, with its reasons, and counts the other 98 as written', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: 'One or more records have been rejected.',
        $metadata: { httpStatusCode: 419 },
        RejectedRecords: [
          {
            RecordIndex: 7,
            Reason: 'The record timestamp is outside the time range [..) of the memory store.',
          },
          {
            RecordIndex: 42,
            Reason: 'A record with the same dimensions, timestamp and measure name exists.',
            ExistingVersion: 1,
          },
        ],
      }),
    );
    const rollups = rollupsFor(100);

    // Act
    const outcome = await writerWith().write(rollups);

    // Assess
    assert.equal(outcome.written, 98);
    assert.deepEqual(outcome.rejected, [
      {
        rollup: rollups[7],
        reason:
          'timestream rejected the record: The record timestamp is outside the time range [..) of the memory store.',
      },
      {
        rollup: rollups[42],
        reason:
          'timestream rejected the record: A record with the same dimensions, timestamp and measure name exists. (existing version 1)',
      },
    ]);
    assert.equal(timestream.commandCalls(WriteRecordsCommand).length, 1, 'a rejection is not retried');
  });

  it('refuses invalid rollups before sending, and sends the valid ones', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).resolves({});
    const [good, alsoGood] = rollupsFor(2);
    const reserved = { ...good!, dimensions: { time: 'now' } };

    // Act
    const outcome = await writerWith().write([good!, reserved, alsoGood!]);

    // Assess
    assert.equal(outcome.written, 2);
    assert.equal(outcome.rejected.length, 1);
    assert.equal(outcome.rejected[0]!.rollup, reserved);
    assert.match(outcome.rejected[0]!.reason, /dimension name "time" is reserved/);
    assert.deepEqual(sentRecords()[0]!.map(modelOf), ['model-0', 'model-1']);
  });

  it('writes the ids it is given as rollup_id, and refuses ids that do not match the rollups', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).resolves({});

    // Act
    await writerWith().write(rollupsFor(2), { rollupIds: ['first.0', 'first.1'] });

    // Assess
    assert.deepEqual(sentRecords()[0]!.map(rollupIdOf), ['first.0', 'first.1']);
    await assert.rejects(
      writerWith().write(rollupsFor(2), { rollupIds: ['x'] }),
      /got 1 rollup ids for 2 rollups/,
    );
  });

  it('does not retry a request Timestream refuses as invalid', async () => {
    timestream
      .on(WriteRecordsCommand)
      .rejects(new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }));
    await assert.rejects(writerWith().write(rollupsFor(1)), { name: 'ValidationException' });
    assert.equal(timestream.commandCalls(WriteRecordsCommand).length, 1);
  });

  it('retries timeouts, then the spilling writer queues the whole batch under the ids it was written with', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).rejects(timeout());
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: 'm0', MessageId: '1', MD5OfMessageBody: '' }] });
    const delays: number[] = [];
    const queue = new SqsRetryQueue({
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: 'https://sqs/retry',
    });
    const writer = new SpillingMetricWriter(writerWith(delays), queue, { newBatchId: () => 'b9' });
    const rollups = rollupsFor(3);

    // Act
    const outcome = await writer.write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 0, rejected: [], spilled: 3 });
    assert.equal(timestream.commandCalls(WriteRecordsCommand).length, 4);
    assert.deepEqual(delays, [50, 100, 200]);
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    const message = decodeRetryMessage(entries[0]!.MessageBody!);
    assert.match(message.reason, /TimeoutError: socket timed out/);
    assert.deepEqual(
      message.rollups.map(({ id }) => id),
      sentRecords()[0]!.map(rollupIdOf),
    );
    assert.deepEqual(
      message.rollups.map(({ rollup }) => rollup),
      rollups,
    );
  });
});
