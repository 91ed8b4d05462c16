import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DynamoDbFatigueWindowRepository } from '../../../../../lambdas/alerts/adapters/aws/dynamodb-fatigue-window-repository.js';
import {
  type FatigueOptions,
  type FatigueWindow,
  guardNotification,
  type SuppressedNotification,
} from '../../../../../lambdas/alerts/core/fatigue.js';
import { MINUTE, startTestStateTable, T0, TestClock, type TestStateTable } from './fixtures.js';

let table: TestStateTable;

function repository(pageSize?: number): DynamoDbFatigueWindowRepository {
  return new DynamoDbFatigueWindowRepository({
    client: table.client,
    tableName: table.tableName,
    now: new TestClock().now,
    pageSize,
  });
}

/** One notification an hour, and a digest listing one held-back notification: small enough to fill. */
const TIGHT: FatigueOptions = { maxNotificationsPerHour: 1, maxDigestEntries: 1 };

const notification = (at: number): SuppressedNotification => ({
  at,
  groupKey: '0e205f88e828fd07',
  reason: 'new-alerts',
  alerts: [
    { fingerprint: 'fb195398ea3a0595', name: 'HighErrorRate', status: 'firing', summary: 'error rate 4.2 %' },
  ],
});

/** The guard's window for `rule` after `count` notifications a minute apart, as version 1. */
function windowAfter(rule: string, count: number): FatigueWindow {
  let window: FatigueWindow | undefined;
  for (let i = 0; i < count; i++) {
    window = guardNotification(window, rule, notification(T0 + i * MINUTE), T0 + i * MINUTE, TIGHT).window;
  }
  assert.ok(window);
  return { ...window, version: 1 };
}

describe('DynamoDbFatigueWindowRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
  });
  afterEach(() => table.close());

  it('reads back windows by rule', async () => {
    const repo = repository();
    const sending = windowAfter('HighErrorRate', 1);
    const holding = windowAfter('group:0e205f88e828fd07', 3);
    await repo.put(sending);
    await repo.put(holding);

    const read = await repo.getMany(['HighErrorRate', 'group:0e205f88e828fd07', 'LatencyHigh']);

    assert.deepEqual(Object.fromEntries(read), { HighErrorRate: sending, 'group:0e205f88e828fd07': holding });
  });

  it('lists the windows that hold notifications for a digest, listed or only counted', async () => {
    const repo = repository(1);
    const admittedOnly = windowAfter('A', 1);
    const holdingOne = windowAfter('B', 2);
    const holdingAndCounting = windowAfter('C', 3);
    const countingOnly: FatigueWindow = { rule: 'D', version: 1, sentAt: [T0], suppressed: [], omitted: 2 };
    for (const window of [admittedOnly, holdingOne, holdingAndCounting, countingOnly]) await repo.put(window);

    const withDigest = await repo.listWithDigest();

    // The guard admits the first of each hour and holds the rest: one listed, beyond that counted.
    assert.deepEqual(
      [holdingOne, holdingAndCounting].map((window) => [window.suppressed.length, window.omitted]),
      [
        [1, 0],
        [1, 1],
      ],
    );
    assert.deepEqual(
      withDigest.map((window) => window.rule),
      ['B', 'C', 'D'],
    );
  });

  it('drops a window from the digest list once its digest is sent', async () => {
    const repo = repository();
    const holding = windowAfter('B', 2);
    await repo.put(holding);

    const staleWrite = await repo.put({ ...holding, suppressed: [] });
    const digestSent = await repo.put({ ...holding, version: 2, sentAt: [T0 + 61 * MINUTE], suppressed: [] });

    assert.deepEqual([staleWrite, digestSent], [false, true]);
    assert.deepEqual(await repo.listWithDigest(), []);
    assert.equal((await repo.getMany(['B'])).get('B')?.version, 2);
  });
});
