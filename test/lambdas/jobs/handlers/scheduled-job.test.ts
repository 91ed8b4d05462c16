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
import { parseSlo } from '../../../../lambdas/slos/core/slo.js';
import type { SloReport } from '../../../../lambdas/slos/core/slo-report.js';
import type { SloReportPublisher } from '../../../../lambdas/slos/ports/slo-report-publisher.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';

const T = Date.UTC(2026, 2, 10, 15, 0, 0);
const MINUTE = 60_000;
// Monday 00:00 UTC, when the report schedule runs.
const MONDAY = Date.UTC(2026, 2, 9);

const availability = parseSlo({
  name: 'ranker-availability',
  model: 'ranker',
  sli: { kind: 'availability' },
  objective: 0.999,
});

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
  const jobsWith = (reportPublisher?: SloReportPublisher) => () => ({
    alerting: context,
    slos: {
      slos: [availability],
      metricReader: context.metricReader,
      states: new DynamoDbSloStateRepository({ client: state.documentClient, tableName: state.tableName }),
      now: context.now,
      reportPublisher,
    },
  });
  const jobs = jobsWith();
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

  it('publishes the SLO report of the week ending at its scheduled time, and answers it too', async () => {
    // Prepare: a publisher that keeps what it is given; the run is delivered ten minutes late.
    const published: SloReport[] = [];
    const handler = createScheduledJobHandler(
      jobsWith({ publish: async (report) => void published.push(report) }),
    );

    // Act
    const result = await handler({ job: 'slo-report', scheduledTime: new Date(MONDAY).toISOString() });

    // Assess
    assert.ok('report' in result && 'published' in result);
    assert.equal(result.published, true);
    assert.equal(published.length, 1);
    assert.deepEqual(published[0], result.report);
    assert.equal(result.report.to, '2026-03-09T00:00:00.000Z');
    assert.equal(result.report.from, '2026-03-02T00:00:00.000Z');
    assert.deepEqual(
      result.report.slos.map((entry) => entry.slo),
      ['ranker-availability'],
    );
  });

  it('fails the run when the report cannot be published, so that it is retried', async () => {
    const refused = new Error('the topic refused it');
    const handler = createScheduledJobHandler(
      jobsWith({
        publish: async () => {
          throw refused;
        },
      }),
    );

    await assert.rejects(
      handler({ job: 'slo-report', scheduledTime: new Date(MONDAY).toISOString() }),
      (error) => error === refused,
    );
  });

  it('only answers the report when the context has no publisher', async () => {
    const result = await createScheduledJobHandler(jobs)({
      job: 'slo-report',
      scheduledTime: new Date(MONDAY).toISOString(),
    });

    assert.ok('published' in result);
    assert.equal(result.published, false);
  });

  it('refuses an unknown job by name', async () => {
    await assert.rejects(
      createScheduledJobHandler(jobs)({ job: 'slo-burn' }),
      /no job "slo-burn"; the jobs are alert-rules, alert-pipeline, slo, slo-report/,
    );
  });
});
