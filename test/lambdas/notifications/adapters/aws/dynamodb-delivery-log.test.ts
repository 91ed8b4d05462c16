import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLog } from '../../../../../lambdas/notifications/adapters/aws/dynamodb-delivery-log.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../../lib/local/dynalite-state-store.js';

const T0 = Date.parse('2026-03-10T14:07:00Z');
const DAY = 86_400_000;

describe('DynamoDbDeliveryLog on dynalite', () => {
  let store: DynaliteStateStore;

  before(async () => {
    store = await startDynaliteStateStore();
  });
  after(async () => {
    await store.close();
  });

  const log = (retentionMs?: number) =>
    new DynamoDbDeliveryLog({ client: store.documentClient, tableName: store.tableName, retentionMs });

  it('remembers the channels each message reached, message by message', async () => {
    // Prepare
    const subject = log();

    // Act
    await subject.recordDelivery('msg-1', 'slack', T0);
    await subject.recordDelivery('msg-1', 'pagerduty', T0);
    await subject.recordDelivery('msg-1', 'slack', T0 + 1000);
    await subject.recordDelivery('msg-2', 'teams', T0);

    // Assess
    assert.deepEqual([...(await subject.deliveredChannels('msg-1', T0))].sort(), ['pagerduty', 'slack']);
    assert.deepEqual([...(await subject.deliveredChannels('msg-2', T0))], ['teams']);
    assert.deepEqual([...(await subject.deliveredChannels('msg-3', T0))], []);
  });

  it('keeps receipts with an expiry for TTL, and ignores them once expired', async () => {
    // Prepare
    const subject = log(DAY);

    // Act
    await subject.recordDelivery('msg-ttl', 'webhook', T0);

    // Assess
    const { Item } = await store.documentClient.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { pk: 'NOTIFICATION#msg-ttl', sk: 'CHANNEL#webhook' },
      }),
    );
    assert.deepEqual(Item, {
      pk: 'NOTIFICATION#msg-ttl',
      sk: 'CHANNEL#webhook',
      deliveredAt: T0,
      expiresAt: Math.ceil((T0 + DAY) / 1000),
    });
    assert.deepEqual([...(await subject.deliveredChannels('msg-ttl', T0 + DAY - 1000))], ['webhook']);
    assert.deepEqual([...(await subject.deliveredChannels('msg-ttl', T0 + DAY))], []);
  });
});
