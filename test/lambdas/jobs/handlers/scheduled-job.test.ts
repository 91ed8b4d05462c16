import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDynamoDbAlertRepositories } from '../../../../lambdas/alerts/adapters/aws/alert-repositories.js';
import type { AlertingContext } from '../../../../lambdas/alerts/core/alerting.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../lambdas/alerts/core/pipeline-config.js';
import type { Notification } from '../../../../lambdas/alerts/core/pipeline-notifications.js';
import { parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import { createScheduledJobHandler } from '../../../../lambdas/jobs/handlers/scheduled-job.js';
import {
  DuckDbMetricStore,
  IN_MEMORY,
} from '../../../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { RollupMetricReader } from '../../../../lambdas/metrics/core/aggregate.js';
import { RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';
import { DynamoDbSloStateRepository } from '../../../../lambdas/slos/adapters/aws/dynamodb-slo-state-repository.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';

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

describe('the scheduled-job handler', () => {
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
  const jobs = () => ({
    alerting: context,
    slos: {
      slos: [],
      metricReader: context.metricReader,
      states: new DynamoDbSloStateRepository({ client: state.documentClient, tableName: state.tableName }),
      now: context.now,
    },
  });
  after(async () => {
    await metrics.close();
    await state.close();
  });

  it('evaluates the minute the schedule meant, not the minute the invocation ran', async () => {
    // Prepare: 12 USD spent in the five minutes before T, none after.
    const spend = new RollupAccumulator();
    for (let minute = 1; minute <= 4; minute++) {
      spend.observe({ metric: 'cost_usd', dimensions: { model: 'ranker' } }, T - minute * MINUTE, 3);
    }
    await metrics.write(spend.rollups());
    const handler = createScheduledJobHandler(jobs);

    // Act: delivered ten minutes late, when the spend is out of the window.
    const report = await handler({ job: 'alert-rules', scheduledTime: new Date(T).toISOString() });

    // Assess
    assert.equal(report.at, new Date(T).toISOString());
    assert.ok('rules' in report);
    const [rule] = report.rules;
    assert.deepEqual(rule, { ...rule, rule: 'ranker/cost', outcome: 'evaluated', firing: 1 });
  });

  it('refuses an unknown job by name', async () => {
    await assert.rejects(
      createScheduledJobHandler(jobs)({ job: 'slo-burn' }),
      /no job "slo-burn"; the jobs are alert-rules, alert-pipeline, slo, slo-report/,
    );
  });
});
