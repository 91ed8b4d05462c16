import {
  AlarmStatusWidget,
  GraphWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
  LegendPosition,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';

/** The dashboard grid is 24 units wide. */
export const FULL_WIDTH = 24;

/** Properties of a time-series widget. */
export interface TimeSeriesWidgetProps {
  /** The widget's title. */
  readonly title: string;
  /** Series on the left axis. */
  readonly left: readonly IMetric[];
  /** The left axis' label, with its unit. */
  readonly leftLabel: string;
  /**
   * Series on the right axis.
   * @default - none
   */
  readonly right?: readonly IMetric[];
  /**
   * The right axis' label, with its unit.
   * @default - no label
   */
  readonly rightLabel?: string;
  /**
   * Width in grid units.
   * @default 8 (three per row)
   */
  readonly width?: number;
}

/** A markdown header spanning the dashboard, tall enough for its lines. */
export function headerWidget(markdown: string): IWidget {
  const lines = markdown.split('\n').length;
  return new TextWidget({ markdown, width: FULL_WIDTH, height: Math.max(2, lines + 1) });
}

/** A line chart whose axes start at zero, with the legend below. */
export function timeSeriesWidget(props: TimeSeriesWidgetProps): IWidget {
  return new GraphWidget({
    title: props.title,
    left: [...props.left],
    right: props.right ? [...props.right] : undefined,
    leftYAxis: { label: props.leftLabel, showUnits: false, min: 0 },
    rightYAxis: props.right ? { label: props.rightLabel, showUnits: false, min: 0 } : undefined,
    legendPosition: LegendPosition.BOTTOM,
    width: props.width ?? 8,
    height: 6,
  });
}

/** The state of every alarm in one row, so a glance shows what is firing. */
export function alarmStatusWidget(title: string, alarms: readonly IAlarm[]): IWidget {
  return new AlarmStatusWidget({ title, alarms: [...alarms], width: FULL_WIDTH, height: 3 });
}
