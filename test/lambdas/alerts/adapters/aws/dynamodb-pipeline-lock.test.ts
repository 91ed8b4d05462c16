import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DynamoDbPipelineLock } from '../../../../../lambdas/alerts/adapters/aws/dynamodb-pipeline-lock.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../../lib/local/dynalite-state-store.js';

const T = Date.UTC(2026, 2, 10, 14, 0, 0);
const LEASE_MS = 30_000;

describe('DynamoDbPipelineLock', () => {
  let clock = T;
  let tables = 0;
  const stores: DynaliteStateStore[] = [];
  after(() => Promise.all(stores.map((store) => store.close())));

  /** A lock on a table of its own (the item is one per table). */
  async function lock() {
    const other = await startDynaliteStateStore({ tableName: `lock-${++tables}` });
    stores.push(other);
    return new DynamoDbPipelineLock({
      client: other.documentClient,
      tableName: other.tableName,
      clock: () => clock,
    });
  }

  it('lets one owner hold it until that owner releases it', async () => {
    // Prepare
    clock = T;
    const pipelineLock = await lock();

    // Act
    const first = await pipelineLock.acquire('run-a', LEASE_MS);
    const second = await pipelineLock.acquire('run-b', LEASE_MS);
    await pipelineLock.release('run-b');
    const stillHeld = await pipelineLock.acquire('run-c', LEASE_MS);
    await pipelineLock.release('run-a');
    const afterRelease = await pipelineLock.acquire('run-b', LEASE_MS);

    // Assess
    assert.deepEqual([first, second, stillHeld, afterRelease], [true, false, false, true]);
  });

  it('lets another run take it once the holder’s lease has run out', async () => {
    // Prepare: run-a took it and died.
    clock = T;
    const pipelineLock = await lock();
    await pipelineLock.acquire('run-a', LEASE_MS);

    // Act
    clock = T + LEASE_MS - 1;
    const beforeExpiry = await pipelineLock.acquire('run-b', LEASE_MS);
    clock = T + LEASE_MS;
    const atExpiry = await pipelineLock.acquire('run-b', LEASE_MS);
    await pipelineLock.release('run-a');
    const afterLateRelease = await pipelineLock.acquire('run-c', LEASE_MS);

    // Assess: run-a's late release does not end run-b's lease.
    assert.deepEqual([beforeExpiry, atExpiry, afterLateRelease], [false, true, false]);
  });
});
