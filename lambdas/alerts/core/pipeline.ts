import { type Alert, type AlertStatus, alertLabelSet, alertSeverity, effectiveStatus } from './alert.js';
import { type FatigueWindow, guardNotification, nextDigestAt, takeDigest } from './fatigue.js';
import { alertFingerprint } from './fingerprint.js';
import {
  type AlertGroup,
  addToGroup,
  flushGroup,
  groupKeyOf,
  groupLabelsOf,
  isGroupDue,
} from './grouping.js';
import {
  autoResolveAt,
  autoResolveIncidents,
  correlateFiring,
  correlateResolved,
  findIncidentFor,
  type Incident,
  type IncidentChange,
  type IncidentStatus,
  type TimelineEvent,
} from './incident.js';
import { findInhibitor, type InhibitionSubject } from './inhibition.js';
import type { PipelineConfig } from './pipeline-config.js';
import {
  type AlertNotification,
  type DigestNotification,
  type Notification,
  notificationRule,
  notifiedAlert,
  suppressedEntry,
} from './pipeline-notifications.js';
import {
  type AlertRecord,
  addCounters,
  type PipelineCounters,
  type PipelineState,
  type PipelineWrites,
  ZERO_COUNTERS,
} from './pipeline-state.js';
import { mutingSilences } from './silence.js';

/*
 * The alert pipeline, one place for every source (DESIGN.md): silences -> inhibition -> dedup by
 * fingerprint -> grouping -> incident correlation -> fatigue guard.
 *
 * `processAlerts` takes incoming alerts (one webhook, one rule evaluation) in one run, so each record
 * is written once with one version step; `processAlert` takes one. An alert is always recorded (muted alerts are still listed,
 * as in Alertmanager) and joins its group; muting is decided now for the alert's outcome and again at
 * every flush for the whole group, so an alert whose silence ends is notified at its group's next flush.
 * Firing alerts that are not muted join an incident; resolved ones leave theirs. If the group is due, it
 * flushes at once. `tickPipeline` is the scheduled side: it resolves alerts that lapsed (their end passed
 * without a resend), flushes due groups, sends digests whose slot has freed and resolves incidents whose
 * quiet period has passed; `nextWakeAt` says when it is next needed.
 *
 * Both are pure: they return the new state, the records to write (with versions for conditional writes),
 * the notifications to send, the incident events (to start or stop escalations) and counters.
 */

/** Why the pipeline did not notify about an alert now. */
export type SuppressionReason = 'silenced' | 'inhibited' | 'deduplicated' | 'grouped-waiting' | 'fatigue';

/** What the pipeline decided for an incoming alert. */
export type PipelineDecision =
  | { readonly outcome: 'notify'; readonly notificationId: string }
  | { readonly outcome: 'suppressed'; readonly reason: SuppressionReason; readonly detail: string };

/** An event on an incident's timeline from this run, for starting and stopping escalations. */
export interface IncidentEvent {
  readonly incidentId: string;
  /** The incident's status after the run. */
  readonly status: IncidentStatus;
  readonly event: TimelineEvent;
}

/** What a pipeline run produced. */
export interface PipelineRun {
  /** The state after the run (records carry their new versions). */
  readonly state: PipelineState;
  readonly writes: PipelineWrites;
  /** Notifications to hand to the notification sink, in order. */
  readonly notifications: readonly Notification[];
  readonly incidentEvents: readonly IncidentEvent[];
  readonly counters: PipelineCounters;
}

/** What the pipeline decided for one incoming alert. */
export interface AlertDecision {
  readonly fingerprint: string;
  readonly groupKey: string;
  readonly decision: PipelineDecision;
  /** Silences muting the alert now. */
  readonly silencedBy: readonly string[];
  /** The firing alert inhibiting it now, if any. */
  readonly inhibitedBy?: string;
}

/** What the pipeline decided for incoming alerts (in their order), and what the run produced. */
export interface AlertsOutcome extends PipelineRun {
  readonly decisions: readonly AlertDecision[];
}

/** What the pipeline decided for one incoming alert, and what the run produced. */
export interface AlertOutcome extends PipelineRun, AlertDecision {}

/** Why an alert is muted now, if it is. */
export interface AlertMuting {
  readonly silencedBy: readonly string[];
  readonly inhibitedBy?: string;
}

/** The input of `processAlerts`. */
export interface ProcessAlertsInput {
  /** Processed in order, as if one after the other. */
  readonly alerts: readonly Alert[];
  /** The time of processing, epoch ms; a run retried after a lost write race should reuse it. */
  readonly now: number;
  readonly state: PipelineState;
  readonly config: PipelineConfig;
}

