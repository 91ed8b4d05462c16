import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { type IMetric, MathExpression, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { DASHBOARD_DIMENSION } from '../lambdas/metrics/metric-store-names.js';

/** Properties of a {@link VigilMetricFactory}. */
export interface VigilMetricFactoryProps {
  /** The CloudWatch namespace of the environment's EMF metrics, `Vigil/<env>`. */
  readonly namespace: string;

  /**
   * The period every metric is aggregated over.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/**
 * Builds the metrics Vigil's dashboards and alarms show, in the manner of cdk-monitoring-constructs'
 * MetricFactory: one place that knows namespaces, dimensions, statistics and periods.
 */
export class VigilMetricFactory {
  /** The namespace of the environment's EMF metrics. */
  readonly namespace: string;

  /** The period every metric is aggregated over. */
  readonly period: Duration;

  constructor(props: VigilMetricFactoryProps) {
    this.namespace = props.namespace;
    this.period = props.period ?? Duration.minutes(1);
  }

  /**
   * One series per model, found by a CloudWatch SEARCH so that models appear as soon as they report,
   * without a redeploy; each series is labelled with its model's name.
   */
  perModel(metricName: string, statistic: string): MathExpression {
    return new MathExpression({
      expression: this.search(metricName, statistic),
      label: `\${PROP('Dim.${DASHBOARD_DIMENSION}')}`,
      period: this.period,
    });
  }

  /** The sum over every model of a per-model metric, as one series. */
  allModels(metricName: string, statistic: string, label: string): MathExpression {
    return new MathExpression({
      expression: `SUM(${this.search(metricName, statistic)})`,
      label,
      period: this.period,
    });
  }

  /** Requests the HTTP API received. */
  apiRequests(api: IHttpApi): Metric {
    return api.metricCount({ statistic: 'Sum', period: this.period, label: 'Requests' });
  }

  /** Requests the HTTP API answered with a 4xx (bad input, auth). */
  apiClientErrors(api: IHttpApi): Metric {
    return api.metricClientError({ statistic: 'Sum', period: this.period, label: '4xx' });
  }

  /** Requests the HTTP API answered with a 5xx (Vigil's fault). */
  apiServerErrors(api: IHttpApi): Metric {
    return api.metricServerError({ statistic: 'Sum', period: this.period, label: '5xx' });
  }

  /** The HTTP API's end-to-end latency at a percentile such as `p95`. */
  apiLatency(api: IHttpApi, statistic: string): IMetric {
    return api.metricLatency({ statistic, period: this.period, label: `Latency ${statistic}` });
  }

  private search(metricName: string, statistic: string): string {
    return (
      `SEARCH('{${this.namespace},${DASHBOARD_DIMENSION}} MetricName="${metricName}"', ` +
      `'${statistic}', ${this.period.toSeconds()})`
    );
  }
}
