import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ALERT_PARTITION,
  DynamoDbAlertRepository,
} from '../../../../../lambdas/alerts/adapters/aws/dynamodb-alert-repository.js';
import { alertFingerprint } from '../../../../../lambdas/alerts/core/fingerprint.js';
import type { AlertRecord } from '../../../../../lambdas/alerts/core/pipeline-state.js';
import {
  DAY,
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
let clock: TestClock;

function repository(pageSize?: number): DynamoDbAlertRepository {
  return new DynamoDbAlertRepository({
    client: table.client,
    tableName: table.tableName,
    now: clock.now,
    pageSize,
  });
}

/** The record the pipeline writes when a firing alert about `model` first arrives at `at`. */
function firingRecord(model: string, at: number = T0): AlertRecord {
  const [record] = firstArrival(ruleAlert({ model, startsAt: at - MINUTE }), at).alerts;
  assert.ok(record, 'the pipeline records a new alert');
  return record;
}

/** The record resolved at `at`, kept for five days as the pipeline's default retention says. */
function resolvedRecord(record: AlertRecord, at: number): AlertRecord {
  return {
    ...record,
    version: record.version + 1,
    alert: { ...record.alert, status: 'resolved', endsAt: at },
    lastReceivedAt: at,
    receivedCount: record.receivedCount + 1,
    statusChangedAt: at,
    incidentId: undefined,
    expiresAt: at + 5 * DAY,
  };
}

describe('DynamoDbAlertRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('reads back the records the pipeline writes, by fingerprint', async () => {
    const repo = repository();
    const fraud = firingRecord('fraud-detector');
    const churn = resolvedRecord(firingRecord('churn-model', T0 - 10 * MINUTE), T0 - MINUTE);

    const stored = [await repo.put(fraud), await repo.put({ ...churn, version: 1 })];
    const read = await repo.getMany([fraud.fingerprint, churn.fingerprint, 'ffffffffffffffff']);

    assert.deepEqual(stored, [true, true]);
    assert.equal(fraud.fingerprint, alertFingerprint(fraud.alert));
    assert.deepEqual(Object.fromEntries(read), {
      [fraud.fingerprint]: withoutUndefined(fraud),
      [churn.fingerprint]: withoutUndefined({ ...churn, version: 1 }),
    });
  });

  it('stores a record only over the version it was read at', async () => {
    const repo = repository();
    const firing = firingRecord('fraud-detector');
    const resolved = resolvedRecord(firing, T0 + MINUTE);
    await repo.put(firing);

    const createdAgain = await repo.put({ ...firing, receivedCount: 9 });
    const skipped = await repo.put({ ...resolved, version: 3 });
    const updated = await repo.put(resolved);
    const stale = await repo.put({ ...resolved, receivedCount: 9 });

    assert.deepEqual([createdAgain, skipped, updated, stale], [false, false, true, false]);
    assert.deepEqual(
      (await repo.getMany([firing.fingerprint])).get(firing.fingerprint),
      withoutUndefined(resolved),
    );
  });

  it('keeps filter attributes and the TTL in epoch seconds beside the record', async () => {
    const repo = repository();
    const resolved = resolvedRecord(firingRecord('fraud-detector'), T0 + 1234);
    await repo.put({ ...resolved, version: 1 });

    const [item] = await table.items(ALERT_PARTITION);

    assert.equal(item?.sk, resolved.fingerprint);
    assert.equal(item?.status, 'resolved');
    assert.equal(item?.lastReceivedAt, T0 + 1234);
    // Five days after T0 + 1.234 s, rounded up to the next whole second.
    assert.equal(item?.expiresAt, T0 / 1000 + 5 * 86_400 + 2);
  });

  it('forgets a resolved record at its expiresAt, and lets the alert start over at version 1', async () => {
    const repo = repository();
    const firing = firingRecord('fraud-detector');
    const resolved = resolvedRecord(firing, T0 + MINUTE);
    await repo.put(firing);
    await repo.put(resolved);
    const expiresAt = resolved.expiresAt ?? Number.NaN;

    clock.at = expiresAt - 1;
    const justBefore = (await repo.getMany([firing.fingerprint])).size;
    clock.at = expiresAt;
    const atExpiry = [
      (await repo.getMany([firing.fingerprint])).size,
      (await repo.list({ now: expiresAt })).length,
    ];
    const afterResolved = await repo.put({ ...resolved, version: 3 });
    const again = firingRecord('fraud-detector', expiresAt);
    const startedOver = await repo.put(again);

    assert.equal(justBefore, 1);
    assert.deepEqual(atExpiry, [0, 0]);
    assert.equal(afterResolved, false);
    assert.equal(startedOver, true);
    assert.deepEqual(
      (await repo.getMany([firing.fingerprint])).get(firing.fingerprint),
      withoutUndefined(again),
    );
  });

  it('lists most recently received first, by stored status, up to the limit, leaving out expired records', async () => {
    const repo = repository(2);
    const models = ['a', 'b', 'c', 'd', 'e'];
    const firing = models.map((model, i) => ({ ...firingRecord(model), lastReceivedAt: T0 + i * MINUTE }));
    const resolved = resolvedRecord(firingRecord('f'), T0 + 10 * MINUTE);
    const expired = { ...resolvedRecord(firingRecord('g'), T0 - 6 * DAY), version: 1 };
    for (const record of [...firing, { ...resolved, version: 1 }, expired]) assert.ok(await repo.put(record));
    const received = (records: AlertRecord[]) => records.map((record) => record.lastReceivedAt - T0);

    const all = await repo.list({ now: T0 });
    const onlyFiring = await repo.list({ now: T0, status: 'firing' });
    const onlyResolved = await repo.list({ now: T0, status: 'resolved' });
    const latestTwo = await repo.list({ now: T0, limit: 2 });
    const sixDaysOn = await repo.list({ now: T0 + 6 * DAY });

    assert.deepEqual(
      received(all),
      [10, 4, 3, 2, 1, 0].map((minutes) => minutes * MINUTE),
    );
    assert.deepEqual(
      received(onlyFiring),
      [4, 3, 2, 1, 0].map((minutes) => minutes * MINUTE),
    );
    assert.deepEqual(
      onlyResolved.map((record) => record.fingerprint),
      [resolved.fingerprint],
    );
    assert.deepEqual(received(latestTwo), [10 * MINUTE, 4 * MINUTE]);
    assert.equal(sixDaysOn.length, 5, 'the resolved record expired five days after it resolved');
  });

  it('lists as firing only alerts stored firing whose endsAt has not passed', async () => {
    const repo = repository();
    const open = firingRecord('open-ended');
    const lapsing = firingRecord('lapsing');
    const lapsingRecord = { ...lapsing, alert: { ...lapsing.alert, endsAt: T0 + 5 * MINUTE } };
    const resolved = { ...resolvedRecord(firingRecord('resolved'), T0), version: 1 };
    for (const record of [open, lapsingRecord, resolved]) await repo.put(record);
    const fingerprints = (records: AlertRecord[]) => records.map((record) => record.fingerprint).sort();

    const beforeEnd = await repo.listFiring(T0 + 5 * MINUTE - 1);
    const atEnd = await repo.listFiring(T0 + 5 * MINUTE);

    assert.deepEqual(fingerprints(beforeEnd), [open.fingerprint, lapsing.fingerprint].sort());
    assert.deepEqual(fingerprints(atEnd), [open.fingerprint]);
  });
});
