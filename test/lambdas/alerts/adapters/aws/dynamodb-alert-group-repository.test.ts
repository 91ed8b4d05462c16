import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DynamoDbAlertGroupRepository } from '../../../../../lambdas/alerts/adapters/aws/dynamodb-alert-group-repository.js';
import type { AlertGroup } from '../../../../../lambdas/alerts/core/grouping.js';
import {
  firstArrival,
  MINUTE,
  ruleAlert,
  startTestStateTable,
  T0,
  TestClock,
  type TestStateTable,
  withoutUndefined,
} from './fixtures.js';

let table: TestStateTable;

function repository(pageSize?: number): DynamoDbAlertGroupRepository {
  return new DynamoDbAlertGroupRepository({
    client: table.client,
    tableName: table.tableName,
    now: new TestClock().now,
    pageSize,
  });
}

/** The group the pipeline creates for the first alert about `model`. */
function newGroup(model: string): AlertGroup {
  const [group] = firstArrival(ruleAlert({ model })).groups;
  assert.ok(group, 'the pipeline creates a group for a new alert');
  return group;
}

/** The group after its first notification went out. */
function flushed(group: AlertGroup): AlertGroup {
  return {
    ...group,
    version: group.version + 1,
    hasFlushed: true,
    nextFlushAt: T0 + 5 * MINUTE,
    lastNotification: { at: T0 + 30_000, firing: [...group.members], resolved: [] },
  };
}

describe('DynamoDbAlertGroupRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
  });
  afterEach(() => table.close());

  it('reads back the groups the pipeline writes, one by key and all of them', async () => {
    const repo = repository(1);
    const groups = ['fraud-detector', 'churn-model', 'ranker'].map(newGroup);
    for (const group of groups) assert.equal(await repo.put(group), true);

    const one = await repo.get(groups[1]!.key);
    const all = await repo.list();
    const unknown = await repo.get('0000000000000000');

    assert.deepEqual(one, withoutUndefined(groups[1]));
    assert.deepEqual(
      all.sort((a, b) => a.key.localeCompare(b.key)),
      groups.map(withoutUndefined).sort((a, b) => a.key.localeCompare(b.key)),
    );
    assert.equal(unknown, undefined);
  });

  it('stores a group only over the version it was read at', async () => {
    const repo = repository();
    const group = newGroup('fraud-detector');
    await repo.put(group);

    const createdAgain = await repo.put({ ...group, members: [] });
    const updated = await repo.put(flushed(group));
    const stale = await repo.put({ ...flushed(group), hasFlushed: false });

    assert.deepEqual([createdAgain, updated, stale], [false, true, false]);
    assert.deepEqual(await repo.get(group.key), withoutUndefined(flushed(group)));
  });

  it('deletes a group only at the version the caller read', async () => {
    const repo = repository();
    const group = newGroup('fraud-detector');
    await repo.put(group);
    await repo.put(flushed(group));

    const stale = await repo.delete(group.key, 1);
    const afterStale = await repo.get(group.key);
    const current = await repo.delete(group.key, 2);
    const gone = await repo.delete(group.key, 2);

    assert.deepEqual([stale, current, gone], [false, true, false]);
    assert.equal(afterStale?.version, 2);
    assert.equal(await repo.get(group.key), undefined);
    assert.deepEqual(await repo.list(), []);
  });
});
