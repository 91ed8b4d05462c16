import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { parseChannels } from '../../core/channels.js';
import type { FormatterDependencies } from '../../core/deliver.js';
import { FetchHttpPoster } from '../http/fetch-http-poster.js';
import { DynamoDbDeliveryLog } from './dynamodb-delivery-log.js';
import { SecretsManagerSecretSource } from './secrets-manager-secret-source.js';

/**
 * The environment variable with the channels as JSON (an array, see `channelSchema`), read until the
 * bundled runtime config carries them.
 */
export const CHANNELS_ENV = 'VIGIL_CHANNELS';

/** Reads the channels from `VIGIL_CHANNELS` (none when unset), failing with a message a user can act on. */
export function channelsFromEnvironment(text: string | undefined = process.env[CHANNELS_ENV]) {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${CHANNELS_ENV} is not JSON (${(error as Error).message}); expected an array of channels`,
    );
  }
  return parseChannels(value, CHANNELS_ENV);
}

/**
 * The formatter in AWS: channels from `VIGIL_CHANNELS`, secrets from Secrets Manager (cached), posts over
 * `fetch`, receipts in the state table; created once per cold start.
 */
export const awsFormatterDependencies = lazy((): FormatterDependencies => {
  const channels = channelsFromEnvironment();
  const { documentClient, tableName } = awsStateTable();
  return {
    channels: () => channels,
    secrets: new SecretsManagerSecretSource({ client: new SecretsManager({}) }),
    poster: new FetchHttpPoster(),
    deliveryLog: new DynamoDbDeliveryLog({ client: documentClient, tableName }),
    now: Date.now,
  };
});