/** The input of `processAlert`. */
export interface ProcessAlertInput extends Omit<ProcessAlertsInput, 'alerts'> {
  readonly alert: Alert;
}

/** The input of `tickPipeline`. */
export interface TickInput {
  readonly now: number;
  readonly state: PipelineState;
  readonly config: PipelineConfig;
}

/** The result of `tickPipeline`. */
export interface TickOutcome extends PipelineRun {
  /** When `tickPipeline` next has something to do, if anything is pending. */
  readonly nextWakeAt?: number;
}

/** A working copy of the state that remembers which records changed, to bump each version once. */
class StateDraft {
  readonly alerts: Map<string, AlertRecord>;
  readonly groups: Map<string, AlertGroup>;
  readonly fatigue: Map<string, FatigueWindow>;
  readonly incidents: Map<string, Incident>;
  private readonly changed = {
    alerts: new Set<string>(),
    groups: new Set<string>(),
    fatigue: new Set<string>(),
    incidents: new Set<string>(),
  };

  /** The alerts firing now with their label sets: the sources inhibition looks at. */
  readonly firing = new Map<string, InhibitionSubject>();

  constructor(
    private readonly base: PipelineState,
    readonly now: number,
  ) {
    this.alerts = new Map(Object.entries(base.alerts));
    this.groups = new Map(Object.entries(base.groups));
    this.fatigue = new Map(Object.entries(base.fatigue));
    this.incidents = new Map(Object.entries(base.incidents));
    for (const record of this.alerts.values()) this.indexFiring(record);
  }

  get silences() {
    return this.base.silences;
  }

  private indexFiring(record: AlertRecord) {
    if (effectiveStatus(record.alert, this.now) === 'firing') {
      this.firing.set(record.fingerprint, {
        fingerprint: record.fingerprint,
        labels: alertLabelSet(record.alert),
      });
    } else {
      this.firing.delete(record.fingerprint);
    }
  }

  putAlert(record: AlertRecord) {
    this.alerts.set(record.fingerprint, record);
    this.changed.alerts.add(record.fingerprint);
    this.indexFiring(record);
  }

  putGroup(group: AlertGroup) {
    this.groups.set(group.key, group);
    this.changed.groups.add(group.key);
  }

  deleteGroup(key: string) {
    this.groups.delete(key);
    this.changed.groups.add(key);
  }

  putFatigue(window: FatigueWindow) {
    this.fatigue.set(window.rule, window);
    this.changed.fatigue.add(window.rule);
  }

  putIncident(incident: Incident) {
    this.incidents.set(incident.id, incident);
    this.changed.incidents.add(incident.id);
  }

  /** The state and writes, each changed record with its version one above the one it was read at. */
  finish(): { state: PipelineState; writes: PipelineWrites } {
    const bump = <T extends { readonly version: number }>(
      keys: Set<string>,
      current: Map<string, T>,
      original: Readonly<Record<string, T>>,
    ): T[] => {
      const written: T[] = [];
      for (const key of keys) {
        const record = current.get(key);
        if (!record) continue;
        const next = { ...record, version: (original[key]?.version ?? 0) + 1 };
        current.set(key, next);
        written.push(next);
      }
      return written;
    };
    const deletedGroups = [...this.changed.groups]
      .filter((key) => !this.groups.has(key) && this.base.groups[key])
      .map((key) => ({ key, version: this.base.groups[key]!.version }));
    const writes: PipelineWrites = {
      alerts: bump(this.changed.alerts, this.alerts, this.base.alerts),
      groups: bump(this.changed.groups, this.groups, this.base.groups),
      deletedGroups,
      fatigue: bump(this.changed.fatigue, this.fatigue, this.base.fatigue),
      incidents: bump(this.changed.incidents, this.incidents, this.base.incidents),
    };
    return {
      state: {
        alerts: Object.fromEntries(this.alerts),
        silences: this.base.silences,
        groups: Object.fromEntries(this.groups),
        fatigue: Object.fromEntries(this.fatigue),
        incidents: Object.fromEntries(this.incidents),
      },
      writes,
    };
  }
}

/** Collects notifications, incident events and counters during a run. */
class RunLog {
  readonly notifications: Notification[] = [];
  readonly incidentEvents: IncidentEvent[] = [];
  counters: PipelineCounters = ZERO_COUNTERS;

  count(counts: Partial<PipelineCounters>) {
    this.counters = addCounters(this.counters, counts);
  }

