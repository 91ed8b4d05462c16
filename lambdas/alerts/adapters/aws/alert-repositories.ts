import type { AlertRepositories } from '../../ports/alert-repositories.js';
import { DynamoDbAlertGroupRepository } from './dynamodb-alert-group-repository.js';
import { DynamoDbAlertRepository } from './dynamodb-alert-repository.js';
import { DynamoDbFatigueWindowRepository } from './dynamodb-fatigue-window-repository.js';
import {
  DynamoDbIncidentRepository,
  type DynamoDbIncidentRepositoryProps,
} from './dynamodb-incident-repository.js';
import { DynamoDbPipelineLock } from './dynamodb-pipeline-lock.js';
import { DynamoDbPipelineStatsRepository } from './dynamodb-pipeline-stats-repository.js';
import { DynamoDbRuleStateRepository } from './dynamodb-rule-state-repository.js';
import {
  DynamoDbSilenceRepository,
  type DynamoDbSilenceRepositoryProps,
} from './dynamodb-silence-repository.js';

/** Properties of `createDynamoDbAlertRepositories`: the table, the clock, and the retentions. */
export interface DynamoDbAlertRepositoriesProps
  extends DynamoDbIncidentRepositoryProps,
    DynamoDbSilenceRepositoryProps {}

/** Every alerting repository on the state table (the Lambdas' and, on dynalite, the local platform's). */
export function createDynamoDbAlertRepositories(props: DynamoDbAlertRepositoriesProps): AlertRepositories {
  return {
    alerts: new DynamoDbAlertRepository(props),
    groups: new DynamoDbAlertGroupRepository(props),
    fatigue: new DynamoDbFatigueWindowRepository(props),
    incidents: new DynamoDbIncidentRepository(props),
    silences: new DynamoDbSilenceRepository(props),
    stats: new DynamoDbPipelineStatsRepository(props),
    ruleStates: new DynamoDbRuleStateRepository(props),
    lock: new DynamoDbPipelineLock({ client: props.client, tableName: props.tableName }),
  };
}
