import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricRollup } from '../../../../lambdas/metrics/core/rollup.js';
import { SpillingMetricWriter } from '../../../../lambdas/metrics/core/spilling-metric-writer.js';
import type {
  MetricWriter,
  WriteOptions,
  WriteOutcome,
} from '../../../../lambdas/metrics/ports/metric-store.js';
import type { IdentifiedRollup, RetryQueue } from '../../../../lambdas/metrics/ports/retry-queue.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);
const rollup = (metric: string): MetricRollup => ({
  metric,
  dimensions: { model: 'fraud' },
  minute: MINUTE,
  count: 1,
  sum: 1,
  min: 1,
  max: 1,
});
const rollups = [rollup('predictions'), rollup('errors'), rollup('latency_ms')];

/** A store that records what it was asked and answers with `respond`. */
function fakeStore(respond: (rollups: readonly MetricRollup[]) => Promise<WriteOutcome>) {
  const calls: Array<{ rollups: readonly MetricRollup[]; options: WriteOptions | undefined }> = [];
  const store: MetricWriter = {
    write: (written, options) => {
      calls.push({ rollups: written, options });
      return respond(written);
    },
  };
  return { store, calls };
}

function fakeQueue(fail?: Error) {
  const sent: Array<{ rollups: readonly IdentifiedRollup[]; reason: string }> = [];
  const queue: RetryQueue = {
    send: async (spilled, reason) => {
      if (fail) throw fail;
      sent.push({ rollups: spilled, reason });
    },
  };
  return { queue, sent };
}

describe('SpillingMetricWriter', () => {
  it('passes a write through, giving each rollup an id made of the batch id and its index', async () => {
    // Prepare
    const { store, calls } = fakeStore(async (written) => ({ written: written.length, rejected: [] }));
    const { queue, sent } = fakeQueue();
    const writer = new SpillingMetricWriter(store, queue, { newBatchId: () => 'batch7' });

    // Act
    const outcome = await writer.write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 3, rejected: [] });
    assert.deepEqual(calls[0]!.options, { rollupIds: ['batch7.0', 'batch7.1', 'batch7.2'] });
    assert.equal(sent.length, 0);
  });

  it('reports refused rollups without spilling them: replaying bad data would fail again', async () => {
    // Prepare
    const refused = { rollup: rollups[1]!, reason: 'dimension name "time" is reserved' };
    const { store } = fakeStore(async () => ({ written: 2, rejected: [refused] }));
    const { queue, sent } = fakeQueue();

    // Act
    const outcome = await new SpillingMetricWriter(store, queue).write(rollups);

    // Assess
    assert.deepEqual(outcome.rejected, [refused]);
    assert.equal(sent.length, 0);
  });

  it('spills the whole batch, with the ids the store was given, when the store fails', async () => {
    // Prepare
    const outage = Object.assign(new Error('connection timed out'), { name: 'TimeoutError' });
    const { store, calls } = fakeStore(async () => {
      throw outage;
    });
    const { queue, sent } = fakeQueue();
    const writer = new SpillingMetricWriter(store, queue, { newBatchId: () => 'b' });

    // Act
    const outcome = await writer.write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 0, rejected: [], spilled: 3 });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.reason, 'TimeoutError: connection timed out');
    assert.deepEqual(
      sent[0]!.rollups.map(({ id }) => id),
      calls[0]!.options!.rollupIds,
    );
    assert.deepEqual(
      sent[0]!.rollups.map(({ rollup }) => rollup),
      rollups,
    );
  });

  it('lets the error propagate when the retry queue fails too, naming both failures', async () => {
    // Prepare
    const { store } = fakeStore(async () => {
      throw new Error('table unavailable');
    });
    const { queue } = fakeQueue(new Error('queue unavailable'));

    // Act, Assess
    await assert.rejects(
      new SpillingMetricWriter(store, queue).write(rollups),
      /the metric store failed \(Error: table unavailable\) and the retry queue failed too \(Error: queue unavailable\)/,
    );
  });

  it('keeps ids it is given, so a replayed batch is written under its first ids', async () => {
    // Prepare
    const { store, calls } = fakeStore(async (written) => ({ written: written.length, rejected: [] }));
    const { queue } = fakeQueue();

    // Act
    await new SpillingMetricWriter(store, queue).write(rollups, { rollupIds: ['x.0', 'x.1', 'x.2'] });

    // Assess
    assert.deepEqual(calls[0]!.options, { rollupIds: ['x.0', 'x.1', 'x.2'] });
  });

  it('does not call the store for an empty batch', async () => {
    const { store, calls } = fakeStore(async () => ({ written: 0, rejected: [] }));
    assert.deepEqual(await new SpillingMetricWriter(store, fakeQueue().queue).write([]), {
      written: 0,
      rejected: [],
    });
    assert.equal(calls.length, 0);
  });

  it('gives concurrent batches different ids by default', async () => {
    // Prepare
    const { store, calls } = fakeStore(async (written) => ({ written: written.length, rejected: [] }));
    const writer = new SpillingMetricWriter(store, fakeQueue().queue);

    // Act
    await Promise.all([writer.write(rollups), writer.write(rollups)]);

    // Assess
    const [first, second] = calls.map((call) => call.options!.rollupIds!);
    assert.equal(new Set([...first!, ...second!]).size, 6);
  });
});
