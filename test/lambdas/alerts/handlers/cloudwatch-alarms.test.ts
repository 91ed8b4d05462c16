import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDynamoDbAlertRepositories } from '../../../../lambdas/alerts/adapters/aws/alert-repositories.js';
import type { AlertingContext } from '../../../../lambdas/alerts/core/alerting.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../lambdas/alerts/core/pipeline-config.js';
import type { Notification } from '../../../../lambdas/alerts/core/pipeline-notifications.js';
import { parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import { createCloudWatchAlarmHandler } from '../../../../lambdas/alerts/handlers/cloudwatch-alarms.js';
import {
  DuckDbMetricStore,
  IN_MEMORY,
} from '../../../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { RollupMetricReader } from '../../../../lambdas/metrics/core/aggregate.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';
import { cloudWatchAlarmExample } from '../core/fixtures/fixtures.js';

const T = Date.UTC(2026, 2, 10, 15, 0, 0);
const MINUTE = 60_000;

const costRule = parseAlertRule({
  name: 'ranker/cost',
  alertName: 'ModelCostHigh',
  model: 'ranker',
  aggregation: 'sum',
  metric: 'cost_usd',
  window: '5m',
  comparison: '>',
  threshold: 10,
  severity: 'warning',
});

describe('the CloudWatch alarm handler', () => {
  let state: DynaliteStateStore;
  let metrics: DuckDbMetricStore;
  let context: AlertingContext;
  const sent: Notification[] = [];

  before(async () => {
    state = await startDynaliteStateStore();
    metrics = await DuckDbMetricStore.open(IN_MEMORY);
    context = {
      repositories: createDynamoDbAlertRepositories({
        client: state.documentClient,
        tableName: state.tableName,
        now: () => T,
      }),
      sink: { send: async (notification) => void sent.push(notification) },
      pipeline: DEFAULT_PIPELINE_CONFIG,
      rules: [costRule],
      knownModels: ['ranker'],
      metricReader: new RollupMetricReader(metrics),
      now: () => T + 10 * MINUTE,
      newId: () => 'id',
    };
  });
  after(async () => {
    await metrics.close();
    await state.close();
  });

  it('turns an alarm going into ALARM into a firing alert, and OK into its resolution', async () => {
    // Prepare
    const handler = createCloudWatchAlarmHandler(() => context);
    const firing = cloudWatchAlarmExample();
    const resolved = cloudWatchAlarmExample();
    resolved.detail.previousState = firing.detail.state;
    resolved.detail.state = {
      value: 'OK',
      reason: 'back to normal',
      timestamp: firing.detail.state.timestamp,
    };

    // Act
    const fired = await handler(firing);
    const ended = await handler(resolved);

    // Assess
    assert.equal(fired.received, 1);
    assert.equal(ended.received, 1);
    const alerts = await context.repositories.alerts.list({ now: T + 10 * MINUTE, limit: 100 });
    const alarm = alerts.find((record) => record.alert.source === 'cloudwatch')!;
    assert.equal(alarm.alert.name, firing.detail.alarmName);
    assert.equal(alarm.alert.status, 'resolved');
    assert.equal(alarm.receivedCount, 2);
  });

  it('leaves INSUFFICIENT_DATA alone and refuses an event that is not an alarm state change', async () => {
    // Prepare
    const handler = createCloudWatchAlarmHandler(() => context);
    const unknown = cloudWatchAlarmExample();
    unknown.detail.state = { value: 'INSUFFICIENT_DATA', timestamp: unknown.detail.state.timestamp };

    // Act / Assess
    assert.deepEqual(await handler(unknown), { received: 0 });
    await assert.rejects(handler({ source: 'aws.ec2' }), /invalid CloudWatch alarm state change/);
  });
});
