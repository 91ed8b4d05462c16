import { type Environment, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema.js';
import { EventStoreStack } from './event-store-stack.js';
import { IngestStack } from './ingest-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { StorageStack } from './storage-stack.js';

/** The stacks of one Vigil environment. */
export interface VigilStacks {
  /** Keys, tables, the metric store and the retry queue: what outlives deployments. */
  readonly storage: StorageStack;
  /** The OpenSearch domain (or Serverless collection) of logs, spans and raw events. */
  readonly eventStore: EventStoreStack;
  /** The API and the functions behind it, alerting, escalation and notifications. */
  readonly ingest: IngestStack;
  /** The ops topic, platform alarms and dashboards. */
  readonly monitoring: MonitoringStack;
}

/**
 * Creates an environment's stacks, named `Vigil-<env>-<Concern>`, and hands resources from the stateful
 * stack to the stateless ones as interfaces. Account and region come from the config, else from the CLI's
 * credentials (`CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`), else the stacks stay environment-agnostic.
 */
export function createVigilStacks(scope: Construct, environment: EnvironmentConfig): VigilStacks {
  const env: Environment = {
    account: environment.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: environment.region ?? process.env.CDK_DEFAULT_REGION,
  };
  const prefix = `Vigil-${environment.name}`;

  const storage = new StorageStack(scope, `${prefix}-Storage`, {
    env,
    environment,
    description: `Vigil ${environment.name}: state table, metric store, retry queue and their key`,
  });
  const eventStore = new EventStoreStack(scope, `${prefix}-EventStore`, {
    env,
    environment,
    description: `Vigil ${environment.name}: OpenSearch event store (logs, traces, raw events) and its bootstrap`,
    key: storage.key,
  });
  const ingest = new IngestStack(scope, `${prefix}-Ingest`, {
    env,
    environment,
    description: `Vigil ${environment.name}: ingest and query API and its functions`,
    key: storage.key,
    stateTable: storage.stateTable,
    metricStore: storage.metricStore,
    retryQueue: storage.retryQueue,
    eventStore: eventStore.eventStore,
  });
  const monitoring = new MonitoringStack(scope, `${prefix}-Monitoring`, {
    env,
    environment,
    description: `Vigil ${environment.name}: platform alarms, ops topic and dashboards`,
    key: storage.key,
    api: ingest.api,
    functions: ingest.functions,
    retryQueue: storage.retryQueue,
    deadLetterQueue: storage.deadLetterQueue,
    alertingDeadLetterQueue: ingest.alertingDeadLetterQueue,
    eventStore: eventStore.eventStore,
    notificationDeadLetterQueue: ingest.notificationDeadLetterQueue,
    escalationStateMachine: ingest.escalationStateMachine,
    jobs: ingest.jobs,
  });

  for (const stack of [storage, eventStore, ingest, monitoring]) {
    // CDK tags dashboards, but CloudFormation's published schemas (and so cfn-lint) do not know the property.
    Tags.of(stack).add('vigil:environment', environment.name, {
      excludeResourceTypes: ['AWS::CloudWatch::Dashboard'],
    });
  }
  return { storage, eventStore, ingest, monitoring };
}
