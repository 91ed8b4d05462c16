import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type FilterAttributes,
  type StateTableRepositoryProps,
  VersionedItems,
} from '../../../../../lambdas/alerts/adapters/aws/versioned-items.js';
import { startTestStateTable, T0, TestClock, type TestStateTable } from './fixtures.js';

interface Reading {
  readonly sensor: string;
  readonly version: number;
  readonly celsius: number;
  readonly note?: string;
}

const PARTITION = 'READING';

let table: TestStateTable;
let clock: TestClock;

function readings(props: Partial<StateTableRepositoryProps> = {}): VersionedItems<Reading> {
  return new VersionedItems<Reading>(PARTITION, {
    client: table.client,
    tableName: table.tableName,
    now: clock.now,
    ...props,
  });
}

const write = (reading: Reading, extra: { expiresAtMs?: number; attributes?: FilterAttributes } = {}) => ({
  key: reading.sensor,
  version: reading.version,
  record: reading,
  ...extra,
});

/** Counts the Query calls a client sends, to see that a listing read several pages. */
function countQueries(client: DynamoDBDocumentClient): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') counter.count += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  return counter;
}

describe('VersionedItems against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('stores a record only over the version before it, and creates only where none is stored', async () => {
    const items = readings();
    const v1 = { sensor: 'boiler', version: 1, celsius: 0.1 + 0.2 };
    const v2 = { sensor: 'boiler', version: 2, celsius: -273.15, note: 'cold' };

    const outcomes = [
      await items.put(write(v1)),
      await items.put(write({ ...v1, celsius: 99 })),
      await items.put(write(v2)),
      await items.put(write({ ...v2, celsius: 99 })),
      await items.put(write({ sensor: 'boiler', version: 4, celsius: 99 })),
      await items.put(write({ sensor: 'attic', version: 2, celsius: 99 })),
    ];

    assert.deepEqual(outcomes, [true, false, true, false, false, false]);
    assert.deepEqual(await items.get('boiler'), v2);
    assert.equal(await items.get('attic'), undefined);
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const items = readings();
    await items.put(write({ sensor: 'boiler', version: 1, celsius: 20 }));

    const results = await Promise.all([
      items.put(write({ sensor: 'boiler', version: 2, celsius: 21 })),
      items.put(write({ sensor: 'boiler', version: 2, celsius: 22 })),
    ]);

    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await items.get('boiler'))?.celsius, results[0] ? 21 : 22);
  });

  it('refuses versions that are not whole numbers of at least 1', async () => {
    const items = readings();

    for (const version of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(
        items.put(write({ sensor: 'boiler', version, celsius: 1 })),
        new RegExp(`READING boiler: version must be an integer of at least 1, got ${version}`),
      );
    }
  });

  it('keeps filter attributes beside the record, without undefined ones and never over its keys', async () => {
    const items = readings();

    await items.put(
      write(
        { sensor: 'boiler', version: 1, celsius: 20 },
        {
          attributes: { zone: 'basement', alarm: false, limit: 80, missing: undefined, version: 7, pk: 'X' },
        },
      ),
    );

    assert.deepEqual(await table.items(PARTITION), [
      {
        pk: PARTITION,
        sk: 'boiler',
        version: 1,
        data: '{"sensor":"boiler","version":1,"celsius":20}',
        zone: 'basement',
        alarm: false,
        limit: 80,
      },
    ]);
  });

  it('writes expiresAt in whole seconds rounded up, and treats the item as absent from its exact expiry', async () => {
    const items = readings();
    const expiresAtMs = T0 + 1500;
    assert.equal(
      await items.put(write({ sensor: 'boiler', version: 1, celsius: 20 }, { expiresAtMs })),
      true,
    );
    const [raw] = await table.items(PARTITION);

    clock.at = expiresAtMs - 1;
    const before = [
      await items.get('boiler'),
      (await items.getMany(['boiler'])).size,
      (await items.query()).length,
    ];
    clock.at = expiresAtMs;
    const after = [
      await items.get('boiler'),
      (await items.getMany(['boiler'])).size,
      (await items.query()).length,
    ];

    // T0 is a whole second, so T0 + 1.5 s rounds up to T0 + 2 s.
    assert.equal(raw?.expiresAt, T0 / 1000 + 2);
    assert.equal(raw?.expiresAtMs, T0 + 1500);
    assert.deepEqual(before, [{ sensor: 'boiler', version: 1, celsius: 20 }, 1, 1]);
    assert.deepEqual(after, [undefined, 0, 0]);
  });

  it('lets a new record replace an expired one, while a versioned write on it fails', async () => {
    const items = readings();
    await items.put(write({ sensor: 'boiler', version: 1, celsius: 20 }, { expiresAtMs: T0 + 1000 }));
    clock.at = T0 + 1000;

    const onForgotten = await items.put(write({ sensor: 'boiler', version: 2, celsius: 21 }));
    const deleted = await items.delete('boiler', 1);
    const created = await items.put(write({ sensor: 'boiler', version: 1, celsius: 22 }));

    assert.deepEqual([onForgotten, deleted, created], [false, false, true]);
    assert.deepEqual(await items.get('boiler'), { sensor: 'boiler', version: 1, celsius: 22 });
    const [raw] = await table.items(PARTITION);
    assert.equal(raw?.expiresAt, undefined, 'the new record has no expiry');
    assert.equal(raw?.expiresAtMs, undefined);
  });

  it('deletes only the version the caller read', async () => {
    const items = readings();
    await items.put(write({ sensor: 'boiler', version: 1, celsius: 20 }));
    await items.put(write({ sensor: 'boiler', version: 2, celsius: 21 }));

    const stale = await items.delete('boiler', 1);
    const kept = await items.get('boiler');
    const current = await items.delete('boiler', 2);
    const again = await items.delete('boiler', 2);

    assert.deepEqual([stale, current, again], [false, true, false]);
    assert.equal(kept?.version, 2);
    assert.equal(await items.get('boiler'), undefined);
  });

  it('reads more than 100 records in chunks, ignoring repeated and unknown keys', async () => {
    const items = readings();
    const stored = Array.from({ length: 150 }, (_, i) => `sensor-${i}`);
    await Promise.all(stored.map((sensor, i) => items.put(write({ sensor, version: 1, celsius: i }))));
    const wanted = [...Array.from({ length: 230 }, (_, i) => `sensor-${i}`), 'sensor-0', 'sensor-149'];

    const read = await items.getMany(wanted);

    assert.deepEqual([...read.keys()].sort(), [...stored].sort());
    assert.equal(read.get('sensor-42')?.celsius, 42);
  });

  it('reads a partition page by page, in sort key order, filtered and without expired records', async () => {
    const items = readings({ pageSize: 2 });
    const sensors = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const [i, sensor] of sensors.entries()) {
      await items.put(
        write(
          { sensor, version: 1, celsius: i * 10 },
          { attributes: { celsius: i * 10 }, expiresAtMs: sensor === 'c' ? T0 : undefined },
        ),
      );
    }
    await new VersionedItems<Reading>('OTHER', { client: table.client, tableName: table.tableName }).put(
      write({ sensor: 'z', version: 1, celsius: 0 }),
    );
    const queries = countQueries(table.client);

    const all = await items.query();
    const pagesForAll = queries.count;
    const warm = await items.query({
      expression: '#c >= :min',
      names: { '#c': 'celsius' },
      values: { ':min': 30 },
    });

    // 6 live of 7 stored; the expired one is 'c'. 7 items at 2 a page: 4 pages.
    assert.deepEqual(
      all.map((reading) => reading.sensor),
      ['a', 'b', 'd', 'e', 'f', 'g'],
    );
    assert.equal(pagesForAll, 4);
    assert.deepEqual(
      warm.map((reading) => reading.sensor),
      ['d', 'e', 'f', 'g'],
    );
  });
});

