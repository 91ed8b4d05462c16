import { Validations } from 'aws-cdk-lib';
import { Grant, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IDomain } from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import {
  type BootstrapPlan,
  vigilSecurityRoles,
} from '../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import {
  domainIndexTemplates,
  ismPolicies,
  serverlessIndexTemplates,
} from '../../lambdas/events/adapters/aws/opensearch-schema.js';
import type { RuntimeConfig } from '../../lambdas/shared/runtime-config.js';
import type { EventStoreConfig, OpenSearchDomainSizing } from '../config/schema.js';
import { wildcardResourceFindingId } from './event-store-findings.js';
import { OpenSearchBootstrapProvider } from './opensearch-bootstrap.js';
import { OpenSearchDomain } from './opensearch-domain.js';
import { OpenSearchServerlessCollection } from './opensearch-serverless-collection.js';

/** What the bootstrap sets up on the store, all but the role mappings (made where the mapped roles are). */
export type EventStoreSetup = Omit<BootstrapPlan, 'endpoint' | 'roleMappings'>;

/** The event store's bootstrap provider, as a custom resource in another stack uses it. */
export interface EventStoreBootstrapRef {
  /** The provider's service token. */
  readonly serviceToken: string;
  /** The bootstrap function's role, which must be allowed into the store. */
  readonly role: IRole;
}

/** An OpenSearch Serverless collection, as the compute stacks see it. */
export interface CollectionRef {
  readonly collectionName: string;
  readonly collectionArn: string;
  readonly collectionId: string;
}

interface EventStoreRefCommon {
  /** The store's REST endpoint, an https URL. */
  readonly endpointUrl: string;
  readonly bootstrap: EventStoreBootstrapRef;
  readonly setup: EventStoreSetup;
}

/**
 * The event store an environment uses, as handed from its stateful stack to the compute and monitoring
 * stacks: an OpenSearch Service domain (with its sizing, which the alarms need) or a Serverless collection.
 */
export type EventStoreRef =
  | (EventStoreRefCommon & {
      readonly kind: 'opensearch';
      readonly domain: IDomain;
      /**
       * The domain's fixed name, from which a consuming stack builds the domain's ARN itself: grants then
       * need no cross-stack reference, and cdk-nag findings on them have ids known at construction.
       */
      readonly domainName: string;
      readonly sizing: OpenSearchDomainSizing;
    })
  | (EventStoreRefCommon & { readonly kind: 'opensearch-serverless'; readonly collection: CollectionRef });

/** Properties of an {@link EventStore}. */
export interface EventStoreProps {
  /** The domain's or collection's name: 3 to 28 lowercase letters, digits or dashes. */
  readonly storeName: string;

  /** The environment's event store settings: domain or collection, sizing and retention. */
  readonly config: EventStoreConfig;

  /** The customer managed key that encrypts the store and its logs. */
  readonly encryptionKey: IKey;

  /** The runtime config bundled with the bootstrap function. */
  readonly runtimeConfig: RuntimeConfig;

  /** Memory of the bootstrap function in MB. */
  readonly memorySizeMb: number;

  /** How long the store's and the bootstrap's logs are kept. */
  readonly logRetention: RetentionDays;

  /**
   * Keep the store and its logs when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/**
 * Vigil's event store (logs, spans, sampled raw prediction events): an OpenSearch Service domain, or with
 * `opensearchServerless` a Serverless time-series collection (and then no domain at all), plus the provider
 * of the custom resource that puts index templates, retention and access into it at deploy time.
 */
export class EventStore extends Construct {
  /** The store, as other stacks use it. */
  readonly ref: EventStoreRef;

  constructor(scope: Construct, id: string, props: EventStoreProps) {
    super(scope, id);
    const { config } = props;
    const bootstrap = new OpenSearchBootstrapProvider(this, 'Bootstrap', {
      runtimeConfig: props.runtimeConfig,
      memorySizeMb: props.memorySizeMb,
      logRetention: props.logRetention,
      logEncryptionKey: props.encryptionKey,
    });
    const retention = {
      operationalRetentionDays: config.operationalRetentionDays,
      auditRetentionDays: config.auditRetentionDays,
    };

    if (config.opensearchServerless) {
      const collection = new OpenSearchServerlessCollection(this, 'Collection', {
        collectionName: props.storeName,
        encryptionKey: props.encryptionKey,
        retention,
        standbyReplicas: config.serverlessStandbyReplicas,
        retainData: props.retainData,
      });
      Grant.addToPrincipal({
        grantee: bootstrap.role,
        actions: ['aoss:APIAccessAll'],
        resourceArns: [collection.collectionArn],
      });
      this.ref = {
        kind: 'opensearch-serverless',
        collection,
        endpointUrl: collection.endpointUrl,
        bootstrap,
        setup: {
          signingService: 'aoss',
          indexTemplates: serverlessIndexTemplates(),
          ismPolicies: [],
          securityRoles: [],
        },
      };
      return;
    }

    const store = new OpenSearchDomain(this, 'Domain', {
      domainName: props.storeName,
      sizing: config.domain,
      encryptionKey: props.encryptionKey,
      masterUserRole: bootstrap.role,
      logRetention: props.logRetention,
      retainData: props.retainData,
    });
    // Exactly the APIs the bootstrap calls: templates, ISM policies (and moving indices onto a new version)
    // and the security plugin's roles and mappings.
    const bootstrapApis = [
      '_index_template/*',
      '_plugins/_ism/policies/*',
      '_plugins/_ism/change_policy/*',
      '_plugins/_security/api/roles/*',
      '_plugins/_security/api/rolesmapping/*',
    ];
    Grant.addToPrincipal({
      grantee: bootstrap.role,
      actions: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'],
      resourceArns: bootstrapApis.map((path) => `${store.domain.domainArn}/${path}`),
    });
    const bootstrapPolicy = bootstrap.role.node.findChild('DefaultPolicy');
    for (const path of bootstrapApis) {
      Validations.of(bootstrapPolicy).acknowledge({
        id: wildcardResourceFindingId(this, `${store.domain.domainArn}/${path}`),
        reason:
          'The bootstrap names its templates, ISM policies and security roles in the paths of these APIs ' +
          '(vigil-logs, vigil-operational-retention, vigil_events_writer, ...); the grant covers those APIs ' +
          'of this domain only, and no data.',
      });
    }
    this.ref = {
      kind: 'opensearch',
      domain: store.domain,
      domainName: props.storeName,
      sizing: config.domain,
      endpointUrl: store.endpointUrl,
      bootstrap,
      setup: {
        signingService: 'es',
        indexTemplates: domainIndexTemplates({ replicas: replicasFor(config.domain) }),
        ismPolicies: ismPolicies(retention),
        securityRoles: vigilSecurityRoles(),
      },
    };
  }
}

/**
 * Replicas per shard: none on one node (a replica could never be placed, and the cluster would stay
 * yellow), one with more nodes, and two with Multi-AZ with Standby, which wants a copy in each of 3 zones.
 */
export function replicasFor(sizing: OpenSearchDomainSizing): number {
  if (sizing.multiAzWithStandby) return 2;
  return sizing.dataNodes > 1 ? 1 : 0;
}
