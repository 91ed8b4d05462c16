import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Properties of {@link OpsAlarms}. */
export interface OpsAlarmsProps {
  /** The topic that hears when an alarm fires and when it recovers. */
  readonly topic: ITopic;

  /** Prefix of every alarm's name, so an account with several environments stays readable. */
  readonly alarmNamePrefix: string;
}

/** One platform alarm: a metric crossing a threshold. */
export interface OpsAlarmProps {
  /** What is measured; its period is the alarm's period. */
  readonly metric: IMetric;

  /** The value that fires the alarm. */
  readonly threshold: number;

  /** What is wrong when the alarm fires, and where to look: the notification's first lines. */
  readonly description: string;

  /**
   * How the metric compares to the threshold.
   * @default ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: ComparisonOperator;

  /**
   * How many consecutive periods must breach.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/**
 * Builds Vigil's self-monitoring alarms the same way every time: named by environment, quiet when data is
 * missing (no traffic is not an outage), and notifying the ops topic when they fire and when they recover.
 */
export class OpsAlarms extends Construct {
  /** The standard period of platform alarms. */
  static readonly PERIOD = Duration.minutes(5);

  private readonly props: OpsAlarmsProps;
  private readonly created: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    this.props = props;
  }

  /** Every alarm built so far. */
  get alarms(): readonly IAlarm[] {
    return this.created;
  }

  /** Adds an alarm that notifies the ops topic. */
  add(id: string, props: OpsAlarmProps): IAlarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.props.alarmNamePrefix}-${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const notify = new SnsAction(this.props.topic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    this.created.push(alarm);
    return alarm;
  }
}
