import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  DynamoDbSilenceRepository,
  SILENCE_PARTITION,
} from '../../../../../lambdas/alerts/adapters/aws/dynamodb-silence-repository.js';
import { expireSilence, newSilence, type Silence } from '../../../../../lambdas/alerts/core/silence.js';
import {
  HOUR,
  MINUTE,
  startTestStateTable,
  T0,
  TestClock,
  type TestStateTable,
  withoutUndefined,
} from './fixtures.js';

let table: TestStateTable;
let clock: TestClock;

function repository(
  options: { pageSize?: number; expiredSilenceRetentionMs?: number } = {},
): DynamoDbSilenceRepository {
  return new DynamoDbSilenceRepository({
    client: table.client,
    tableName: table.tableName,
    now: clock.now,
    ...options,
  });
}

/** A silence as `POST /api/v1/silences` creates it at `now`, for the model's retraining. */
function silence(id: string, window: { startsAt?: number; endsAt: number }, now: number = T0): Silence {
  return newSilence(
    {
      matchers: [
        { name: 'alertname', value: 'HighErrorRate', isRegex: false },
        { name: 'model', operator: '=~', value: 'fraud-.*' },
      ],
      ...window,
      createdBy: 'ana@example.com',
      comment: 'retraining the fraud models',
    },
    { id, now },
  );
}

const ids = (silences: Silence[]) => silences.map((each) => each.id).sort();

describe('DynamoDbSilenceRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('reads back a silence with its matchers and weekly recurrence', async () => {
    const repo = repository();
    const weekends = newSilence(
      {
        matchers: [{ name: 'model', operator: '=', value: 'batch-scorer' }],
        endsAt: T0 + 30 * 24 * HOUR,
        createdBy: 'bo@example.com',
        comment: 'the batch model is off at weekends',
        recurrence: {
          timeZone: 'Europe/Berlin',
          windows: [{ days: ['saturday:sunday'], start: '00:00', end: '24:00' }],
        },
      },
      { id: 'sil-weekends', now: T0 },
    );

    await repo.put(weekends);

    assert.deepEqual(await repo.get('sil-weekends'), withoutUndefined(weekends));
    assert.equal(await repo.get('sil-unknown'), undefined);
  });

  it('refuses to create a silence whose id exists, and an expiry from a stale read', async () => {
    const repo = repository();
    const created = silence('sil-1', { endsAt: T0 + HOUR });
    await repo.put(created);

    const createdAgain = await repo.put(silence('sil-1', { endsAt: T0 + 2 * HOUR }));
    const expired = await repo.put(expireSilence(created, T0 + MINUTE));
    const expiredFromStale = await repo.put(expireSilence(created, T0 + 2 * MINUTE));

    assert.deepEqual([createdAgain, expired, expiredFromStale], [false, true, false]);
    assert.equal((await repo.get('sil-1'))?.endsAt, T0 + MINUTE);
  });

  it('lists as unexpired the pending and active silences, not those ended', async () => {
    const repo = repository({ pageSize: 1 });
    const pending = silence('pending', { startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR });
    const active = silence('active', { endsAt: T0 + HOUR });
    const endingNow = silence('ending-now', { endsAt: T0 + 10 * MINUTE });
    const ended = expireSilence(silence('ended', { endsAt: T0 + HOUR }), T0 + MINUTE);
    for (const each of [pending, active, endingNow, { ...ended, version: 1 }])
      assert.ok(await repo.put(each));

    const unexpired = await repo.listUnexpired(T0 + 10 * MINUTE);
    const all = await repo.list();

    assert.deepEqual(ids(unexpired), ['active', 'pending'], 'endsAt is exclusive');
    assert.deepEqual(ids(all), ['active', 'ended', 'ending-now', 'pending']);
  });

  it('keeps an ended silence readable for 120 hours after its end, as Alertmanager does', async () => {
    const repo = repository();
    const created = silence('sil-1', { endsAt: T0 + HOUR });
    await repo.put(created);
    await repo.put(expireSilence(created, T0 + 1500));
    const [item] = await table.items(SILENCE_PARTITION);

    clock.at = T0 + 1500 + 120 * HOUR - 1;
    const kept = [(await repo.get('sil-1'))?.id, ids(await repo.list())];
    clock.at = T0 + 1500 + 120 * HOUR;
    const gone = [await repo.get('sil-1'), await repo.list()];

    // 120 h after T0 + 1.5 s, rounded up to whole seconds.
    assert.equal(item?.expiresAt, T0 / 1000 + 120 * 3600 + 2);
    assert.equal(item?.endsAt, T0 + 1500);
    assert.deepEqual(kept, ['sil-1', ['sil-1']]);
    assert.deepEqual(gone, [undefined, []]);
  });

  it('keeps ended silences as long as configured', async () => {
    const repo = repository({ expiredSilenceRetentionMs: 0 });
    await repo.put(silence('sil-1', { endsAt: T0 + HOUR }));

    clock.at = T0 + HOUR - 1;
    const beforeEnd = await repo.get('sil-1');
    clock.at = T0 + HOUR;
    const atEnd = await repo.get('sil-1');

    assert.equal(beforeEnd?.id, 'sil-1');
    assert.equal(atEnd, undefined);
  });

  it('refuses a negative retention', () => {
    assert.throws(
      () => repository({ expiredSilenceRetentionMs: -5 }),
      /expiredSilenceRetentionMs must be a duration of 0 ms or more, got -5/,
    );
  });
});
