import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbPipelineStatsRepository,
  PIPELINE_STATS_PARTITION,
} from '../../../../../lambdas/alerts/adapters/aws/dynamodb-pipeline-stats-repository.js';
import { type PipelineCounters, ZERO_COUNTERS } from '../../../../../lambdas/alerts/core/pipeline-state.js';
import { DAY, HOUR, MINUTE, startTestStateTable, T0, TestClock, type TestStateTable } from './fixtures.js';

let table: TestStateTable;
let clock: TestClock;

function repository(pageSize?: number): DynamoDbPipelineStatsRepository {
  return new DynamoDbPipelineStatsRepository({
    client: table.client,
    tableName: table.tableName,
    now: clock.now,
    pageSize,
  });
}

const counters = (values: Partial<PipelineCounters>): PipelineCounters => ({ ...ZERO_COUNTERS, ...values });

describe('DynamoDbPipelineStatsRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('sums the hours that overlap [from, to)', async () => {
    const repo = repository(1);
    // T0 is 14:00 UTC. Two runs in the 14:00 hour, one at 15:00 sharp, one in the 17:00 hour.
    await repo.add(T0 + 5 * MINUTE, counters({ alertsReceived: 3, silenced: 1, groupedWaiting: 2 }));
    await repo.add(T0 + HOUR - 1, counters({ alertsReceived: 2, deduplicated: 1 }));
    await repo.add(T0 + HOUR, counters({ alertsReceived: 1, notificationsSent: 4, fatigueSuppressed: 2 }));
    await repo.add(
      T0 + 3 * HOUR + 59 * MINUTE,
      counters({ digestsSent: 1, notificationsSent: 1, inhibited: 5 }),
    );

    const firstHour = await repo.sum(T0, T0 + HOUR);
    const fromMidHourToJustPast15 = await repo.sum(T0 + 30 * MINUTE, T0 + HOUR + 1);
    const all = await repo.sum(T0 - DAY, T0 + DAY);
    const quietHours = await repo.sum(T0 + 2 * HOUR, T0 + 3 * HOUR);
    const empty = await repo.sum(T0 + HOUR, T0);

    assert.deepEqual(
      firstHour,
      counters({ alertsReceived: 5, deduplicated: 1, silenced: 1, groupedWaiting: 2 }),
    );
    assert.deepEqual(
      fromMidHourToJustPast15,
      counters({
        alertsReceived: 6,
        deduplicated: 1,
        silenced: 1,
        groupedWaiting: 2,
        notificationsSent: 4,
        fatigueSuppressed: 2,
      }),
    );
    assert.deepEqual(all, {
      alertsReceived: 6,
      deduplicated: 1,
      silenced: 1,
      inhibited: 5,
      groupedWaiting: 2,
      fatigueSuppressed: 2,
      notificationsSent: 5,
      digestsSent: 1,
    });
    assert.deepEqual(quietHours, ZERO_COUNTERS);
    assert.deepEqual(empty, ZERO_COUNTERS);
  });

  it('adds concurrent runs atomically', async () => {
    const repo = repository();

    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        repo.add(T0 + i * MINUTE, counters({ alertsReceived: 1, deduplicated: 2 })),
      ),
    );

    assert.deepEqual(await repo.sum(T0, T0 + HOUR), counters({ alertsReceived: 25, deduplicated: 50 }));
  });

  it('keeps one item per hour with the counters that moved, expiring 400 days after the hour', async () => {
    const repo = repository();

    await repo.add(T0 + 42 * MINUTE, counters({ alertsReceived: 2, notificationsSent: 1 }));
    await repo.add(T0 + 2 * HOUR, ZERO_COUNTERS);

    assert.deepEqual(await table.items(PIPELINE_STATS_PARTITION), [
      {
        pk: PIPELINE_STATS_PARTITION,
        sk: '2026-03-10T14:00:00.000Z',
        alertsReceived: 2,
        notificationsSent: 1,
        expiresAt: T0 / 1000 + 400 * 86_400,
        expiresAtMs: T0 + 400 * DAY,
      },
    ]);
  });

  it('leaves out hours past their retention that TTL has not deleted yet', async () => {
    const repo = repository();
    await repo.add(T0, counters({ alertsReceived: 1 }));
    await repo.add(T0 + HOUR, counters({ alertsReceived: 10 }));

    clock.at = T0 + 400 * DAY;

    assert.deepEqual(await repo.sum(T0, T0 + 2 * HOUR), counters({ alertsReceived: 10 }));
  });

  it('lets a failed update through to the caller', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(UpdateCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'Rate of requests exceeds the allowed throughput',
        $metadata: {},
      }),
    );
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const repo = new DynamoDbPipelineStatsRepository({ client, tableName: 't' });

    await assert.rejects(
      repo.add(T0, counters({ alertsReceived: 1 })),
      ProvisionedThroughputExceededException,
    );
    mock.restore();
  });
});
