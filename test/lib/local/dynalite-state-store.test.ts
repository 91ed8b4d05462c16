import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DynaliteStateStore,
  LOCAL_STATE_TABLE_NAME,
  startDynaliteStateStore,
} from '../../../lib/local/dynalite-state-store.js';

const repositoryRoot = new URL('../../../', import.meta.url).pathname;
const storeModule = new URL('../../../lib/local/dynalite-state-store.ts', import.meta.url).href;

const incident = {
  pk: 'INCIDENT#fraud-latency',
  sk: 'META',
  status: 'open',
  version: 1,
  tiers: [{ tier: 1, notified: ['oncall@example.com'] }],
};

async function getIncident(store: DynaliteStateStore) {
  const { Item } = await store.documentClient.send(
    new GetCommand({ TableName: store.tableName, Key: { pk: incident.pk, sk: incident.sk } }),
  );
  return Item;
}

describe('startDynaliteStateStore', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-dynalite-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the state table keyed by string pk and sk, ready for use', async () => {
    const store = await startDynaliteStateStore();

    const { Table } = await store.client.send(new DescribeTableCommand({ TableName: store.tableName }));
    await store.close();

    assert.equal(store.tableName, LOCAL_STATE_TABLE_NAME);
    assert.match(store.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(Table?.TableStatus, 'ACTIVE');
    assert.deepEqual(Table?.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(
      Table?.AttributeDefinitions?.map((definition) => [
        definition.AttributeName,
        definition.AttributeType,
      ]).sort(),
      [
        ['pk', 'S'],
        ['sk', 'S'],
      ],
    );
    assert.equal(Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  });

  it('puts and gets an item through the document client', async () => {
    const store = await startDynaliteStateStore();

    await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: incident }));
    const read = await getIncident(store);
    await store.close();

    assert.deepEqual(read, incident);
  });

  it('keeps items across a stop and start on the same data directory, reusing its table', async () => {
    // Prepare
    const path = join(dataDir, 'restart');
    const first = await startDynaliteStateStore({ dataDir: path });
    await first.documentClient.send(new PutCommand({ TableName: first.tableName, Item: incident }));
    await first.close();

    // Act
    const second = await startDynaliteStateStore({ dataDir: path });
    const read = await getIncident(second);
    const { TableNames } = await second.client.send(new ListTablesCommand({}));
    await second.close();

    // Assess
    assert.deepEqual(read, incident);
    assert.deepEqual(TableNames, [LOCAL_STATE_TABLE_NAME]);
  });

  it('surfaces a failed condition as ConditionalCheckFailedException, leaving the item', async () => {
    // Prepare
    const store = await startDynaliteStateStore();
    await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: incident }));
    const staleAcknowledge = new UpdateCommand({
      TableName: store.tableName,
      Key: { pk: incident.pk, sk: incident.sk },
      UpdateExpression: 'SET #status = :acknowledged, version = :next',
      ConditionExpression: 'version = :expected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':acknowledged': 'acknowledged', ':next': 1, ':expected': 0 },
    });
    const duplicateCreate = new PutCommand({
      TableName: store.tableName,
      Item: { ...incident, status: 'duplicate' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });

    // Act
    const staleOutcome = store.documentClient.send(staleAcknowledge);
    await assert.rejects(staleOutcome, ConditionalCheckFailedException);
    const duplicateOutcome = store.documentClient.send(duplicateCreate);
    await assert.rejects(duplicateOutcome, ConditionalCheckFailedException);
    const read = await getIncident(store);
    await store.close();

    // Assess
    assert.deepEqual(read, incident);
  });

  it('refuses connections once closed', async () => {
    const store = await startDynaliteStateStore();
    await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: incident }));

    await store.close();

    await assert.rejects(fetch(store.endpoint), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.cause?.code, 'ECONNREFUSED');
      return true;
    });
  });

  describe('in a process whose environment and home point at other AWS settings', () => {
    let child: ReturnType<typeof spawnSync>;
    let report: {
      readsByStore: string[];
      readsByDefaultClient: string[];
      region: string;
      accessKeyId: string;
    };

    before(async () => {
      // Prepare: a home with real-looking AWS files and environment variables that name them, a profile
      // that does not exist and another region. The child records every file it reads under that home.
      const home = join(dataDir, 'home');
      await mkdir(join(home, '.aws'), { recursive: true });
      await writeFile(join(home, '.aws', 'config'), '[default]\nregion = eu-west-3\nmax_attempts = 9\n');
      await writeFile(
        join(home, '.aws', 'credentials'),
        '[default]\naws_access_key_id = AKIAREALLOOKING\naws_secret_access_key = secret\n',
      );
      const script = `
        import fs from 'node:fs/promises';
        const reads = [];
        const readFile = fs.readFile;
        fs.readFile = (path, ...rest) => {
          if (String(path).startsWith(${JSON.stringify(home)})) reads.push(String(path));
          return readFile(path, ...rest);
        };
        const { startDynaliteStateStore } = await import(${JSON.stringify(storeModule)});
        const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
        const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
        const store = await startDynaliteStateStore();
        const item = { pk: 'a', sk: 'b' };
        await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: item }));
        const region = await store.client.config.region();
        const { accessKeyId } = await store.client.config.credentials();
        await store.close();
        const readsByStore = [...reads];
        // A client left to its defaults does read those files, which shows the spy above sees such reads.
        await new DynamoDBClient({}).config.region();
        const readsByDefaultClient = reads.slice(readsByStore.length);
        console.log(JSON.stringify({ readsByStore, readsByDefaultClient, region, accessKeyId }));
      `;

      // Act: the child must also exit by itself, which it cannot while a socket or server is left open.
      child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repositoryRoot,
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          ...process.env,
          HOME: home,
          AWS_CONFIG_FILE: join(home, '.aws', 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
          AWS_PROFILE: 'default',
          AWS_REGION: 'ap-southeast-2',
          AWS_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT',
          AWS_SECRET_ACCESS_KEY: 'secret',
        },
      });
      const lastLine = String(child.stdout).trim().split('\n').at(-1) ?? '';
      report = JSON.parse(lastLine.startsWith('{') ? lastLine : '{}');
    });

    it('exits on its own after close, leaving no server or socket open', () => {
      assert.equal(child.signal, null, `killed after the timeout: ${String(child.stderr)}`);
      assert.equal(child.status, 0, String(child.stderr));
    });

    it('uses the local region and credentials without reading ~/.aws', () => {
      assert.deepEqual(report.readsByStore, []);
      assert.ok(report.readsByDefaultClient.length > 0, 'the spy saw no read even by a default client');
      assert.equal(report.region, 'us-east-1');
      assert.equal(report.accessKeyId, 'local');
    });
  });
});