  incidentChanged(change: IncidentChange) {
    for (const event of change.events) {
      this.incidentEvents.push({ incidentId: change.incident.id, status: change.incident.status, event });
    }
  }
}

function muting(record: AlertRecord, draft: StateDraft, config: PipelineConfig): AlertMuting {
  const labels = alertLabelSet(record.alert);
  return {
    silencedBy: mutingSilences(draft.silences, labels, draft.now),
    inhibitedBy: findInhibitor(
      { fingerprint: record.fingerprint, labels },
      draft.firing.values(),
      config.inhibitRules,
    ),
  };
}

const isMuted = (mute: AlertMuting) => mute.silencedBy.length > 0 || mute.inhibitedBy !== undefined;

/**
 * Why each firing alert of the state is muted now, by fingerprint (for `GET /api/v1/alerts`); alerts
 * that are not firing are left out.
 */
export function alertMutings(
  state: PipelineState,
  now: number,
  config: PipelineConfig,
): Map<string, AlertMuting> {
  const draft = new StateDraft(state, now);
  const mutings = new Map<string, AlertMuting>();
  for (const fingerprint of draft.firing.keys()) {
    mutings.set(fingerprint, muting(draft.alerts.get(fingerprint)!, draft, config));
  }
  return mutings;
}

function digestNotification(digest: {
  rule: string;
  at: number;
  suppressed: DigestNotification['suppressed'];
  omitted: number;
}): DigestNotification {
  return { kind: 'digest', id: `digest-${digest.rule}-${digest.at}`, ...digest };
}

/** The outcome of flushing one group within a run. */
interface GroupFlushOutcome {
  readonly notification?: AlertNotification;
  readonly admitted: boolean;
}

/** Flushes a due group: decides its notification, passes it through the fatigue guard, logs what went out. */
function flushInto(
  draft: StateDraft,
  group: AlertGroup,
  config: PipelineConfig,
  log: RunLog,
): GroupFlushOutcome {
  const { now } = draft;
  const members = group.members.map((fingerprint) => {
    const record = draft.alerts.get(fingerprint);
    const status: AlertStatus = record ? effectiveStatus(record.alert, now) : 'resolved';
    const muted = record !== undefined && status === 'firing' && isMuted(muting(record, draft, config));
    return { fingerprint, status, muted };
  });
  const flush = flushGroup(group, members, config.grouping, now);
  if (flush.group) draft.putGroup(flush.group);
  else draft.deleteGroup(group.key);
  if (!flush.notification) return { admitted: false };

  const alerts = [...flush.notification.firing, ...flush.notification.resolved].flatMap((fingerprint) => {
    const record = draft.alerts.get(fingerprint);
    return record ? [notifiedAlert(record)] : [];
  });
  const notification: AlertNotification = {
    kind: 'alerts',
    id: `${group.key}-${now}`,
    at: now,
    rule: notificationRule(group.key, group.labels, alerts),
    groupKey: group.key,
    groupLabels: group.labels,
    reason: flush.notification.reason,
    status: flush.notification.firing.length > 0 ? 'firing' : 'resolved',
    alerts,
  };
  const guard = guardNotification(
    draft.fatigue.get(notification.rule),
    notification.rule,
    suppressedEntry(notification),
    now,
    config.fatigue,
  );
  draft.putFatigue(guard.window);
  if (guard.digest) {
    log.notifications.push(digestNotification(guard.digest));
    log.count({ notificationsSent: 1, digestsSent: 1 });
  }
  if (guard.admitted) {
    log.notifications.push(notification);
    log.count({ notificationsSent: 1 });
  } else {
    log.count({ fatigueSuppressed: 1 });
  }
  return { notification, admitted: guard.admitted };
}

function recordAlert(
  previous: AlertRecord | undefined,
  alert: Alert,
  fingerprint: string,
  groupKey: string,
  status: AlertStatus,
  now: number,
  config: PipelineConfig,
): AlertRecord {
  const changed = previous === undefined || effectiveStatus(previous.alert, now) !== status;
  const resolved = status === 'resolved';
  return {
    fingerprint,
    version: previous?.version ?? 0,
    alert: resolved ? { ...alert, status, endsAt: Math.min(alert.endsAt ?? now, now) } : alert,
    groupKey,
    firstReceivedAt: previous?.firstReceivedAt ?? now,
    lastReceivedAt: now,
    receivedCount: (previous?.receivedCount ?? 0) + 1,
    statusChangedAt: changed ? now : previous.statusChangedAt,
    incidentId: resolved ? undefined : previous?.incidentId,
    expiresAt: resolved ? now + config.resolvedAlertRetentionMs : undefined,
  };
}

