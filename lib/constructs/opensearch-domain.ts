import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EbsDeviceVolumeType } from 'aws-cdk-lib/aws-ec2';
import {
  AccountRootPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, ResourcePolicy, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnDomain,
  Domain,
  EngineVersion,
  type IDomain,
  TLSSecurityPolicy,
} from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { OpenSearchDomainSizing } from '../config/schema.js';

/** Properties of an {@link OpenSearchDomain}. */
export interface OpenSearchDomainProps {
  /**
   * The domain's name: 3 to 28 lowercase letters, digits or dashes. It is fixed rather than generated so that
   * the access policy can name the domain's ARN without referring to the domain itself.
   */
  readonly domainName: string;

  /** Nodes, zones and storage. */
  readonly sizing: OpenSearchDomainSizing;

  /** The customer managed key that encrypts the data at rest and the domain's log groups. */
  readonly encryptionKey: IKey;

  /** The IAM role that is the fine-grained access control master user (the bootstrap function's role). */
  readonly masterUserRole: IRole;

  /** How long the domain's slow and error logs are kept. */
  readonly logRetention: RetentionDays;

  /**
   * Keep the domain and its logs when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/** The HTTP actions the domain's resource policy lets this account's IAM principals sign requests for. */
const DOMAIN_HTTP_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPost',
  'es:ESHttpPut',
  'es:ESHttpPatch',
  'es:ESHttpDelete',
] as const;

/**
 * An OpenSearch Service domain for Vigil's events: encrypted at rest with the environment's key and between
 * nodes, HTTPS only with TLS 1.2 or newer, and fine-grained access control whose master user is an IAM role,
 * so every request is SigV4-signed and no password exists. The resource policy trusts only this account's
 * IAM principals (each still needs an identity policy, and a role mapping inside OpenSearch); slow and error
 * logs go to log groups encrypted with the same key.
 */
export class OpenSearchDomain extends Construct {
  /** The engine: the newest OpenSearch 2.x, which every instance type of the sizing (T3 included) runs. */
  static readonly ENGINE_VERSION = EngineVersion.OPENSEARCH_2_19;

  /** The domain. */
  readonly domain: IDomain;

  /** The domain's REST endpoint, as an https URL. */
  readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: OpenSearchDomainProps) {
    super(scope, id);
    const { sizing, retainData = false } = props;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const stack = Stack.of(this);
    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: props.domainName });

    const logGroup = (logId: string) =>
      new LogGroup(this, logId, {
        retention: props.logRetention,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
    const slowSearchLogs = logGroup('SlowSearchLogs');
    const slowIndexLogs = logGroup('SlowIndexLogs');
    const appLogs = logGroup('AppLogs');
    // A native resource policy in place of the custom resource the L2 would add (a Lambda per domain); it
    // lets only this domain deliver, to only these groups.
    const logDelivery = new ResourcePolicy(this, 'LogDelivery', {
      resourcePolicyName: `${props.domainName}-opensearch-logs`,
      policyStatements: [
        new PolicyStatement({
          principals: [new ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [slowSearchLogs, slowIndexLogs, appLogs].map((group) => group.logGroupArn),
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': domainArn },
          },
        }),
      ],
    });

    const dedicatedMasters = sizing.dedicatedMasterNodes > 0;
    const domain = new Domain(this, 'Resource', {
      domainName: props.domainName,
      version: OpenSearchDomain.ENGINE_VERSION,
      capacity: {
        dataNodes: sizing.dataNodes,
        dataNodeInstanceType: sizing.dataNodeInstanceType,
        masterNodes: dedicatedMasters ? sizing.dedicatedMasterNodes : undefined,
        masterNodeInstanceType: dedicatedMasters ? sizing.masterNodeInstanceType : undefined,
        // Explicit, because a cdk.json feature flag turns it on by default.
        multiAzWithStandbyEnabled: sizing.multiAzWithStandby,
      },
      zoneAwareness:
        sizing.availabilityZones > 1
          ? { enabled: true, availabilityZoneCount: sizing.availabilityZones }
          : { enabled: false },
      ebs: { enabled: true, volumeSize: sizing.volumeSizeGiB, volumeType: EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: props.encryptionKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: props.masterUserRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndexLogs,
        appLogEnabled: true,
        appLogGroup: appLogs,
      },
      suppressLogsResourcePolicy: true,
      enableVersionUpgrade: true,
      removalPolicy,
    });
    domain.node.addDependency(logDelivery);

    // Written on the L1: the L2's `accessPolicies` would apply them through a custom resource (another
    // Lambda with wildcard KMS actions), only because a generated name is unknown until the domain exists.
    const cfnDomain = domain.node.defaultChild as CfnDomain;
    cfnDomain.accessPolicies = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'ThisAccountsSignedRequests',
          principals: [new AccountRootPrincipal()],
          actions: [...DOMAIN_HTTP_ACTIONS],
          resources: [`${domainArn}/*`],
        }),
      ],
    }).toJSON();

    this.acknowledgeFindings(domain, sizing);
    this.domain = domain;
    this.endpointUrl = `https://${domain.domainEndpoint}`;
  }

  private acknowledgeFindings(domain: Domain, sizing: OpenSearchDomainSizing): void {
    const outsideVpc =
      'The domain has a public endpoint because its clients are Lambda functions outside any VPC (a VPC would ' +
      'add NAT gateways or endpoints to every environment); every request must be SigV4-signed by an IAM ' +
      'principal of this account with an identity policy for it, and fine-grained access control limits each ' +
      'role to the vigil-* indices it needs.';
    Validations.of(domain).acknowledge({ id: 'AwsSolutions-OS1', reason: outsideVpc });
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason: `An IP allowlist cannot name Lambda functions, whose addresses change. ${outsideVpc}`,
    });
    if (sizing.dedicatedMasterNodes === 0) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason:
          `This environment runs ${sizing.dataNodes} data node(s) by its config; dedicated masters would cost ` +
          'more than the data nodes for a non-production cluster. Prod runs three.',
      });
    }
    if (sizing.availabilityZones === 1) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason:
          'This environment runs one data node in one zone by its config, to try Vigil out cheaply; staging ' +
          'and prod spread their nodes over two and three zones.',
      });
    }
  }
}
