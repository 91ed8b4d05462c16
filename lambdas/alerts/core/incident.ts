import { z } from 'zod';
import {
  type AlertStatus,
  type Labels,
  MODEL_LABEL,
  maxSeverity,
  type Severity,
  severityRank,
} from './alert.js';
import { labelSetFingerprint } from './fingerprint.js';
import { configDurationSchema } from './grouping.js';

/*
 * Incidents: what a person is paged for. Alerts that belong together join one incident:
 *
 * - an alert joins the incident that already holds it, else an incident holding an alert of the same
 *   group (the grouping labels), else one whose alerts concern a related model or service (the same value
 *   of a correlation label such as `model` or `service`, or values configured as related) and that saw an
 *   alert within the correlation window; otherwise it starts a new incident;
 * - a new incident is `pending` until it holds `minAlertsToOpen` alerts, then `open`; `acknowledged`
 *   once someone acknowledges it; `resolved` when someone resolves it, or by itself once all its alerts
 *   have resolved and a quiet period has passed with none firing again;
 * - an alert of the incident (or of its group) firing within the reopen window after the incident
 *   resolved reopens it, which needs a new acknowledgement;
 * - its severity is the highest of all alerts that ever joined (never lowered while it lasts);
 * - every change is on its timeline with the time and who did it (`vigil` for automatic changes).
 *
 * The pipeline's stages (`correlateFiring`, `correlateResolved`, `autoResolveIncidents`) leave `version`
 * alone, since the pipeline bumps each record once per run; the requests people make
 * (`acknowledgeIncident`, `resolveIncident`) return the changed incident with `version` + 1.
 */

/** An incident's place in its lifecycle. */
export const INCIDENT_STATUSES = ['pending', 'open', 'acknowledged', 'resolved'] as const;
/** An incident's place in its lifecycle. */
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The actor of automatic changes on a timeline. */
export const SYSTEM_ACTOR = 'vigil';

/** Timeline entries kept per incident; older ones are dropped and counted (DynamoDB items are bounded). */
export const MAX_TIMELINE_EVENTS = 200;

/** What happened to an incident. */
export type TimelineEventType =
  | 'alert-joined'
  | 'opened'
  | 'severity-raised'
  | 'alert-resolved'
  | 'alert-refired'
  | 'quiet-period-started'
  | 'quiet-period-cancelled'
  | 'acknowledged'
  | 'resolved'
  | 'reopened'
  // The escalation workflow's steps (lambdas/escalation): a tier notified, a tier skipped by its
  // condition, every tier and round done without an acknowledgement, the workflow failing.
  | 'escalated'
  | 'escalation-skipped'
  | 'escalation-exhausted'
  | 'escalation-failed';

/** One entry of an incident's timeline. */
export interface TimelineEvent {
  readonly at: number;
  readonly type: TimelineEventType;
  /** Who did it: a person (from the request) or `vigil`. */
  readonly actor: string;
  readonly message: string;
  /** The alert the event is about, if any. */
  readonly fingerprint?: string;
  /** The severity after the event, for `opened` and `severity-raised`. */
  readonly severity?: Severity;
}

/** An alert as part of an incident. */
export interface IncidentAlert {
  readonly fingerprint: string;
  readonly name: string;
  readonly labels: Labels;
  readonly severity: Severity;
  readonly groupKey: string;
  readonly status: AlertStatus;
  readonly summary?: string;
  readonly joinedAt: number;
  readonly lastFiredAt: number;
  readonly resolvedAt?: number;
}

