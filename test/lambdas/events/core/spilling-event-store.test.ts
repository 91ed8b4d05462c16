import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord, SpanRecord } from '../../../../lambdas/events/core/records.js';
import {
  documentIdsFor,
  type EventWriteOptions,
  type IdentifyingEventStore,
  IncompleteWriteError,
  SpillingEventStore,
} from '../../../../lambdas/events/core/spilling-event-store.js';
import type { EventWriteOutcome } from '../../../../lambdas/events/ports/event-store.js';
import type { EventRetryQueue, SpilledEvents } from '../../../../lambdas/metrics/ports/retry-queue.js';
import { UnavailableError } from '../../../../lambdas/shared/unavailable-error.js';

const log = (message: string): LogRecord => ({
  timestamp: Date.UTC(2026, 2, 10, 14, 5),
  level: 'error',
  message,
  attributes: {},
});

const span: SpanRecord = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  name: 'predict',
  kind: 'server',
  startTime: 1,
  endTime: 2,
  durationMs: 1,
  status: 'ok',
  attributes: {},
  events: [],
};

/** A store whose every write answers with `respond`, remembering the ids it was given. */
function fakeStore(respond: () => EventWriteOutcome) {
  const writes: Array<{ count: number; options?: EventWriteOptions }> = [];
  const write = async (records: readonly unknown[], options?: EventWriteOptions) => {
    writes.push({ count: records.length, ...(options ? { options } : {}) });
    return respond();
  };
  const store: IdentifyingEventStore = {
    writeLogs: write,
    writeSpans: write,
    writePredictionEvents: write,
    searchLogs: async () => ({ logs: [], total: 3, totalIsExact: true }),
    getTraceSpans: async () => [span],
    errorPatterns: async () => [],
  };
  return { store, writes };
}

function fakeQueue(fail = false) {
  const sent: Array<{ events: SpilledEvents; reason: string }> = [];
  const queue: EventRetryQueue = {
    send: async (events, reason) => {
      if (fail) throw new Error('AccessDenied: not authorized to sqs:SendMessage');
      sent.push({ events, reason });
    },
  };
  return { queue, sent };
}

describe('SpillingEventStore', () => {
  it('gives every record an id before writing, and reports nothing spilled when the store takes the write', async () => {
    const { store, writes } = fakeStore(() => ({ written: 2, rejected: [] }));
    const { queue, sent } = fakeQueue();
    const spilling = new SpillingEventStore(store, queue, { newBatchId: () => 'b1' });

    const outcome = await spilling.writeLogs([log('a'), log('b')]);

    assert.deepEqual(outcome, { written: 2, rejected: [], spilled: 0 });
    assert.deepEqual(writes, [{ count: 2, options: { documentIds: ['b1.0', 'b1.1'] } }]);
    assert.equal(sent.length, 0);
  });

  it('spills the whole write, with its ids and the reason, when the store fails outright', async () => {
    // Prepare
    const { store } = fakeStore(() => {
      throw new Error('socket hang up');
    });
    const { queue, sent } = fakeQueue();
    const spilling = new SpillingEventStore(store, queue, { newBatchId: () => 'b2' });

    // Act
    const outcome = await spilling.writeSpans([span, span]);

    // Assess
    assert.deepEqual(outcome, { written: 0, rejected: [], spilled: 2 });
    assert.deepEqual(sent, [
      {
        events: {
          kind: 'spans',
          records: [
            { id: 'b2.0', record: span },
            { id: 'b2.1', record: span },
          ],
        },
        reason: 'Error: socket hang up',
      },
    ]);
  });

  it('spills only what an incomplete write left over, and keeps its written and rejected counts', async () => {
    // Prepare: of four logs, one was written, one refused, two left over.
    const { store } = fakeStore(() => {
      throw new IncompleteWriteError('opensearch did not take 2 of 4 logs: 429', {
        written: 1,
        rejected: [{ index: 2, reason: 'mapper_parsing_exception: bad' }],
        unwritten: [1, 3],
      });
    });
    const { queue, sent } = fakeQueue();
    const logs = [log('a'), log('b'), log('c'), log('d')];

    // Act
    const outcome = await new SpillingEventStore(store, queue, { newBatchId: () => 'b3' }).writeLogs(logs);

    // Assess
    assert.deepEqual(outcome, {
      written: 1,
      rejected: [{ index: 2, reason: 'mapper_parsing_exception: bad' }],
      spilled: 2,
    });
    assert.deepEqual(sent[0]!.events, {
      kind: 'logs',
      records: [
        { id: 'b3.1', record: logs[1] },
        { id: 'b3.3', record: logs[3] },
      ],
    });
    assert.equal(sent[0]!.reason, 'IncompleteWriteError: opensearch did not take 2 of 4 logs: 429');
  });

  it('answers UnavailableError when the retry queue fails too, so the client sends again', async () => {
    const { store } = fakeStore(() => {
      throw new Error('ConnectionError: connect ECONNREFUSED');
    });
    const { queue } = fakeQueue(true);
    await assert.rejects(
      new SpillingEventStore(store, queue).writePredictionEvents([
        { timestamp: 1, model: 'fraud', status: 'ok', latencyMs: 3, attributes: {} },
      ]),
      (error: Error) =>
        error instanceof UnavailableError &&
        /the event store failed \(Error: ConnectionError: connect ECONNREFUSED\) and the retry queue failed too \(Error: AccessDenied/.test(
          error.message,
        ),
    );
  });

  it('neither writes nor spills an empty write, and reads straight from the store', async () => {
    const { store, writes } = fakeStore(() => ({ written: 0, rejected: [] }));
    const { queue } = fakeQueue();
    const spilling = new SpillingEventStore(store, queue);
    assert.deepEqual(await spilling.writeLogs([]), { written: 0, rejected: [], spilled: 0 });
    assert.equal(writes.length, 0);
    assert.equal((await spilling.searchLogs({ from: 0, to: 1, limit: 1 })).total, 3);
    assert.deepEqual(await spilling.getTraceSpans(span.traceId), [span]);
  });

  it('numbers the ids of a write in base 36 after the batch id', () => {
    assert.deepEqual(documentIdsFor('b', 37).slice(35), ['b.z', 'b.10']);
  });
});
