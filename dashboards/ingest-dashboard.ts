import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, type IAlarm, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DASHBOARD_METRICS } from '../lambdas/metrics/metric-store-names.js';
import { ingestDashboardName } from '../lambdas/shared/dashboard-links.js';
import { VigilMetricFactory } from './metric-factory.js';
import { alarmStatusWidget, headerWidget, timeSeriesWidget } from './widgets.js';

/** A model as the dashboard lists it. */
export interface DashboardModel {
  /** The model's name. */
  readonly name: string;
  /**
   * What the model does.
   * @default - no description
   */
  readonly description?: string;
}

/** Properties of an {@link IngestDashboard}. */
export interface IngestDashboardProps {
  /** The environment's name, shown in the title and used in the dashboard's name. */
  readonly environmentName: string;

  /** The CloudWatch namespace of the environment's EMF metrics, `Vigil/<env>`. */
  readonly metricNamespace: string;

  /** The ingest HTTP API. */
  readonly api: IHttpApi;

  /**
   * The models the environment expects, listed in the header (every model that reports is charted).
   * @default - none listed
   */
  readonly models?: readonly DashboardModel[];

  /**
   * Platform alarms whose state the dashboard shows at the top.
   * @default - no alarm row
   */
  readonly alarms?: readonly IAlarm[];
}

/**
 * The first dashboard: ingest volume, errors and p95 latency per model, and the HTTP API's requests,
 * errors and latency. Models are found by SEARCH, so a new model shows without a redeploy.
 */
export class IngestDashboard extends Construct {
  /** The CloudWatch dashboard. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: IngestDashboardProps) {
    super(scope, id);
    const factory = new VigilMetricFactory({ namespace: props.metricNamespace });
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: ingestDashboardName(props.environmentName),
      widgets: ingestDashboardRows(factory, props),
    });
  }
}

/** The dashboard's rows, top to bottom. */
export function ingestDashboardRows(factory: VigilMetricFactory, props: IngestDashboardProps): IWidget[][] {
  const { api } = props;
  const rows: IWidget[][] = [[headerWidget(headerMarkdown(props))]];
  if (props.alarms && props.alarms.length > 0) {
    rows.push([alarmStatusWidget('Platform alarms', props.alarms)]);
  }
  rows.push([
    timeSeriesWidget({
      title: 'Predictions per model',
      left: [factory.perModel(DASHBOARD_METRICS.predictions, 'Sum')],
      leftLabel: 'predictions / min',
    }),
    timeSeriesWidget({
      title: 'Prediction errors per model',
      left: [factory.perModel(DASHBOARD_METRICS.predictionErrors, 'Sum')],
      leftLabel: 'errors / min',
    }),
    timeSeriesWidget({
      title: 'Latency p95 per model',
      left: [factory.perModel(DASHBOARD_METRICS.latency, 'p95')],
      leftLabel: 'ms',
    }),
  ]);
  rows.push([
    timeSeriesWidget({
      title: 'All models',
      left: [factory.allModels(DASHBOARD_METRICS.predictions, 'Sum', 'Predictions')],
      leftLabel: 'predictions / min',
      right: [factory.allModels(DASHBOARD_METRICS.predictionErrors, 'Sum', 'Errors')],
      rightLabel: 'errors / min',
    }),
    timeSeriesWidget({
      title: 'API requests and errors',
      left: [factory.apiRequests(api)],
      leftLabel: 'requests / min',
      right: [factory.apiClientErrors(api), factory.apiServerErrors(api)],
      rightLabel: 'errors / min',
    }),
    timeSeriesWidget({
      title: 'API latency',
      left: [factory.apiLatency(api, 'p50'), factory.apiLatency(api, 'p95'), factory.apiLatency(api, 'p99')],
      leftLabel: 'ms',
    }),
  ]);
  return rows;
}

function headerMarkdown(props: IngestDashboardProps): string {
  const models = props.models ?? [];
  const listed =
    models.length === 0
      ? 'No models are listed in the config; every model that reports is charted below.'
      : [
          'Models in the config (every model that reports is charted, listed or not):',
          ...models.map((model) => `- **${model.name}**${model.description ? `: ${model.description}` : ''}`),
        ].join('\n');
  return `# Vigil ${props.environmentName}: ingest\n${listed}`;
}
