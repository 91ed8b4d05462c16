import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { LogRecord } from '../../../../lambdas/events/core/records.js';
import type {
  EventWriteOptions,
  IdentifyingEventStore,
} from '../../../../lambdas/events/core/spilling-event-store.js';
import type { MetricRollup } from '../../../../lambdas/metrics/core/rollup.js';
import {
  encodeEventRetryMessage,
  encodeRetryMessage,
} from '../../../../lambdas/metrics/core/rollup-codec.js';
import { createReplayHandler } from '../../../../lambdas/metrics/handlers/replay.js';
import type {
  MetricWriter,
  WriteOptions,
  WriteOutcome,
} from '../../../../lambdas/metrics/ports/metric-store.js';
import { lambdaContext } from '../../../support/api-gateway-events.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);
const rollup = (model: string): MetricRollup => ({
  metric: 'predictions',
  dimensions: { model },
  minute: MINUTE,
  count: 2,
  sum: 2,
  min: 1,
  max: 1,
});

/** An SQS record as Lambda's SQS event source delivers it (AWS Lambda developer guide, "Using Lambda with Amazon SQS"). */
function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1773151500000',
      SenderId: 'AROAEXAMPLE:vigil-ingest',
      ApproximateFirstReceiveTimestamp: '1773151500100',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:vigil-prod-retry',
    awsRegion: 'eu-west-1',
  };
}

function fakeWriter(respond: (rollups: readonly MetricRollup[]) => WriteOutcome) {
  const calls: Array<{ rollups: readonly MetricRollup[]; options?: WriteOptions }> = [];
  const writer: MetricWriter = {
    write: async (rollups, options) => {
      calls.push({ rollups, ...(options ? { options } : {}) });
      return respond(rollups);
    },
  };
  return { writer, calls };
}

describe('replay handler', () => {
  it('writes each message under its original ids and reports only the messages that failed', async () => {
    // Prepare
    const { writer, calls } = fakeWriter((rollups) => {
      if (rollups.some((r) => r.dimensions.model === 'unlucky'))
        throw new Error('ThrottlingException: Rate exceeded');
      return { written: rollups.length, rejected: [] };
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord(
          'ok-1',
          encodeRetryMessage(
            [
              { id: 'b1.0', rollup: rollup('fraud') },
              { id: 'b1.1', rollup: rollup('churn') },
            ],
            'TimeoutError',
          ),
        ),
        sqsRecord('garbled', '{"version":1,'),
        sqsRecord(
          'still-failing',
          encodeRetryMessage([{ id: 'b2.0', rollup: rollup('unlucky') }], 'TimeoutError'),
        ),
      ],
    };
    const handler = createReplayHandler(() => ({ metricWriter: writer }));

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    assert.deepEqual(
      [...response.batchItemFailures].sort((a, b) => a.itemIdentifier.localeCompare(b.itemIdentifier)),
      [{ itemIdentifier: 'garbled' }, { itemIdentifier: 'still-failing' }],
    );
    const replayed = calls.find((call) => call.rollups.length === 2)!;
    assert.deepEqual(replayed.rollups, [rollup('fraud'), rollup('churn')]);
    assert.deepEqual(replayed.options, { rollupIds: ['b1.0', 'b1.1'] });
  });

  it('counts a message whose rollups the store refuses as done: bad data does not improve with retries', async () => {
    // Prepare
    const { writer } = fakeWriter((rollups) => ({
      written: 0,
      rejected: rollups.map((r) => ({
        rollup: r,
        reason: 'timestream rejected the record: outside the memory store',
      })),
    }));
    const event: SQSEvent = {
      Records: [
        sqsRecord('old', encodeRetryMessage([{ id: 'b.0', rollup: rollup('fraud') }], 'TimeoutError')),
      ],
    };

    // Act
    const response = await createReplayHandler(() => ({ metricWriter: writer }))(event, lambdaContext());

    // Assess
    assert.deepEqual(response.batchItemFailures, []);
  });

  it('reports every message when the whole batch fails, instead of throwing', async () => {
    const { writer } = fakeWriter(() => {
      throw new Error('InternalServerException');
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord('a', encodeRetryMessage([{ id: 'a.0', rollup: rollup('fraud') }], 'x')),
        sqsRecord('b', encodeRetryMessage([{ id: 'b.0', rollup: rollup('fraud') }], 'x')),
      ],
    };
    const response = await createReplayHandler(() => ({ metricWriter: writer }))(event, lambdaContext());
    assert.equal(response.batchItemFailures.length, 2);
  });
});

describe('replay handler, messages of events', () => {
  const log = (message: string): LogRecord => ({
    timestamp: MINUTE,
    level: 'error',
    message,
    attributes: {},
  });

  /** An event store that takes every log but the ones saying "unmappable", and records what it was given. */
  function fakeEventStore() {
    const writes: Array<{ logs: readonly LogRecord[]; options?: EventWriteOptions }> = [];
    const unused = async () => {
      throw new Error('not expected in this test');
    };
    const store: IdentifyingEventStore = {
      writeLogs: async (logs, options) => {
        writes.push({ logs, ...(options ? { options } : {}) });
        return {
          written: logs.filter((l) => l.message !== 'unmappable').length,
          rejected: logs.flatMap((l, index) =>
            l.message === 'unmappable' ? [{ index, reason: 'mapper_parsing_exception: bad field' }] : [],
          ),
        };
      },
      writeSpans: unused,
      writePredictionEvents: unused,
      searchLogs: unused,
      getTraceSpans: unused,
      errorPatterns: unused,
    };
    return { store, writes };
  }

  it('writes spilled logs back to the event store under their document ids; refused ones do not fail it', async () => {
    // Prepare
    const { store, writes } = fakeEventStore();
    const { writer, calls } = fakeWriter((rollups) => ({ written: rollups.length, rejected: [] }));
    const body = encodeEventRetryMessage(
      {
        kind: 'logs',
        records: [
          { id: 'b7.0', record: log('declined') },
          { id: 'b7.1', record: log('unmappable') },
        ],
      },
      'ConnectionError: connect ECONNREFUSED',
    );
    const event: SQSEvent = {
      Records: [
        sqsRecord('events', body),
        sqsRecord('rollups', encodeRetryMessage([{ id: 'r.0', rollup: rollup('fraud') }], 'x')),
      ],
    };

    // Act
    const response = await createReplayHandler(() => ({ metricWriter: writer, eventStore: store }))(
      event,
      lambdaContext(),
    );

    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.deepEqual(writes, [
      { logs: [log('declined'), log('unmappable')], options: { documentIds: ['b7.0', 'b7.1'] } },
    ]);
    assert.equal(calls.length, 1);
  });

  it('fails a message of events when the function has no event store, so it waits for one', async () => {
    const { writer } = fakeWriter(() => ({ written: 0, rejected: [] }));
    const body = encodeEventRetryMessage({ kind: 'logs', records: [{ id: 'b.0', record: log('x') }] }, 'x');
    const response = await createReplayHandler(() => ({ metricWriter: writer }))(
      { Records: [sqsRecord('events', body)] },
      lambdaContext(),
    );
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'events' }]);
  });
});
