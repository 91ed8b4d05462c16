import { ArnFormat, CustomResource, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnAccessPolicy } from 'aws-cdk-lib/aws-opensearchserverless';
import { Domain, type IDomain } from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import {
  bootstrapResourceProperties,
  EVENTS_READER_ROLE,
  EVENTS_WRITER_ROLE,
  VIGIL_INDEX_PATTERN,
} from '../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import { OPENSEARCH_ENDPOINT_ENV } from '../../lambdas/events/event-store-names.js';
import type { CollectionRef, EventStoreRef } from './event-store.js';
import { wildcardResourceFindingId } from './event-store-findings.js';

/** Properties of an {@link EventStoreAccess}. */
export interface EventStoreAccessProps {
  /** The event store, from its stateful stack. */
  readonly eventStore: EventStoreRef;
}

/** The custom resource type of the event store's bootstrap, as CloudFormation shows it. */
export const EVENT_STORE_BOOTSTRAP_TYPE = 'Custom::VigilEventStoreBootstrap';

/**
 * Who may use the event store, made beside the functions that use it: identity policies for each function
 * (index-scoped `es:ESHttp*` on a domain, `aoss:APIAccessAll` on a collection), and the bootstrap custom
 * resource that puts the index templates, retention and fine-grained access control roles into the store
 * and maps the writers' and readers' roles to them; on Serverless, the data access policy instead.
 * Functions granted access start only after the bootstrap has run, so no index is made without its template.
 */
export class EventStoreAccess extends Construct {
  /** The environment variables a function needs to reach the store. */
  readonly environment: Readonly<Record<string, string>>;

  /** The bootstrap custom resource. */
  readonly bootstrap: CustomResource;

  private readonly eventStore: EventStoreRef;
  /**
   * The domain, seen from this stack: its ARN built here from its fixed name, so grants hold no reference
   * to the stateful stack.
   */
  private readonly domain?: IDomain;
  private readonly writers: IRole[] = [];
  private readonly readers: IRole[] = [];