/** An incident, as stored. Times are epoch ms. */
export interface Incident {
  readonly id: string;
  /** Optimistic-concurrency version: 1 when created, one more after every change. */
  readonly version: number;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  readonly title: string;
  /** The groups of its alerts. */
  readonly groupKeys: readonly string[];
  /** The values of correlation labels (models, services) of its alerts. */
  readonly entities: readonly string[];
  /** Its alerts, in the order they joined. */
  readonly alerts: readonly IncidentAlert[];
  readonly createdAt: number;
  /** When it first opened (kept when it reopens). */
  readonly openedAt?: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  /** When it was first acknowledged, for time-to-acknowledge. */
  readonly firstAcknowledgedAt?: number;
  readonly resolvedAt?: number;
  readonly resolvedBy?: string;
  /** When an alert last joined or fired again, for the correlation window. */
  readonly lastAlertAt: number;
  /** Since when all its alerts are resolved; it resolves itself a quiet period later. */
  readonly quietSince?: number;
  readonly reopenCount: number;
  readonly timeline: readonly TimelineEvent[];
  /** Timeline entries dropped beyond `MAX_TIMELINE_EVENTS`. */
  readonly timelineOmitted: number;
}

/** How alerts are correlated into incidents and how incidents end. */
export interface CorrelationOptions {
  /** Labels whose values name what an alert is about (models, services). */
  readonly labels: readonly string[];
  /** Sets of values that count as related, e.g. a model and the service that calls it. */
  readonly related: readonly (readonly string[])[];
  /** How recent an incident's last alert must be for a related alert to join it, ms. */
  readonly windowMs: number;
  /** Alerts an incident needs before it opens (and pages); 1 opens at the first. */
  readonly minAlertsToOpen: number;
  /** How long all alerts must stay resolved before the incident resolves itself, ms. */
  readonly quietPeriodMs: number;
  /** How long after resolving an incident reopens when one of its alerts fires again, ms. */
  readonly reopenWindowMs: number;
}

/** Correlate by model and service within 10 minutes; open at the first alert; 10 quiet minutes resolve. */
export const DEFAULT_CORRELATION: CorrelationOptions = {
  labels: ['model', 'service'],
  related: [],
  windowMs: 10 * 60_000,
  minAlertsToOpen: 1,
  quietPeriodMs: 10 * 60_000,
  reopenWindowMs: 10 * 60_000,
};

/** Correlation options as configuration JSON; durations as ms or as `10m`. */
export const correlationOptionsSchema = z.object({
  labels: z.array(z.string().min(1)).default([...DEFAULT_CORRELATION.labels]),
  related: z.array(z.array(z.string().min(1)).min(2, 'must relate at least two values')).default([]),
  windowMs: configDurationSchema.default(DEFAULT_CORRELATION.windowMs),
  minAlertsToOpen: z.int().positive().default(DEFAULT_CORRELATION.minAlertsToOpen),
  quietPeriodMs: configDurationSchema.default(DEFAULT_CORRELATION.quietPeriodMs),
  reopenWindowMs: configDurationSchema.default(DEFAULT_CORRELATION.reopenWindowMs),
});

/** A firing alert as correlation sees it. */
export interface CorrelatedAlert {
  readonly fingerprint: string;
  readonly name: string;
  /** Its label set, `alertname` included. */
  readonly labels: Labels;
  readonly severity: Severity;
  readonly groupKey: string;
  readonly summary?: string;
}

/** An incident changed by correlation, and what happened to it. */
export interface IncidentChange {
  readonly incident: Incident;
  readonly created: boolean;
  readonly events: readonly TimelineEvent[];
}

/** Raised when an incident cannot make the transition asked for (the HTTP layer answers 409). */
export class IncidentStateError extends Error {
  override readonly name = 'IncidentStateError';
}

const iso = (at: number) => new Date(at).toISOString();

function appendEvents(incident: Incident, events: readonly TimelineEvent[]): Incident {
  const timeline = [...incident.timeline, ...events];
  const dropped = Math.max(0, timeline.length - MAX_TIMELINE_EVENTS);
  return {
    ...incident,
    timeline: dropped > 0 ? timeline.slice(dropped) : timeline,
    timelineOmitted: incident.timelineOmitted + dropped,
  };
}

function entitiesOf(labels: Labels, options: CorrelationOptions): string[] {
  return options.labels.map((name) => labels[name]).filter((value): value is string => !!value);
}

