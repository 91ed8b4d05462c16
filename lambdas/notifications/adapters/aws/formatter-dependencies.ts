import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig, type RuntimeConfig } from '../../../shared/runtime-config.js';
import { type Channel, parseChannels } from '../../core/channels.js';
import type { FormatterDependencies } from '../../core/deliver.js';
import { FetchHttpPoster } from '../http/fetch-http-poster.js';
import { DynamoDbDeliveryLog } from './dynamodb-delivery-log.js';
import { SecretsManagerSecretSource } from './secrets-manager-secret-source.js';

/**
 * Reads the channels of the runtime config (validated at synth, read again here), failing with a message
 * that names where they came from.
 */
export function channelsFromRuntimeConfig(config: Pick<RuntimeConfig, 'channels'>): Channel[] {
  return parseChannels(config.channels, 'the runtime config');
}

/**
 * The formatter in AWS: channels from the bundled runtime config, secrets from Secrets Manager (cached),
 * posts over `fetch`, receipts in the state table; created once per cold start.
 */
export const awsFormatterDependencies = lazy((): FormatterDependencies => {
  const channels = channelsFromRuntimeConfig(loadBundledRuntimeConfig());
  const { documentClient, tableName } = awsStateTable();
  return {
    channels: () => channels,
    secrets: new SecretsManagerSecretSource({ client: new SecretsManager({}) }),
    poster: new FetchHttpPoster(),
    deliveryLog: new DynamoDbDeliveryLog({ client: documentClient, tableName }),
    now: Date.now,
  };
});
