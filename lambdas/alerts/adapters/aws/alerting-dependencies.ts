import { randomUUID } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { createAwsMetricReader } from '../../../metrics/adapters/aws/metric-store-factory.js';
import { requiredEnv } from '../../../shared/adapters/aws/environment.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import { ALERT_TOPIC_ENV } from '../../alert-routes.js';
import type { AlertingContext } from '../../core/alerting.js';
import { readAlertingConfig } from '../../core/alerting-config.js';
import { createDynamoDbAlertRepositories } from './alert-repositories.js';
import { SnsNotificationSink } from './sns-notification-sink.js';

/**
 * Alerting in AWS: state in the state table, notifications to the alert topic, rules reading the
 * configured metric store, and the rules and pipeline config bundled beside the code.
 */
export const awsAlertingContext = lazy((): AlertingContext => {
  const runtimeConfig = loadBundledRuntimeConfig();
  const { rules, pipeline, knownModels } = readAlertingConfig(runtimeConfig.alerting);
  const { documentClient, tableName } = awsStateTable();
  return {
    repositories: createDynamoDbAlertRepositories({ client: documentClient, tableName }),
    sink: new SnsNotificationSink({
      client: new SNSClient({}),
      topicArn: requiredEnv(ALERT_TOPIC_ENV),
      environment: runtimeConfig.environment,
    }),
    pipeline,
    rules,
    knownModels,
    metricReader: createAwsMetricReader(runtimeConfig),
    now: Date.now,
    newId: randomUUID,
  };
});
