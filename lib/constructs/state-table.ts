import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { STATE_TABLE_KEYS, STATE_TABLE_TTL_ATTRIBUTE } from '../../lambdas/shared/state-table.js';

/** Properties of a {@link StateTable}. */
export interface StateTableProps {
  /** The customer managed key that encrypts the table. */
  readonly encryptionKey: IKey;

  /**
   * Keep the table when its stack is deleted, and refuse deletion while it exists.
   * @default false
   */
  readonly retainData?: boolean;
}

/**
 * Vigil's state (tokens, alerts, incidents, silences, SLO and baseline state) in one on-demand DynamoDB
 * table keyed by string `pk` and `sk`, encrypted with a customer managed key, with point-in-time recovery
 * and TTL on `expiresAt`, so expired idempotency records, stream states and tokens go away on their own.
 */
export class StateTable extends Construct {
  /** The table. */
  readonly table: ITable;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    const retainData = props.retainData ?? false;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: STATE_TABLE_TTL_ATTRIBUTE,
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}

/** The item-level write actions Vigil's repositories use (conditional writes; no transactions). */
const ITEM_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * Lets a principal read and write the state table's items. Reads come from `grantReadData`; writes are
 * granted with exactly the key actions they need (`kms:Encrypt`, `kms:GenerateDataKey`), where
 * `grantReadWriteData` would add `kms:ReEncrypt*` and `kms:GenerateDataKey*`.
 */
export function grantStateReadWrite(table: ITable, grantee: IGrantable): void {
  table.grantReadData(grantee);
  table.grant(grantee, ...ITEM_WRITE_ACTIONS);
  table.encryptionKey?.grant(grantee, 'kms:Encrypt', 'kms:GenerateDataKey');
}
