import { Validations } from 'aws-cdk-lib';
import { Grant, type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { TableReference } from 'aws-cdk-lib/aws-timestream';
import type { Construct } from 'constructs';
import { TIMESTREAM_DATABASE_ENV, TIMESTREAM_TABLE_ENV } from '../../lambdas/metrics/metric-store-names.js';

/**
 * The metric store an environment uses, as handed from the storage stack to the compute stacks: a
 * Timestream table, or the CloudWatch namespace the store's metrics go to.
 */
export type MetricStoreRef =
  | { readonly kind: 'timestream'; readonly table: TableReference }
  | { readonly kind: 'cloudwatch'; readonly namespace: string };

/** A function that reads or writes metrics: a construct to hang policies on, with its execution role. */
export interface MetricStoreClient extends Construct {
  /** The function's execution role. */
  readonly role?: IRole;
}

/** The resource names a function needs to reach the metric store (none for CloudWatch). */
export function metricStoreEnvironment(store: MetricStoreRef): Record<string, string> {
  if (store.kind === 'cloudwatch') return {};
  return {
    [TIMESTREAM_DATABASE_ENV]: store.table.databaseName,
    [TIMESTREAM_TABLE_ENV]: store.table.tableName,
  };
}

/** Lets a function write rollups: `timestream:WriteRecords` on the table, or `PutMetricData` to the namespace. */
export function grantMetricWrite(store: MetricStoreRef, client: MetricStoreClient): void {
  const role = roleOf(client);
  if (store.kind === 'timestream') {
    Grant.addToPrincipal({
      grantee: role,
      actions: ['timestream:WriteRecords'],
      resourceArns: [store.table.tableArn],
    });
    allowTimestreamEndpointDiscovery(client, role);
    return;
  }
  const policy = new Policy(client, 'CloudWatchMetricWrite', {
    roles: [role],
    statements: [
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': store.namespace } },
      }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:PutMetricData supports no resource-level permissions; the cloudwatch:namespace ' +
      "condition confines writes to this environment's namespace.",
  });
}

/** Lets a function query rollups: `timestream:Select` on the table, or `GetMetricData` and `ListMetrics`. */
export function grantMetricRead(store: MetricStoreRef, client: MetricStoreClient): void {
  const role = roleOf(client);
  if (store.kind === 'timestream') {
    Grant.addToPrincipal({
      grantee: role,
      actions: ['timestream:Select'],
      resourceArns: [store.table.tableArn],
    });
    allowTimestreamEndpointDiscovery(client, role);
    return;
  }
  const policy = new Policy(client, 'CloudWatchMetricRead', {
    roles: [role],
    statements: [
      new PolicyStatement({
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
        resources: ['*'],
      }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:GetMetricData and cloudwatch:ListMetrics support no resource-level permissions, so AWS ' +
      'requires "*"; both only read metrics.',
  });
}

/** Timestream's SDK discovers its endpoints before any call; DescribeEndpoints has no resource to scope to. */
function allowTimestreamEndpointDiscovery(client: MetricStoreClient, role: IRole): void {
  if (client.node.tryFindChild('TimestreamEndpointDiscovery')) return;
  const policy = new Policy(client, 'TimestreamEndpointDiscovery', {
    roles: [role],
    statements: [new PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] })],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'timestream:DescribeEndpoints supports no resource-level permissions; AWS requires "*" for the ' +
      'endpoint discovery every Timestream SDK call starts with.',
  });
}

function roleOf(client: MetricStoreClient): IRole {
  if (!client.role)
    throw new Error(`${client.node.path} has no execution role; expected a Lambda function with one`);
  return client.role;
}