/** A firing record whose `endsAt` has passed, marked resolved at that end. */
function lapsed(record: AlertRecord, now: number, config: PipelineConfig): AlertRecord {
  const endsAt = record.alert.endsAt ?? now;
  return {
    ...record,
    alert: { ...record.alert, status: 'resolved' },
    statusChangedAt: endsAt,
    incidentId: undefined,
    expiresAt: endsAt + config.resolvedAlertRetentionMs,
  };
}

const iso = (at: number) => new Date(at).toISOString();

/** One incoming alert through the pipeline, within a run. */
function processInto(alert: Alert, draft: StateDraft, config: PipelineConfig, log: RunLog): AlertDecision {
  const { now } = draft;
  log.count({ alertsReceived: 1 });
  const fingerprint = alertFingerprint(alert);
  const labels = alertLabelSet(alert);
  const groupLabels = groupLabelsOf(labels, config.grouping.by);
  const groupKey = groupKeyOf(groupLabels);
  const previous = draft.alerts.get(fingerprint);
  const knownStatus = previous ? effectiveStatus(previous.alert, now) : undefined;
  const status = effectiveStatus(alert, now);
  let record = recordAlert(previous, alert, fingerprint, groupKey, status, now, config);
  draft.putAlert(record);
  const mute: AlertMuting = status === 'firing' ? muting(record, draft, config) : { silencedBy: [] };

  if (status === 'firing') {
    const joining = { fingerprint, startsAt: alert.startsAt, groupLabels };
    draft.putGroup(addToGroup(draft.groups.get(groupKey), joining, config.grouping, now));
  }

  // A firing alert joins an incident when it starts firing, or once it is no longer muted.
  if (
    status === 'firing' &&
    !isMuted(mute) &&
    (knownStatus !== 'firing' || record.incidentId === undefined)
  ) {
    const correlated = {
      fingerprint,
      name: alert.name,
      labels,
      severity: alertSeverity(alert),
      groupKey,
      summary: alert.annotations.summary,
    };
    const change = correlateFiring(draft.incidents.values(), correlated, now, config.correlation);
    // No change: an incident holds it as firing already (a run redone after its alert write failed).
    const incidentId =
      change?.incident.id ??
      findIncidentFor(draft.incidents.values(), correlated, now, config.correlation)?.id;
    if (change) {
      draft.putIncident(change.incident);
      log.incidentChanged(change);
    }
    if (incidentId !== undefined && incidentId !== record.incidentId) {
      record = { ...record, incidentId };
      draft.putAlert(record);
    }
  } else if (status === 'resolved' && previous?.alert.status === 'firing') {
    // The stored status, not the effective one: an alert that lapsed unnoticed still leaves its incident.
    const change = correlateResolved(draft.incidents.values(), fingerprint, now, config.correlation);
    if (change) {
      draft.putIncident(change.incident);
      log.incidentChanged(change);
    }
  }

  const group = draft.groups.get(groupKey);
  const flushed = group && isGroupDue(group, now) ? flushInto(draft, group, config, log) : undefined;
  const decision = decide({
    knownStatus,
    status,
    mute,
    flushed,
    fingerprint,
    group: draft.groups.get(groupKey),
  });
  if (decision.outcome === 'suppressed' && decision.reason !== 'fatigue') {
    log.count({ [SUPPRESSION_COUNTERS[decision.reason]]: 1 });
  }
  return { fingerprint, groupKey, decision, silencedBy: mute.silencedBy, inhibitedBy: mute.inhibitedBy };
}

/** The counter of each way of suppressing an alert (fatigue is counted per notification, when it holds one back). */
const SUPPRESSION_COUNTERS = {
  silenced: 'silenced',
  inhibited: 'inhibited',
  deduplicated: 'deduplicated',
  'grouped-waiting': 'groupedWaiting',
} as const;

/**
 * Runs incoming alerts through the pipeline against the current state, in order: records each
 * (deduplicated by fingerprint), decides muting, grouping, incident correlation and, when its group is
 * due, the notification and the fatigue guard. Each changed record is written once.
 */
export function processAlerts(input: ProcessAlertsInput): AlertsOutcome {
  const draft = new StateDraft(input.state, input.now);
  const log = new RunLog();
  const decisions = input.alerts.map((alert) => processInto(alert, draft, input.config, log));
  const { state, writes } = draft.finish();
  return {
    decisions,
    state,
    writes,
    notifications: log.notifications,
    incidentEvents: log.incidentEvents,
    counters: log.counters,
  };
}