function related(a: readonly string[], b: readonly string[], options: CorrelationOptions): boolean {
  return a.some(
    (x) => b.includes(x) || options.related.some((set) => set.includes(x) && b.some((y) => set.includes(y))),
  );
}

const union = (items: readonly string[], more: readonly string[]) => [...new Set([...items, ...more])];

function withinReopenWindow(incident: Incident, now: number, options: CorrelationOptions): boolean {
  return incident.resolvedAt !== undefined && now - incident.resolvedAt <= options.reopenWindowMs;
}

/** The incident a firing alert belongs to, by the rules above, or undefined for a new one. */
export function findIncidentFor(
  incidents: Iterable<Incident>,
  alert: CorrelatedAlert,
  now: number,
  options: CorrelationOptions,
): Incident | undefined {
  const entities = entitiesOf(alert.labels, options);
  let best: { incident: Incident; rank: number } | undefined;
  for (const incident of incidents) {
    const live = incident.status !== 'resolved';
    if (!live && !withinReopenWindow(incident, now, options)) continue;
    const holds = incident.alerts.some((member) => member.fingerprint === alert.fingerprint);
    const sameGroup = incident.groupKeys.includes(alert.groupKey);
    const relatedRecently =
      live && now - incident.lastAlertAt <= options.windowMs && related(entities, incident.entities, options);
    const rank = holds ? (live ? 5 : 2) : sameGroup ? (live ? 4 : 1) : relatedRecently ? 3 : 0;
    if (rank === 0) continue;
    if (
      !best ||
      rank > best.rank ||
      (rank === best.rank && incident.lastAlertAt > best.incident.lastAlertAt)
    ) {
      best = { incident, rank };
    }
  }
  return best?.incident;
}

function reopen(incident: Incident, now: number): { incident: Incident; events: TimelineEvent[] } {
  return {
    incident: {
      ...incident,
      // One that closed before reaching its threshold goes back to collecting alerts.
      status: incident.openedAt === undefined ? 'pending' : 'open',
      acknowledgedAt: undefined,
      acknowledgedBy: undefined,
      resolvedAt: undefined,
      resolvedBy: undefined,
      quietSince: undefined,
      reopenCount: incident.reopenCount + 1,
    },
    events: [
      {
        at: now,
        type: 'reopened',
        actor: SYSTEM_ACTOR,
        message: `reopened: an alert fired again within the reopen window after it resolved at ${iso(incident.resolvedAt ?? now)}`,
      },
    ],
  };
}

function newIncident(alert: CorrelatedAlert, now: number): Incident {
  const model = alert.labels[MODEL_LABEL];
  return {
    id: `inc-${labelSetFingerprint({ fingerprint: alert.fingerprint, createdAt: String(now) })}`,
    version: 0,
    status: 'pending',
    severity: alert.severity,
    title: alert.summary ?? (model ? `${alert.name} on ${model}` : alert.name),
    groupKeys: [],
    entities: [],
    alerts: [],
    createdAt: now,
    lastAlertAt: now,
    reopenCount: 0,
    timeline: [],
    timelineOmitted: 0,
  };
}

/**
 * Correlates a firing alert that is not muted: joins it to its incident (reopening a recently resolved
 * one) or starts a new one, fires it again in the incident that holds it, or changes nothing (undefined)
 * when the incident already knows it as firing.
 */
