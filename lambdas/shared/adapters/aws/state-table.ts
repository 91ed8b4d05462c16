import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lazy } from '../../lazy.js';
import { STATE_TABLE_ENV } from '../../state-table.js';
import { requiredEnv } from './environment.js';

/** The state table a Lambda works with: its document client (one per cold start) and its name. */
export interface StateTable {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The state table named by `VIGIL_STATE_TABLE`, with a document client that drops undefined attributes. */
export const awsStateTable = lazy(
  (): StateTable => ({
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: requiredEnv(STATE_TABLE_ENV),
  }),
);