  constructor(scope: Construct, id: string, props: EventStoreAccessProps) {
    super(scope, id);
    const { eventStore } = props;
    this.eventStore = eventStore;
    this.environment = { [OPENSEARCH_ENDPOINT_ENV]: eventStore.endpointUrl };
    if (eventStore.kind === 'opensearch') {
      this.domain = Domain.fromDomainAttributes(this, 'Domain', {
        domainArn: Stack.of(this).formatArn({
          service: 'es',
          resource: 'domain',
          resourceName: eventStore.domainName,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
        domainEndpoint: eventStore.endpointUrl,
      });
    }
    const roleArns = (roles: IRole[]) => Lazy.list({ produce: () => roles.map((role) => role.roleArn) });

    this.bootstrap = new CustomResource(this, 'Bootstrap', {
      serviceToken: eventStore.bootstrap.serviceToken,
      resourceType: EVENT_STORE_BOOTSTRAP_TYPE,
      properties: bootstrapResourceProperties({
        ...eventStore.setup,
        endpoint: eventStore.endpointUrl,
        // A collection has no security plugin: its data access policy below grants the same roles.
        roleMappings:
          eventStore.kind === 'opensearch'
            ? { [EVENTS_WRITER_ROLE]: roleArns(this.writers), [EVENTS_READER_ROLE]: roleArns(this.readers) }
            : {},
      }),
    });

    if (eventStore.kind === 'opensearch-serverless') {
      const accessPolicy = new CfnAccessPolicy(this, 'DataAccessPolicy', {
        name: `${eventStore.collection.collectionName}-access`,
        type: 'data',
        description: "Vigil's writers, readers and bootstrap on the vigil-* indices of the collection",
        policy: Lazy.string({
          produce: () => Stack.of(this).toJsonString(this.dataAccessPolicy(eventStore.collection)),
        }),
      });
      this.bootstrap.node.addDependency(accessPolicy);
    }
  }

  /**
   * Lets a function write events: bulk writes and daily index creation on `vigil-*`, as an identity
   * policy and (through the bootstrap) as the writer role inside OpenSearch.
   */
  grantWrite(fn: IFunction): void {
    const role = this.roleOf(fn);
    if (this.domain) {
      this.domain.grantIndexWrite(VIGIL_INDEX_PATTERN, role);
      // The bulk API's path names no index; the writer role inside OpenSearch confines it to vigil-*.
      this.domain.grantPathWrite('_bulk', role);
      this.acknowledgeIndexGrants(role, [VIGIL_INDEX_PATTERN, `${VIGIL_INDEX_PATTERN}/*`]);
    } else if (this.eventStore.kind === 'opensearch-serverless') {
      this.grantCollectionApi(this.eventStore.collection, role);
    }
    this.writers.push(role);
    this.startAfterBootstrap(fn);
  }

  /**
   * Lets a function search events on `vigil-*`. Searches and counts with a body are POSTs, so besides the
   * GET and HEAD of `grantIndexRead` the reader may POST to `_search` and `_count`, and nothing else.
   */
  grantRead(fn: IFunction): void {
    const role = this.roleOf(fn);
    if (this.domain) {
      const { domain } = this;
      domain.grantIndexRead(VIGIL_INDEX_PATTERN, role);
      const searchApis = ['_search', '_count'].map((api) => `${VIGIL_INDEX_PATTERN}/${api}`);
      Grant.addToPrincipal({
        grantee: role,
        actions: ['es:ESHttpPost'],
        resourceArns: searchApis.map((path) => `${domain.domainArn}/${path}`),
      });
      this.acknowledgeIndexGrants(role, [VIGIL_INDEX_PATTERN, `${VIGIL_INDEX_PATTERN}/*`, ...searchApis]);
    } else if (this.eventStore.kind === 'opensearch-serverless') {
      this.grantCollectionApi(this.eventStore.collection, role);
    }
    this.readers.push(role);
    this.startAfterBootstrap(fn);
  }

  /** Serverless authorizes in two steps: this IAM permission to call the collection, then the data policy. */
  private grantCollectionApi(collection: CollectionRef, role: IRole): void {
    Grant.addToPrincipal({
      grantee: role,
      actions: ['aoss:APIAccessAll'],
      resourceArns: [collection.collectionArn],
    });
  }

  /**
   * The collection's data access policy: writers may create, extend and write `vigil-*` indices, readers
   * may read them, and the bootstrap may put index templates (collection items) and nothing else.
   */
  private dataAccessPolicy(collection: CollectionRef): unknown[] {
    const indices = [`index/${collection.collectionName}/${VIGIL_INDEX_PATTERN}`];
    const rule = (principals: IRole[], description: string, rules: unknown[]) =>
      principals.length === 0
        ? []
        : [{ Description: description, Rules: rules, Principal: principals.map((role) => role.roleArn) }];
    return [
      ...rule(this.writers, 'Vigil ingest writes events', [
        {
          ResourceType: 'index',
          Resource: indices,
          Permission: ['aoss:CreateIndex', 'aoss:UpdateIndex', 'aoss:DescribeIndex', 'aoss:WriteDocument'],
        },
      ]),
      ...rule(this.readers, 'Vigil search reads events', [
        { ResourceType: 'index', Resource: indices, Permission: ['aoss:DescribeIndex', 'aoss:ReadDocument'] },
      ]),
      ...rule([this.eventStore.bootstrap.role], 'Vigil bootstrap puts index templates', [
        {
          ResourceType: 'collection',
          Resource: [`collection/${collection.collectionName}`],
          Permission: [
            'aoss:CreateCollectionItems',
            'aoss:UpdateCollectionItems',
            'aoss:DescribeCollectionItems',
          ],
        },
      ]),
    ];
  }

  /**
   * Makes the function itself (not its role, which the bootstrap maps and so must exist first) wait for the
   * bootstrap.
   */
  private startAfterBootstrap(fn: IFunction): void {
    fn.node.defaultChild?.node.addDependency(this.bootstrap);
  }

  /** Acknowledges exactly the findings cdk-nag raises on these paths of the domain, on the role's policy. */
  private acknowledgeIndexGrants(role: IRole, paths: readonly string[]): void {
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!policy || !this.domain) return;
    for (const path of paths) {
      Validations.of(policy).acknowledge({
        id: wildcardResourceFindingId(this, `${this.domain.domainArn}/${path}`),
        reason:
          'Event indices are one per kind and UTC day (vigil-logs-2026.03.10), so the grant names their ' +
          'pattern vigil-* and the APIs under it; inside OpenSearch the function maps to a Vigil role with ' +
          'the same pattern and only the actions its job needs.',
      });
    }
  }

  private roleOf(fn: IFunction): IRole {
    if (!fn.role)
      throw new Error(`${fn.node.path} has no execution role; expected a Lambda function with one`);
    return fn.role;
  }
}
