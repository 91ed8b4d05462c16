import { randomUUID } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsIncidentEscalations } from '../../../escalation/adapters/aws/escalation-dependencies.js';
import { createAwsMetricReader } from '../../../metrics/adapters/aws/metric-store-factory.js';
import { requiredEnv } from '../../../shared/adapters/aws/environment.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { awsIngestDashboardUrl } from '../../../shared/dashboard-links.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import { ALERT_TOPIC_ENV } from '../../alert-routes.js';
import type { AlertingContext } from '../../core/alerting.js';
import { readAlertingConfig } from '../../core/alerting-config.js';
import { createDynamoDbAlertRepositories } from './alert-repositories.js';
import { SnsNotificationSink } from './sns-notification-sink.js';

/**
 * Alerting in AWS: state in the state table, notifications to the alert topic, rules reading the
 * configured metric store, the rules and pipeline config bundled beside the code, and incidents escalated
 * on the escalation state machine when the function is given one.
 */
export const awsAlertingContext = lazy((): AlertingContext => {
  const runtimeConfig = loadBundledRuntimeConfig();
  const { rules, pipeline, knownModels } = readAlertingConfig(runtimeConfig.alerting);
  const { documentClient, tableName } = awsStateTable();
  const repositories = createDynamoDbAlertRepositories({ client: documentClient, tableName });
  return {
    repositories,
    sink: new SnsNotificationSink({
      client: new SNSClient({}),
      topicArn: requiredEnv(ALERT_TOPIC_ENV),
      environment: runtimeConfig.environment,
      dashboardUrl: awsIngestDashboardUrl(runtimeConfig.environment),
    }),
    pipeline,
    rules,
    knownModels,
    metricReader: createAwsMetricReader(runtimeConfig),
    now: Date.now,
    newId: randomUUID,
    ...awsIncidentEscalations(repositories.incidents),
  };
});
