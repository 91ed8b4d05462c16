import { ALERT_NAME_LABEL, type Alert, type Labels, SEVERITY_LABEL } from './alert.js';
import { type AlertRule, ruleAlertName } from './rule.js';
import type { AlertInstance, RuleState } from './rule-evaluation.js';
import { compileTemplate } from './templates.js';

/*
 * What a rule's alerts look like to the alert pipeline. Labels are the series' (`model`, `modelVersion`),
 * then the rule's own, then `severity`; the name is the rule's alert name. Annotations are rendered from
 * the rule's templates with all the alert's labels (the rule's labels and `alertname` too, which
 * Prometheus' `$labels` lacks) and its current value. `runbookUrl` becomes the conventional `runbook_url`.
 */

/** Prometheus resends firing alerts with an end four evaluation intervals ahead, so they lapse if it stops. */
export const FIRING_ALERT_LAPSE_MS = 4 * 60_000;

/** The labels of a rule's alert for one series (without `alertname`, which the alert's name carries). */
export function ruleAlertLabels(rule: AlertRule, seriesLabels: Labels): Labels {
  return { ...seriesLabels, ...rule.labels, [SEVERITY_LABEL]: rule.severity };
}

/** The rule's annotations rendered for one alert; templates see `alertname` among the labels. */
export function ruleAlertAnnotations(rule: AlertRule, labels: Labels, value: number | undefined): Labels {
  const data = { labels: { ...labels, [ALERT_NAME_LABEL]: ruleAlertName(rule) }, value };
  const annotations: Record<string, string> = {};
  for (const [name, template] of Object.entries(rule.annotations)) {
    if (template === undefined) continue;
    annotations[name === 'runbookUrl' ? 'runbook_url' : name] = compileTemplate(template).render(data);
  }
  return annotations;
}

/** What `ruleAlerts` needs besides the rule and its state. */
export interface RuleAlertOptions {
  /** How far past the evaluation a firing alert's `endsAt` lies; FIRING_ALERT_LAPSE_MS by default. */
  readonly lapseAfterMs?: number;
}

function toAlert(rule: AlertRule, alert: AlertInstance, evaluatedAt: number, lapseAfterMs: number): Alert {
  const labels = ruleAlertLabels(rule, alert.labels);
  const resolved = alert.state === 'resolved';
  return {
    name: ruleAlertName(rule),
    labels,
    annotations: ruleAlertAnnotations(rule, labels, alert.value),
    source: 'rule',
    status: resolved ? 'resolved' : 'firing',
    startsAt: alert.activeAt,
    endsAt: resolved ? alert.resolvedAt! : evaluatedAt + lapseAfterMs,
  };
}

/**
 * The alerts to hand to the alert pipeline after an evaluation: every firing alert (sent again at each
 * evaluation, as Prometheus does; the pipeline deduplicates by fingerprint) and every resolved alert still
 * kept (so a lost resolution is sent again). Pending alerts are not sent.
 */
export function ruleAlerts(rule: AlertRule, state: RuleState, options: RuleAlertOptions = {}): Alert[] {
  const lapseAfterMs = options.lapseAfterMs ?? FIRING_ALERT_LAPSE_MS;
  return state.alerts
    .filter((alert) => alert.state !== 'pending')
    .map((alert) => toAlert(rule, alert, state.evaluatedAt, lapseAfterMs));
}