describe('VersionedItems with failures dynalite cannot produce', () => {
  const mocked = () => {
    const mock = mockClient(DynamoDBDocumentClient);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    return { mock, client };
  };
  const itemOf = (reading: Reading) => ({
    pk: PARTITION,
    sk: reading.sensor,
    version: reading.version,
    data: JSON.stringify(reading),
  });

  it('retries the keys BatchGetItem left unprocessed and merges the answers', async () => {
    const { mock, client } = mocked();
    const boiler = { sensor: 'boiler', version: 1, celsius: 20 };
    const attic = { sensor: 'attic', version: 2, celsius: 15 };
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { t: [itemOf(boiler)] },
        UnprocessedKeys: { t: { Keys: [{ pk: PARTITION, sk: 'attic' }] } },
      })
      .resolvesOnce({ Responses: { t: [itemOf(attic)] } });
    const items = new VersionedItems<Reading>(PARTITION, { client, tableName: 't', retryBaseDelayMs: 0 });

    const read = await items.getMany(['boiler', 'attic']);

    assert.deepEqual(Object.fromEntries(read), { boiler, attic });
    const calls = mock.commandCalls(BatchGetCommand);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1]!.args[0].input.RequestItems?.t?.Keys, [{ pk: PARTITION, sk: 'attic' }]);
    mock.restore();
  });

  it('gives up with an error once the BatchGetItem attempts are used up', async () => {
    const { mock, client } = mocked();
    mock
      .on(BatchGetCommand)
      .resolves({ UnprocessedKeys: { t: { Keys: [{ pk: PARTITION, sk: 'boiler' }] } } });
    const items = new VersionedItems<Reading>(PARTITION, {
      client,
      tableName: 't',
      maxBatchGetAttempts: 3,
      retryBaseDelayMs: 0,
    });

    await assert.rejects(
      items.getMany(['boiler']),
      /READING: 1 keys still unprocessed after 3 BatchGetItem attempts/,
    );
    assert.equal(mock.commandCalls(BatchGetCommand).length, 3);
    mock.restore();
  });

  it('answers false to a failed condition and lets every other error through', async () => {
    const { mock, client } = mocked();
    const conditionFailed = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    const throttled = new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds the allowed throughput',
      $metadata: {},
    });
    mock.on(PutCommand).rejectsOnce(conditionFailed).rejectsOnce(throttled);
    mock.on(DeleteCommand).rejects(throttled);
    mock.on(QueryCommand).rejects(throttled);
    const items = new VersionedItems<Reading>(PARTITION, { client, tableName: 't' });
    const reading = { sensor: 'boiler', version: 2, celsius: 20 };

    const conditional = await items.put(write(reading));

    assert.equal(conditional, false);
    await assert.rejects(items.put(write(reading)), ProvisionedThroughputExceededException);
    await assert.rejects(items.delete('boiler', 1), ProvisionedThroughputExceededException);
    await assert.rejects(items.query(), ProvisionedThroughputExceededException);
    mock.restore();
  });
});