export function correlateFiring(
  incidents: Iterable<Incident>,
  alert: CorrelatedAlert,
  now: number,
  options: CorrelationOptions,
): IncidentChange | undefined {
  const found = findIncidentFor(incidents, alert, now, options);
  const member = found?.alerts.find((each) => each.fingerprint === alert.fingerprint);
  // Still firing where it is known: nothing new (after a manual resolve, too, only firing *again* reopens).
  if (member?.status === 'firing') return undefined;

  let incident = found ?? newIncident(alert, now);
  const events: TimelineEvent[] = [];
  if (incident.status === 'resolved') {
    const reopened = reopen(incident, now);
    incident = reopened.incident;
    events.push(...reopened.events);
  }
  if (member) {
    incident = {
      ...incident,
      alerts: incident.alerts.map((each) =>
        each.fingerprint === alert.fingerprint
          ? { ...each, status: 'firing', lastFiredAt: now, resolvedAt: undefined }
          : each,
      ),
    };
    events.push({
      at: now,
      type: 'alert-refired',
      actor: SYSTEM_ACTOR,
      message: `${alert.name} fired again`,
      fingerprint: alert.fingerprint,
    });
  } else {
    const joined: IncidentAlert = {
      fingerprint: alert.fingerprint,
      name: alert.name,
      labels: alert.labels,
      severity: alert.severity,
      groupKey: alert.groupKey,
      status: 'firing',
      summary: alert.summary,
      joinedAt: now,
      lastFiredAt: now,
    };
    incident = {
      ...incident,
      alerts: [...incident.alerts, joined],
      groupKeys: union(incident.groupKeys, [alert.groupKey]),
      entities: union(incident.entities, entitiesOf(alert.labels, options)),
    };
    events.push({
      at: now,
      type: 'alert-joined',
      actor: SYSTEM_ACTOR,
      message: `${alert.name} (${alert.severity}) joined`,
      fingerprint: alert.fingerprint,
    });
    const severity = maxSeverity(incident.severity, alert.severity);
    if (found && severity !== incident.severity) {
      incident = { ...incident, severity };
      events.push({
        at: now,
        type: 'severity-raised',
        actor: SYSTEM_ACTOR,
        message: `severity raised to ${severity} by ${alert.name}`,
        fingerprint: alert.fingerprint,
        severity,
      });
    }
  }
  if (incident.quietSince !== undefined) {
    incident = { ...incident, quietSince: undefined };
    events.push({
      at: now,
      type: 'quiet-period-cancelled',
      actor: SYSTEM_ACTOR,
      message: `${alert.name} fired during the quiet period; the incident stays open`,
      fingerprint: alert.fingerprint,
    });
  }
  incident = { ...incident, lastAlertAt: now };
  if (incident.status === 'pending' && incident.alerts.length >= options.minAlertsToOpen) {
    incident = { ...incident, status: 'open', openedAt: incident.openedAt ?? now };
    events.push({
      at: now,
      type: 'opened',
      actor: SYSTEM_ACTOR,
      message:
        options.minAlertsToOpen > 1
          ? `opened: ${incident.alerts.length} correlated alerts reached the threshold of ${options.minAlertsToOpen}`
          : 'opened',
      severity: incident.severity,
    });
  }
  return { incident: appendEvents(incident, events), created: !found, events };
}

/**
 * Marks a resolved alert resolved in the live incident that holds it; when it was the last firing one,
 * the quiet period starts. Undefined when no live incident holds it firing.
 */
export function correlateResolved(
  incidents: Iterable<Incident>,
  fingerprint: string,
  now: number,
  options: CorrelationOptions,
): IncidentChange | undefined {
  for (const found of incidents) {
    if (found.status === 'resolved') continue;
    const member = found.alerts.find((each) => each.fingerprint === fingerprint);
    if (member?.status !== 'firing') continue;
    let incident: Incident = {
      ...found,
      alerts: found.alerts.map((each) =>
        each.fingerprint === fingerprint ? { ...each, status: 'resolved', resolvedAt: now } : each,
      ),
    };
    const events: TimelineEvent[] = [
      {
        at: now,
        type: 'alert-resolved',
        actor: SYSTEM_ACTOR,
        message: `${member.name} resolved`,
        fingerprint,
      },
    ];
    if (incident.alerts.every((each) => each.status === 'resolved')) {
      incident = { ...incident, quietSince: now };
      events.push({
        at: now,
        type: 'quiet-period-started',
        actor: SYSTEM_ACTOR,
        message: `all alerts resolved; resolves itself at ${iso(now + options.quietPeriodMs)} unless one fires again`,
      });
    }
    return { incident: appendEvents(incident, events), created: false, events };
  }
  return undefined;
}

