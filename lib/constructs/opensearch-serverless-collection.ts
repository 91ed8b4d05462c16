import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnCollection, CfnLifecyclePolicy, CfnSecurityPolicy } from 'aws-cdk-lib/aws-opensearchserverless';
import { Construct } from 'constructs';
import {
  type RetentionOptions,
  SERVERLESS_COLLECTION_TYPE,
  serverlessLifecyclePolicy,
} from '../../lambdas/events/adapters/aws/opensearch-schema.js';

/** Properties of an {@link OpenSearchServerlessCollection}. */
export interface OpenSearchServerlessCollectionProps {
  /** The collection's name (3 to 28 lowercase letters, digits or dashes); its policies are named after it. */
  readonly collectionName: string;

  /** The customer managed key that encrypts the collection. */
  readonly encryptionKey: IKey;

  /** Days each kind of index is kept; Serverless keeps them by a data lifecycle policy instead of ISM. */
  readonly retention: RetentionOptions;

  /**
   * Keep a standby replica of every shard in another zone (twice the minimum OCUs, and zone failures lose
   * nothing).
   * @default true
   */
  readonly standbyReplicas?: boolean;

  /**
   * Keep the collection when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/**
 * An OpenSearch Serverless time-series collection for Vigil's events: encrypted with the environment's key,
 * reached over its public endpoint with SigV4 only (Vigil's functions run outside any VPC, and a collection
 * answers nobody whom a data access policy does not name), with data lifecycle policies for retention.
 * Data access policies, which name the functions' roles, are made beside those roles.
 */
export class OpenSearchServerlessCollection extends Construct {
  /** The collection's name. */
  readonly collectionName: string;

  /** The collection's ARN, the resource of `aoss:APIAccessAll`. */
  readonly collectionArn: string;

  /** The collection's id, the `CollectionId` dimension of its metrics. */
  readonly collectionId: string;

  /** The collection's REST endpoint, an https URL. */
  readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: OpenSearchServerlessCollectionProps) {
    super(scope, id);
    const name = props.collectionName;
    const collectionResource = [`collection/${name}`];

    const encryption = new CfnSecurityPolicy(this, 'EncryptionPolicy', {
      name: `${name}-enc`,
      type: 'encryption',
      description: `Encrypts the ${name} collection with the environment's key`,
      policy: Stack.of(this).toJsonString({
        Rules: [{ ResourceType: 'collection', Resource: collectionResource }],
        AWSOwnedKey: false,
        KmsARN: props.encryptionKey.keyArn,
      }),
    });
    const network = new CfnSecurityPolicy(this, 'NetworkPolicy', {
      name: `${name}-net`,
      type: 'network',
      description: `The ${name} collection API over its public endpoint, SigV4 only; no dashboards`,
      policy: JSON.stringify([
        { Rules: [{ ResourceType: 'collection', Resource: collectionResource }], AllowFromPublic: true },
      ]),
    });

    const collection = new CfnCollection(this, 'Collection', {
      name,
      type: SERVERLESS_COLLECTION_TYPE,
      description: "Vigil's logs, spans and sampled raw prediction events",
      standbyReplicas: (props.standbyReplicas ?? true) ? 'ENABLED' : 'DISABLED',
    });
    // The collection cannot be created before a policy covers its encryption.
    collection.addResourceDependency(encryption);
    collection.addResourceDependency(network);
    collection.applyRemovalPolicy(props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

    const lifecycle = new CfnLifecyclePolicy(this, 'Retention', {
      name: `${name}-retention`,
      type: 'retention',
      description: 'Deletes operational and audit events after their retention',
      policy: JSON.stringify(serverlessLifecyclePolicy(name, props.retention)),
    });
    lifecycle.addResourceDependency(collection);

    this.collectionName = name;
    this.collectionArn = collection.attrArn;
    this.collectionId = collection.attrId;
    this.endpointUrl = collection.attrCollectionEndpoint;
  }
}
