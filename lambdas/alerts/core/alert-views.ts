import {
  type AlertSource,
  alertSeverity,
  effectiveStatus,
  type Labels,
  type Severity,
  severityRank,
} from './alert.js';
import { alertFingerprint } from './fingerprint.js';
import type { Incident } from './incident.js';
import { alertMutings } from './pipeline.js';
import type { PipelineConfig } from './pipeline-config.js';
import { type AlertRecord, EMPTY_PIPELINE_STATE } from './pipeline-state.js';
import { type AlertRule, ruleAlertName } from './rule.js';
import { ruleAlertAnnotations, ruleAlertLabels } from './rule-alert.js';
import type { RuleState } from './rule-evaluation.js';
import type { Silence } from './silence.js';
import { silenceState } from './silence.js';

/*
 * What the read routes answer: stored records turned into API objects with ISO-8601 times. Alerts join
 * what the pipeline stored (firing and resolved) with what only the rules know (pending alerts, which
 * never reach the pipeline), and say why a firing alert is muted.
 */

/** Where an alert is, as `GET /api/v1/alerts` reports it. */
export type AlertViewState = 'pending' | 'firing' | 'resolved';

/** One alert as `GET /api/v1/alerts` answers it. */
export interface AlertView {
  readonly fingerprint: string;
  readonly name: string;
  readonly state: AlertViewState;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly source: AlertSource;
  readonly startsAt: string;
  readonly endsAt?: string;
  /** The rule's value at its last evaluation (rule alerts). */
  readonly value?: number;
  readonly receivedCount?: number;
  readonly lastReceivedAt?: string;
  readonly incidentId?: string;
  /** Silences muting it now. */
  readonly silencedBy: readonly string[];
  /** The firing alert inhibiting it now. */
  readonly inhibitedBy?: string;
  readonly generatorUrl?: string;
}

/** Filters of `GET /api/v1/alerts`. */
export interface AlertFilter {
  readonly state?: AlertViewState;
  readonly model?: string;
  readonly severity?: Severity;
  readonly limit: number;
}

const iso = (at: number) => new Date(at).toISOString();
const isoOrUndefined = (at: number | undefined) => (at === undefined ? undefined : iso(at));

/** What `alertViews` reads. */
export interface AlertViewSources {
  /** Stored alert records (firing, and resolved ones still kept). */
  readonly records: readonly AlertRecord[];
  readonly ruleStates: readonly RuleState[];
  readonly rules: readonly AlertRule[];
  readonly silences: readonly Silence[];
  readonly config: PipelineConfig;
  readonly now: number;
}

const STATE_ORDER: Record<AlertViewState, number> = { firing: 0, pending: 1, resolved: 2 };

function pendingViews(rules: readonly AlertRule[], ruleStates: readonly RuleState[]): AlertView[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  return ruleStates.flatMap((state) => {
    const rule = byName.get(state.rule);
    if (!rule) return [];
    return state.alerts
      .filter((instance) => instance.state === 'pending')
      .map((instance): AlertView => {
        const labels = ruleAlertLabels(rule, instance.labels);
        const name = ruleAlertName(rule);
        return {
          fingerprint: alertFingerprint({ name, labels }),
          name,
          state: 'pending',
          severity: rule.severity,
          labels,
          annotations: ruleAlertAnnotations(rule, labels, instance.value),
          source: 'rule',
          startsAt: iso(instance.activeAt),
          value: instance.value,
          silencedBy: [],
        };
      });
  });
}

/** The alerts `GET /api/v1/alerts` lists: firing first, then pending, then resolved; severe and recent first. */
export function alertViews(sources: AlertViewSources, filter: AlertFilter): AlertView[] {
  const { records, now, config } = sources;
  const mutings = alertMutings(
    {
      ...EMPTY_PIPELINE_STATE,
      alerts: Object.fromEntries(records.map((record) => [record.fingerprint, record])),
      silences: sources.silences,
    },
    now,
    config,
  );
  const stored = records.map((record): AlertView => {
    const { alert } = record;
    const muting = mutings.get(record.fingerprint);
    return {
      fingerprint: record.fingerprint,
      name: alert.name,
      state: effectiveStatus(alert, now),
      severity: alertSeverity(alert),
      labels: alert.labels,
      annotations: alert.annotations,
      source: alert.source,
      startsAt: iso(alert.startsAt),
      endsAt: isoOrUndefined(alert.endsAt),
      receivedCount: record.receivedCount,
      lastReceivedAt: iso(record.lastReceivedAt),
      incidentId: record.incidentId,
      silencedBy: muting?.silencedBy ?? [],
      inhibitedBy: muting?.inhibitedBy,
      generatorUrl: alert.generatorUrl,
    };
  });
  return [...stored, ...pendingViews(sources.rules, sources.ruleStates)]
    .filter(
      (view) =>
        (filter.state === undefined || view.state === filter.state) &&
        (filter.model === undefined || view.labels.model === filter.model) &&
        (filter.severity === undefined || view.severity === filter.severity),
    )
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        severityRank(b.severity) - severityRank(a.severity) ||
        (b.lastReceivedAt ?? b.startsAt).localeCompare(a.lastReceivedAt ?? a.startsAt) ||
        a.fingerprint.localeCompare(b.fingerprint),
    )
    .slice(0, filter.limit);
}

/** An incident as the API answers it: times as ISO-8601 strings. */
export function incidentView(incident: Incident) {
  return {
    ...incident,
    createdAt: iso(incident.createdAt),
    openedAt: isoOrUndefined(incident.openedAt),
    acknowledgedAt: isoOrUndefined(incident.acknowledgedAt),
    firstAcknowledgedAt: isoOrUndefined(incident.firstAcknowledgedAt),
    resolvedAt: isoOrUndefined(incident.resolvedAt),
    lastAlertAt: iso(incident.lastAlertAt),
    quietSince: isoOrUndefined(incident.quietSince),
    alerts: incident.alerts.map((alert) => ({
      ...alert,
      joinedAt: iso(alert.joinedAt),
      lastFiredAt: iso(alert.lastFiredAt),
      resolvedAt: isoOrUndefined(alert.resolvedAt),
    })),
    timeline: incident.timeline.map((event) => ({ ...event, at: iso(event.at) })),
  };
}

/** A silence as the API answers it, with its state now. */
export function silenceView(silence: Silence, now: number) {
  return {
    ...silence,
    state: silenceState(silence, now),
    startsAt: iso(silence.startsAt),
    endsAt: iso(silence.endsAt),
    createdAt: iso(silence.createdAt),
    updatedAt: iso(silence.updatedAt),
  };
}