/** When the incident resolves itself, if its quiet period is running. */
export function autoResolveAt(incident: Incident, options: CorrelationOptions): number | undefined {
  if (incident.status === 'resolved' || incident.quietSince === undefined) return undefined;
  return incident.quietSince + options.quietPeriodMs;
}

/**
 * Resolves the incidents whose quiet period has passed (`tickPipeline` runs this); a pending incident
 * that never reached its threshold closes the same way. Returns the changed incidents.
 */
export function autoResolveIncidents(
  incidents: Iterable<Incident>,
  now: number,
  options: CorrelationOptions,
): IncidentChange[] {
  const changes: IncidentChange[] = [];
  for (const incident of incidents) {
    const due = autoResolveAt(incident, options);
    if (due === undefined || now < due) continue;
    const message =
      incident.status === 'pending'
        ? `closed without opening: ${incident.alerts.length} of ${options.minAlertsToOpen} alerts needed, all resolved`
        : `resolved automatically: all alerts resolved and quiet since ${iso(incident.quietSince ?? now)}`;
    const events: TimelineEvent[] = [{ at: now, type: 'resolved', actor: SYSTEM_ACTOR, message }];
    const resolved: Incident = {
      ...incident,
      status: 'resolved',
      resolvedAt: now,
      resolvedBy: SYSTEM_ACTOR,
      quietSince: undefined,
    };
    changes.push({ incident: appendEvents(resolved, events), created: false, events });
  }
  return changes;
}

/**
 * Acknowledges an open incident (stopping its escalation). Acknowledging it again changes nothing (the
 * same object comes back); a pending or resolved incident cannot be acknowledged.
 */
export function acknowledgeIncident(incident: Incident, actor: string, now: number): Incident {
  if (incident.status === 'acknowledged') return incident;
  if (incident.status !== 'open') {
    throw new IncidentStateError(
      incident.status === 'pending'
        ? `incident ${incident.id} is pending (waiting for more correlated alerts); there is nothing to acknowledge yet`
        : `incident ${incident.id} is resolved; it cannot be acknowledged`,
    );
  }
  return appendEvents(
    {
      ...incident,
      version: incident.version + 1,
      status: 'acknowledged',
      acknowledgedAt: now,
      acknowledgedBy: actor,
      firstAcknowledgedAt: incident.firstAcknowledgedAt ?? now,
    },
    [{ at: now, type: 'acknowledged', actor, message: `acknowledged by ${actor}` }],
  );
}

/** Resolves an incident by hand. Resolving a resolved incident changes nothing (the same object comes back). */
export function resolveIncident(incident: Incident, actor: string, now: number): Incident {
  if (incident.status === 'resolved') return incident;
  return appendEvents(
    {
      ...incident,
      version: incident.version + 1,
      status: 'resolved',
      resolvedAt: now,
      resolvedBy: actor,
      quietSince: undefined,
    },
    [{ at: now, type: 'resolved', actor, message: `resolved by ${actor}` }],
  );
}

/**
 * Adds entries to an incident's timeline as a change of its own (`version` + 1), keeping at most
 * MAX_TIMELINE_EVENTS; the escalation workflow records its steps this way.
 */
export function appendTimelineEvents(incident: Incident, events: readonly TimelineEvent[]): Incident {
  return appendEvents({ ...incident, version: incident.version + 1 }, events);
}

/** Orders incidents for lists: live before resolved, more severe first, newest first. */
export function compareIncidents(a: Incident, b: Incident): number {
  const live = (incident: Incident) => (incident.status === 'resolved' ? 0 : 1);
  return (
    live(b) - live(a) || severityRank(b.severity) - severityRank(a.severity) || b.createdAt - a.createdAt
  );
}
