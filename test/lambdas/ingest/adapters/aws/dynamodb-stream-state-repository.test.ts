import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbStreamStateRepository,
  STREAM_STATE_PREFIX,
} from '../../../../../lambdas/ingest/adapters/aws/dynamodb-stream-state-repository.js';
import type { StreamState } from '../../../../../lambdas/ingest/core/cumulative.js';
import { ingestOtlpMetrics } from '../../../../../lambdas/ingest/core/ingest-otlp-metrics.js';
import type { StreamStateRepository } from '../../../../../lambdas/ingest/ports/stream-state-repository.js';

// dynalite ships no type declarations; this is the part of its signature the test uses.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const TABLE = 'vigil-state-test';
const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const RETENTION_MS = 60 * 60 * 1000;

let server: Server;
let client: DynamoDBClient;
let documentClient: DynamoDBDocumentClient;
let now = T0;
let tableCounter = 0;
let tableName = TABLE;

function repository(overrides: { retentionMs?: number } = {}): DynamoDbStreamStateRepository {
  return new DynamoDbStreamStateRepository({
    client: documentClient,
    tableName,
    retentionMs: overrides.retentionMs ?? RETENTION_MS,
    now: () => now,
  });
}

function sumState(streamId: string, version: number, value: number, timeSeconds = version * 10): StreamState {
  return {
    streamId,
    version,
    startTimeUnixNano: '1773151200000000000',
    timeUnixNano: (1_773_151_200_000_000_000n + BigInt(timeSeconds) * 1_000_000_000n).toString(),
    value: { kind: 'sum', value },
  };
}

before(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // No marshall options: the adapter must not rely on removeUndefinedValues.
  documentClient = DynamoDBDocumentClient.from(client);
});

after(async () => {
  documentClient.destroy();
  client.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  // A fresh table per test keeps tests independent without deleting items.
  tableCounter += 1;
  tableName = `${TABLE}-${tableCounter}`;
  now = T0;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: tableName });
});

describe('DynamoDbStreamStateRepository against dynalite', () => {
  it('stores and reads back every kind of state exactly, including doubles and values beyond 2^53', async () => {
    const repo = repository();
    const states: StreamState[] = [
      sumState('a', 1, 0.1 + 0.2),
      sumState('b', 1, 1e20),
      {
        streamId: 'c',
        version: 1,
        startTimeUnixNano: '0',
        timeUnixNano: '1773151200000000001',
        value: {
          kind: 'exponentialHistogram',
          count: 4,
          scale: 3,
          zeroCount: 1,
          positive: { offset: -7, bucketCounts: [1, 0, 1] },
          negative: { offset: 2, bucketCounts: [1] },
        },
      },
      {
        streamId: 'd',
        version: 1,
        startTimeUnixNano: '1',
        timeUnixNano: '2',
        value: { kind: 'histogram', count: 3, sum: -2.5, explicitBounds: [0, 1.5], bucketCounts: [2, 0, 1] },
      },
    ];

    for (const state of states) assert.equal(await repo.put(state, 0), true);
    const read = await repo.getMany(['a', 'b', 'c', 'd', 'missing']);

    assert.deepEqual(
      [...read.values()].sort((x, y) => x.streamId.localeCompare(y.streamId)),
      states,
    );
  });

  it('writes only over the version the writer read', async () => {
    const repo = repository();

    const created = await repo.put(sumState('s', 1, 5), 0);
    const createdAgain = await repo.put(sumState('s', 1, 6), 0);
    const updated = await repo.put(sumState('s', 2, 7), 1);
    const stale = await repo.put(sumState('s', 2, 8), 1);

    assert.deepEqual([created, createdAgain, updated, stale], [true, false, true, false]);
    assert.deepEqual((await repo.getMany(['s'])).get('s'), sumState('s', 2, 7));
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const repo = repository();
    await repo.put(sumState('s', 1, 5), 0);

    const results = await Promise.all([repo.put(sumState('s', 2, 10), 1), repo.put(sumState('s', 2, 20), 1)]);

    assert.equal(results.filter(Boolean).length, 1);
    const winner = results[0] ? 10 : 20;
    assert.deepEqual((await repo.getMany(['s'])).get('s')?.value, { kind: 'sum', value: winner });
  });

  it('treats an expired item as absent before TTL deletes it, and lets a new stream replace it', async () => {
    const repo = repository({ retentionMs: 1000 });
    await repo.put(sumState('s', 3, 5), 0);

    now = T0 + 999;
    const live = await repo.getMany(['s']);
    now = T0 + 1000;
    const expired = await repo.getMany(['s']);
    const overExpiredVersion = await repo.put(sumState('s', 4, 6), 3);
    const asNew = await repo.put(sumState('s', 1, 7), 0);

    assert.equal(live.size, 1);
    assert.equal(expired.size, 0);
    assert.equal(overExpiredVersion, false, 'a versioned write must not land on a forgotten stream');
    assert.equal(asNew, true);
    assert.deepEqual((await repo.getMany(['s'])).get('s'), sumState('s', 1, 7));
  });

  it('sets expiresAt in epoch seconds one retention after the write', async () => {
    const repo = repository();
    await repo.put(sumState('s', 1, 5), 0);

    const { Responses } = await documentClient.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: [{ pk: `${STREAM_STATE_PREFIX}s`, sk: 'STREAM' }] } },
      }),
    );

    assert.equal(Responses?.[tableName]?.[0]?.expiresAt, (T0 + RETENTION_MS) / 1000);
  });

  it('reads more than 100 streams in chunks, ignoring repeated ids', async () => {
    const repo = repository();
    const stored = Array.from({ length: 150 }, (_, i) => `stream-${i}`);
    await Promise.all(stored.map((id) => repo.put(sumState(id, 1, 1), 0)));
    const wanted = [...Array.from({ length: 250 }, (_, i) => `stream-${i}`), 'stream-0', 'stream-149'];

    const read = await repo.getMany(wanted);

    assert.deepEqual([...read.keys()].sort(), [...stored].sort());
  });

  it('wins a lost race in the use case by re-reading and recomputing the delta', async () => {
    // Prepare: two requests carry the same cumulative counter at 10 (t=10 s) and at 15 (t=20 s). Request B
    // reads the stream first, but request A stores its state before B writes.
    const T = T0;
    const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
    const exportOf = (value: number, atMs: number) => ({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'churn' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'predictions',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      { startTimeUnixNano: nanos(T - 60_000), timeUnixNano: nanos(atMs), asInt: value },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const shared = repository();
    const settings = { now: () => T, maxTimestampAgeMs: 86_400_000, maxDimensionValuesPerMetric: 100 };
    let requestA: ReturnType<typeof ingestOtlpMetrics> | undefined;
    const puts: boolean[] = [];
    const interleaved: StreamStateRepository = {
      retentionMs: shared.retentionMs,
      getMany: (ids) => shared.getMany(ids),
      put: async (state, expectedVersion) => {
        if (!requestA) {
          requestA = ingestOtlpMetrics(exportOf(10, T - 50_000), { ...settings, streamState: shared });
          await requestA;
        }
        const written = await shared.put(state, expectedVersion);
        puts.push(written);
        return written;
      },
    };

    // Act
    const b = await ingestOtlpMetrics(exportOf(15, T - 40_000), { ...settings, streamState: interleaved });
    const a = await requestA!;

    // Assess: A counted 10 since the start; B lost its first write and then counted only 15 - 10.
    const sumOf = (rollups: typeof a.rollups) => rollups.reduce((total, rollup) => total + rollup.sum, 0);
    assert.deepEqual(puts, [false, true]);
    assert.equal(sumOf(a.rollups), 10);
    assert.equal(sumOf(b.rollups), 5);
    const { Items } = await documentClient.send(new ScanCommand({ TableName: tableName }));
    assert.deepEqual(
      Items?.map((item) => [item.version, JSON.parse(item.value)]),
      [[2, { kind: 'sum', value: 15 }]],
    );
  });
});

