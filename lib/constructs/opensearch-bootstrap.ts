import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { RuntimeConfig } from '../../lambdas/shared/runtime-config.js';
import { wildcardResourceFindingId } from './event-store-findings.js';
import { VigilFunction } from './vigil-function.js';

/** Properties of an {@link OpenSearchBootstrapProvider}. */
export interface OpenSearchBootstrapProviderProps {
  /** The runtime config bundled with the function. */
  readonly runtimeConfig: RuntimeConfig;

  /** Memory of the bootstrap function in MB. */
  readonly memorySizeMb: number;

  /** How long the function's and the provider's logs are kept. */
  readonly logRetention: RetentionDays;

  /** The key that encrypts the log groups. */
  readonly logEncryptionKey: IKey;
}

/**
 * The custom resource provider that sets up the event store at deploy time: one Vigil function
 * (`opensearch-bootstrap`), whose role is the domain's fine-grained access control master user, behind the
 * CDK provider framework, which answers CloudFormation. The resources themselves (one per set of roles to
 * map) are made where the mapped roles live.
 */
export class OpenSearchBootstrapProvider extends Construct {
  /** What a custom resource names as its provider. */
  readonly serviceToken: string;

  /** The bootstrap function's role: the master user of a domain, a principal of a collection's access policy. */
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: OpenSearchBootstrapProviderProps) {
    super(scope, id);
    const bootstrap = new VigilFunction(this, 'Function', {
      entry: 'lambdas/events/handlers/opensearch-bootstrap.ts',
      description: 'Puts the event store index templates, ISM policies and role mappings at deploy time',
      runtimeConfig: props.runtimeConfig,
      memorySizeMb: props.memorySizeMb,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      // A new domain may need a minute of retries; the provider framework waits up to 15 minutes.
      timeout: Duration.minutes(5),
    });

    // The framework's function gets a role and an encrypted log group of ours, instead of the AWS managed
    // AWSLambdaBasicExecutionRole (logs anywhere) and an unencrypted group.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', {
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the CDK provider framework in front of the event store bootstrap',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: bootstrap,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    // Lambda grants invoke on the function and all its versions, which cdk-nag reads as a wildcard.
    Validations.of(frameworkRole.node.findChild('DefaultPolicy')).acknowledge({
      id: wildcardResourceFindingId(this, `${bootstrap.functionArn}:*`),
      reason:
        'The CDK provider framework invokes the bootstrap function by ARN and any of its versions ' +
        '(lambda:InvokeFunction on <function ARN>:*), as Lambda grants invoke; it may invoke nothing else.',
    });

    this.serviceToken = provider.serviceToken;
    this.role = bootstrap.role!;
  }
}
