import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StateTable } from '../../lambdas/shared/adapters/aws/state-table.js';
import { STATE_TABLE_KEYS } from '../../lambdas/shared/state-table.js';

/** The options of dynalite 4 that Vigil sets (see its `index.js`). */
interface DynaliteOptions {
  /** LevelDB directory; in memory when omitted. */
  readonly path?: string | undefined;
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}

// dynalite ships no type declarations, so it is loaded through `require` with the signature it documents.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

/** The state table's name on the local platform. */
export const LOCAL_STATE_TABLE_NAME = 'vigil-state';

/** Where the state store keeps its LevelDB files inside the local data directory. */
export const STATE_DIRECTORY = 'state';

/** Options for {@link startDynaliteStateStore}. */
export interface DynaliteStateStoreProps {
  /**
   * The local data directory; the state lives in its `state` folder and survives restarts.
   * @default in memory, gone when the store closes
   */
  readonly dataDir?: string;
  /**
   * Name of the state table to create when missing.
   * @default 'vigil-state'
   */
  readonly tableName?: string;
}

/**
 * A running dynalite server with the state table, and DynamoDB clients pointed at it. It is a `StateTable`,
 * so the DynamoDB repositories the Lambdas use work on it unchanged.
 */
export interface DynaliteStateStore extends StateTable {
  /** `http://127.0.0.1:<port>`, for other clients of the same table. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Destroys the clients and stops the server, closing LevelDB (its files stay for the next start). */
  close(): Promise<void>;
}

// With `createTableMs: 0` a new table turns ACTIVE one timer tick after CreateTable answers.
const TABLE_ACTIVE_TIMEOUT_MS = 5_000;
const TABLE_POLL_INTERVAL_MS = 5;

/** Starts dynalite on a free port of 127.0.0.1, creates the state table when missing and connects clients. */
export async function startDynaliteStateStore(
  props: DynaliteStateStoreProps = {},
): Promise<DynaliteStateStore> {
  const tableName = props.tableName ?? LOCAL_STATE_TABLE_NAME;
  const path = props.dataDir === undefined ? undefined : join(props.dataDir, STATE_DIRECTORY);
  if (path !== undefined) await mkdir(path, { recursive: true });

  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  // Marshalled like the Lambdas' state table client (`awsStateTable`), so items look the same in both.
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const close = async (): Promise<void> => {
    // Destroying the client closes its keep-alive sockets, which would otherwise hold the server open.
    documentClient.destroy();
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  };
  try {
    await ensureStateTable(client, tableName);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, tableName, client, documentClient, close };
}

/**
 * A client for the local endpoint that never consults the environment or `~/.aws`: every setting the SDK
 * would otherwise look up (credentials, region, retries, endpoint modes) is given here.
 */
function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    retryMode: 'standard',
    defaultsMode: 'standard',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    accountIdEndpointMode: 'disabled',
    authSchemePreference: [],
    endpointDiscoveryEnabled: false,
    userAgentAppId: 'vigil-local',
    disableClockSkewCorrection: true,
  });
}

/** Creates the state table unless an earlier run on the same data directory did; waits until it is ACTIVE. */
async function ensureStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: STATE_TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: STATE_TABLE_KEYS.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: STATE_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: STATE_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`state table ${tableName} on dynalite is ${status ?? 'missing'}, expected ACTIVE`);
    }
    await delay(TABLE_POLL_INTERVAL_MS);
  }
}

/** The table's status, or undefined when there is no such table. */
async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