/** Runs one incoming alert through the pipeline (`processAlerts` with one alert). */
export function processAlert(input: ProcessAlertInput): AlertOutcome {
  const { decisions, ...run } = processAlerts({ ...input, alerts: [input.alert] });
  return { ...run, ...decisions[0]! };
}

function decide(facts: {
  knownStatus: AlertStatus | undefined;
  status: AlertStatus;
  mute: AlertMuting;
  flushed: GroupFlushOutcome | undefined;
  fingerprint: string;
  group: AlertGroup | undefined;
}): PipelineDecision {
  const { knownStatus, status, mute, flushed, fingerprint, group } = facts;
  const suppressed = (reason: SuppressionReason, detail: string): PipelineDecision => ({
    outcome: 'suppressed',
    reason,
    detail,
  });
  if (mute.silencedBy.length > 0) return suppressed('silenced', `silenced by ${mute.silencedBy.join(', ')}`);
  if (mute.inhibitedBy) return suppressed('inhibited', `inhibited by the firing alert ${mute.inhibitedBy}`);
  if (knownStatus === undefined && status === 'resolved') {
    return suppressed('deduplicated', 'resolved, and never seen firing: nobody was told about it');
  }
  if (knownStatus === status) return suppressed('deduplicated', `already known as ${status}`);
  const listed = flushed?.notification?.alerts.some((alert) => alert.fingerprint === fingerprint) ?? false;
  if (flushed?.notification && listed) {
    return flushed.admitted
      ? { outcome: 'notify', notificationId: flushed.notification.id }
      : suppressed(
          'fatigue',
          `the fatigue guard held back this hour's notifications for ${flushed.notification.rule}; it is listed in the next digest`,
        );
  }
  return suppressed(
    'grouped-waiting',
    group ? `waiting for the group's next notification at ${iso(group.nextFlushAt)}` : 'nothing to notify',
  );
}

/**
 * The scheduled side of the pipeline: resolves alerts whose end passed without a resend, flushes the
 * groups that are due, sends digests whose slot has freed, and resolves incidents whose quiet period has
 * passed.
 */
export function tickPipeline(input: TickInput): TickOutcome {
  const { now, config } = input;
  const draft = new StateDraft(input.state, now);
  const log = new RunLog();
  for (const record of [...draft.alerts.values()]) {
    if (record.alert.status !== 'firing' || effectiveStatus(record.alert, now) !== 'resolved') continue;
    // Its sender stopped repeating it and its end has passed (Alertmanager's resolve_timeout).
    draft.putAlert(lapsed(record, now, config));
    const change = correlateResolved(draft.incidents.values(), record.fingerprint, now, config.correlation);
    if (change) {
      draft.putIncident(change.incident);
      log.incidentChanged(change);
    }
  }
  for (const group of [...draft.groups.values()]) {
    if (isGroupDue(group, now)) flushInto(draft, group, config, log);
  }
  for (const window of [...draft.fatigue.values()]) {
    const { digest, window: after } = takeDigest(window, now, config.fatigue);
    if (!digest) continue;
    draft.putFatigue(after);
    log.notifications.push(digestNotification(digest));
    log.count({ notificationsSent: 1, digestsSent: 1 });
  }
  for (const change of autoResolveIncidents(draft.incidents.values(), now, config.correlation)) {
    draft.putIncident(change.incident);
    log.incidentChanged(change);
  }

  const { state, writes } = draft.finish();
  return {
    state,
    writes,
    notifications: log.notifications,
    incidentEvents: log.incidentEvents,
    counters: log.counters,
    nextWakeAt: nextWakeAt(state, now, config),
  };
}

/**
 * When `tickPipeline` next has something to do for this state: a lapse, a group flush, a digest or an
 * auto-resolve.
 */
export function nextWakeAt(state: PipelineState, now: number, config: PipelineConfig): number | undefined {
  const times = [
    ...Object.values(state.alerts).map((record) =>
      record.alert.status === 'firing' ? record.alert.endsAt : undefined,
    ),
    ...Object.values(state.groups).map((group) => group.nextFlushAt),
    ...Object.values(state.fatigue).map((window) => nextDigestAt(window, config.fatigue, now)),
    ...Object.values(state.incidents).map((incident) => autoResolveAt(incident, config.correlation)),
  ].filter((at): at is number => at !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}
