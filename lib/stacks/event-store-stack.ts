import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { toRuntimeConfig } from '../config/runtime-config.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { EventStore, type EventStoreRef } from '../constructs/event-store.js';

/** Properties of the {@link EventStoreStack}. */
export interface EventStoreStackProps extends StackProps {
  /** The environment whose events this stack keeps. */
  readonly environment: EnvironmentConfig;

  /** The environment's key (from the storage stack), which encrypts the store and its logs. */
  readonly key: IKey;
}

/**
 * The event store: an OpenSearch Service domain (or a Serverless collection) and the provider that sets it
 * up at deploy time. Stateful like the storage stack, but apart from it because a domain takes 15 to 30
 * minutes to create and often as long to change (blue/green): a change to the table or the queues should
 * neither wait for that nor roll back with it, and switching to Serverless swaps this stack alone.
 */
export class EventStoreStack extends Stack {
  /** The store, for the compute and monitoring stacks. */
  readonly eventStore: EventStoreRef;

  constructor(scope: Construct, id: string, props: EventStoreStackProps) {
    const { environment, key, ...stackProps } = props;
    super(scope, id, { terminationProtection: environment.retainData, ...stackProps });

    const store = new EventStore(this, 'EventStore', {
      storeName: `vigil-${environment.name}`,
      config: environment.eventStore,
      encryptionKey: key,
      runtimeConfig: toRuntimeConfig(environment),
      memorySizeMb: environment.lambda.memorySizeMb,
      logRetention: environment.retention.logRetentionDays as RetentionDays,
      retainData: environment.retainData,
    });
    this.eventStore = store.ref;
    new CfnOutput(this, 'EventStoreEndpoint', {
      value: store.ref.endpointUrl,
      description: 'Event store REST endpoint (SigV4-signed requests only)',
    });
  }
}
