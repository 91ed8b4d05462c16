/**
 * The one shape every alert source produces (alert rules, SLO burn rates, anomaly detectors, Alertmanager,
 * CloudWatch alarms), so the pipeline after it never needs to know where an alert came from.
 */

/** Label names and values, as in Prometheus: a missing label and an empty value mean the same. */
export type Labels = Readonly<Record<string, string>>;

/** Where an alert came from. */
export const ALERT_SOURCES = ['rule', 'slo', 'anomaly', 'alertmanager', 'cloudwatch'] as const;
/** Where an alert came from. */
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** Whether the condition behind an alert holds (`firing`) or no longer does (`resolved`). */
export type AlertStatus = 'firing' | 'resolved';

/** Severities Vigil knows, most severe first. */
export const SEVERITIES = ['critical', 'high', 'warning', 'info'] as const;
/** How bad an alert is; carried in the `severity` label. */
export type Severity = (typeof SEVERITIES)[number];

/** The severity an alert counts as when its `severity` label is missing or not one Vigil knows. */
export const DEFAULT_SEVERITY: Severity = 'warning';

/** The label that carries an alert's name in label sets (Prometheus' and Alertmanager's convention). */
export const ALERT_NAME_LABEL = 'alertname';

/** The conventional labels Vigil reads: the model an alert is about and its severity. */
export const MODEL_LABEL = 'model';
/** The label that carries an alert's severity. */
export const SEVERITY_LABEL = 'severity';

/** One alert, normalised; times are epoch ms. */
export interface Alert {
  /** What fired, e.g. `HighErrorRate`: a rule's name, an SLO's burn-rate alert, an alarm's name. */
  readonly name: string;
  /**
   * Labels that identify the alert (with `name`) and that silences, inhibition and grouping match on, such
   * as `model` and `severity`. `alertname` is not among them: `name` carries it.
   */
  readonly labels: Labels;
  /** Text for people (`summary`, `description`, `runbook_url`); never part of the identity. */
  readonly annotations: Labels;
  readonly source: AlertSource;
  readonly status: AlertStatus;
  /** When the condition began to hold. */
  readonly startsAt: number;
  /** When it stopped holding (for resolved alerts), or when a firing alert should count as resolved. */
  readonly endsAt?: number;
  /** Where to see what fired (a query, a dashboard, the alarm in the console). */
  readonly generatorUrl?: string;
}

/** The alert's labels with its name as `alertname`: what matchers, fingerprints and group keys read. */
export function alertLabelSet(alert: Pick<Alert, 'name' | 'labels'>): Labels {
  return { ...alert.labels, [ALERT_NAME_LABEL]: alert.name };
}

/** Whether a label value is a severity Vigil knows. */
export function isSeverity(value: string | undefined): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value ?? '');
}

/** The alert's severity from its `severity` label; unknown or missing values count as `warning`. */
export function alertSeverity(alert: Pick<Alert, 'labels'>): Severity {
  const label = alert.labels[SEVERITY_LABEL];
  return isSeverity(label) ? label : DEFAULT_SEVERITY;
}

/** Orders severities: a larger rank is more severe (critical 4, high 3, warning 2, info 1). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/**
 * The status an alert has at `now`: a firing alert whose `endsAt` has passed counts as resolved, as in
 * Alertmanager (senders that stop repeating an alert let it lapse this way).
 */
export function effectiveStatus(alert: Pick<Alert, 'status' | 'endsAt'>, now: number): AlertStatus {
  if (alert.status === 'firing' && alert.endsAt !== undefined && alert.endsAt <= now) return 'resolved';
  return alert.status;
}
