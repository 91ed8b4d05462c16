import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, type CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { IngestDashboard } from '../../dashboards/ingest-dashboard.js';

const SNAPSHOT = new URL('./__snapshots__/ingest-dashboard.json', import.meta.url);

// The dashboard alone, in a stack with a fixed environment, so its body resolves to plain JSON.
const stack = new Stack(new App(), 'Dashboards', { env: { account: '123456789012', region: 'eu-west-1' } });
const dashboard = new IngestDashboard(stack, 'Ingest', {
  environmentName: 'test',
  metricNamespace: 'Vigil/test',
  api: HttpApi.fromHttpApiAttributes(stack, 'Api', { httpApiId: 'abc123defg' }),
  models: [{ name: 'fraud', description: 'Card-fraud classifier' }, { name: 'churn' }],
  alarms: [
    Alarm.fromAlarmArn(
      stack,
      'Alarm',
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Vigil-test-DeadLetters',
    ),
  ],
});
const cfnDashboard = dashboard.dashboard.node.defaultChild as CfnDashboard;
const resolvedBody = JSON.parse(joinToString(stack.resolve(cfnDashboard.dashboardBody)));
const expressions: string[] = resolvedBody.widgets.flatMap(
  (widget: { properties: { metrics?: unknown[][] } }) =>
    (widget.properties.metrics ?? [])
      .map((metric) => (metric[0] as { expression?: string }).expression)
      .filter(Boolean),
);

/** Renders the body's `Fn::Join` as text, each `Ref` as `${Name}` (dashboards refer to AWS::Region). */
function joinToString(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(joinToString).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `\${${ref}}`;
  throw new Error(`unexpected token in dashboard body: ${JSON.stringify(value)}`);
}

describe('IngestDashboard', () => {
  it('finds every model by SEARCH over the Model dimension of the environment namespace', () => {
    assert.ok(expressions.includes(`SEARCH('{Vigil/test,Model} MetricName="Predictions"', 'Sum', 60)`));
    assert.ok(expressions.includes(`SEARCH('{Vigil/test,Model} MetricName="PredictionErrors"', 'Sum', 60)`));
    assert.ok(expressions.includes(`SEARCH('{Vigil/test,Model} MetricName="LatencyMs"', 'p95', 60)`));
  });

  it('matches the reviewed snapshot of its body', () => {
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      writeFileSync(SNAPSHOT, `${JSON.stringify(resolvedBody, null, 2)}\n`);
    }
    assert.ok(existsSync(SNAPSHOT), 'no snapshot yet: run with UPDATE_SNAPSHOTS=1 and review it');

    // Compared as data, so that reformatting the snapshot file (Biome formats JSON) does not matter.
    assert.deepEqual(resolvedBody, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });
});
