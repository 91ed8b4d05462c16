import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbTaskTokenStore,
  ESCALATION_WAIT_PREFIX,
  WAIT_RETENTION_MS,
} from '../../../../../lambdas/escalation/adapters/aws/dynamodb-task-token-store.js';
import type { WaitingTask } from '../../../../../lambdas/escalation/ports/task-token-store.js';
import {
  startTestStateTable,
  TestClock,
  type TestStateTable,
} from '../../../alerts/adapters/aws/fixtures.js';
import { MINUTE, T0 } from '../../fixtures.js';

let table: TestStateTable;
let clock: TestClock;

const wait = (overrides: Partial<WaitingTask> = {}): WaitingTask => ({
  incidentId: 'inc-0123456789abcdef',
  execution: 'inc-0123456789abcdef-0',
  token: 'token-tier-1',
  tier: 0,
  round: 0,
  since: T0,
  until: T0 + 5 * MINUTE,
  ...overrides,
});

function store(): DynamoDbTaskTokenStore {
  return new DynamoDbTaskTokenStore({ client: table.client, tableName: table.tableName, now: clock.now });
}

describe('DynamoDbTaskTokenStore against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('reads back the wait of an incident, and a later wait replaces it', async () => {
    const tokens = store();

    await tokens.put(wait());
    await tokens.put(
      wait({ token: 'token-tier-2', tier: 1, since: T0 + 5 * MINUTE, until: T0 + 20 * MINUTE }),
    );

    assert.deepEqual(
      await tokens.get('inc-0123456789abcdef'),
      wait({ token: 'token-tier-2', tier: 1, since: T0 + 5 * MINUTE, until: T0 + 20 * MINUTE }),
    );
    assert.equal(await tokens.get('inc-other'), undefined);
  });

  it('keeps the wait for TTL a day past its timeout, and no longer reads it after that', async () => {
    // Prepare
    const tokens = store();
    await tokens.put(wait());

    // Act
    const [item] = await table.items(`${ESCALATION_WAIT_PREFIX}inc-0123456789abcdef`);
    clock.at = T0 + 5 * MINUTE + WAIT_RETENTION_MS;

    // Assess
    assert.equal(item?.expiresAt, Math.ceil((T0 + 5 * MINUTE + WAIT_RETENTION_MS) / 1000));
    assert.equal(await tokens.get('inc-0123456789abcdef'), undefined);
  });

  it('deletes the wait only while it still holds the token', async () => {
    // Prepare
    const tokens = store();
    await tokens.put(wait({ token: 'token-tier-2' }));

    // Act
    await tokens.delete('inc-0123456789abcdef', 'token-tier-1');
    const kept = await tokens.get('inc-0123456789abcdef');
    await tokens.delete('inc-0123456789abcdef', 'token-tier-2');

    // Assess
    assert.equal(kept?.token, 'token-tier-2', 'an older token does not delete a newer wait');
    assert.equal(await tokens.get('inc-0123456789abcdef'), undefined);
    await assert.doesNotReject(tokens.delete('inc-0123456789abcdef', 'token-tier-2'), 'nothing left is fine');
  });

  it('passes on a DynamoDB failure other than the condition', async () => {
    const dynamo = mockClient(table.client);
    dynamo
      .on(DeleteCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    try {
      await assert.rejects(store().delete('inc-1', 't'), { name: 'ProvisionedThroughputExceededException' });
    } finally {
      dynamo.restore();
    }
  });
});