describe('DynamoDbStreamStateRepository with unprocessed keys', () => {
  const itemOf = (state: StreamState) => ({
    pk: `${STREAM_STATE_PREFIX}${state.streamId}`,
    sk: 'STREAM',
    version: state.version,
    startTimeUnixNano: state.startTimeUnixNano,
    timeUnixNano: state.timeUnixNano,
    value: JSON.stringify(state.value),
    expiresAt: T0 / 1000 + 3600,
  });

  it('retries the keys DynamoDB left unprocessed and merges the answers', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { t: [itemOf(sumState('a', 1, 1))] },
        UnprocessedKeys: { t: { Keys: [{ pk: `${STREAM_STATE_PREFIX}b`, sk: 'STREAM' }] } },
      })
      .resolvesOnce({ Responses: { t: [itemOf(sumState('b', 1, 2))] } });
    const repo = new DynamoDbStreamStateRepository({
      client,
      tableName: 't',
      now: () => T0,
      retryBaseDelayMs: 0,
    });

    const read = await repo.getMany(['a', 'b']);

    assert.deepEqual([...read.keys()].sort(), ['a', 'b']);
    const calls = mock.commandCalls(BatchGetCommand);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1]!.args[0].input.RequestItems?.t?.Keys, [
      { pk: `${STREAM_STATE_PREFIX}b`, sk: 'STREAM' },
    ]);
    mock.restore();
  });

  it('gives up with an error once the attempts are used up', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    mock
      .on(BatchGetCommand)
      .resolves({ UnprocessedKeys: { t: { Keys: [{ pk: `${STREAM_STATE_PREFIX}a`, sk: 'STREAM' }] } } });
    const repo = new DynamoDbStreamStateRepository({
      client,
      tableName: 't',
      maxBatchGetAttempts: 3,
      retryBaseDelayMs: 0,
    });

    await assert.rejects(repo.getMany(['a']), /1 keys still unprocessed after 3 BatchGetItem attempts/);
    assert.equal(mock.commandCalls(BatchGetCommand).length, 3);
    mock.restore();
  });
});
