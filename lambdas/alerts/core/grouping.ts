import { z } from 'zod';
import { parseDuration } from '../../shared/time.js';
import type { AlertStatus, Labels } from './alert.js';
import { labelSetFingerprint } from './fingerprint.js';

/*
 * Grouping with Alertmanager's timers (dispatch.go's aggregation groups and notify.go's DedupStage):
 *
 * - alerts with the same values of the `by` labels form one group;
 * - a new group is first flushed `group_wait` after it was created, so alerts that arrive together go out
 *   together; an alert that started more than `group_wait` ago flushes a group that has not flushed yet
 *   at once (it has waited long enough);
 * - after that the group is looked at every `group_interval`, and a notification goes out when the group
 *   has firing alerts the last notification did not list, when alerts it listed have resolved, or, with
 *   nothing changed, once `repeat_interval` has passed since the last notification;
 * - muted (silenced or inhibited) alerts are left out before deciding, and a group whose alerts are all
 *   muted sends nothing;
 * - resolved alerts leave the group at the flush after they resolve; an empty group is dropped.
 *
 * Differences, on purpose: only alerts the last notification listed as firing are sent as resolved (a
 * receiver never hears "resolved" for an alert it was not told about, which Alertmanager sends whenever
 * send_resolved is on); and a repeat is due once repeat_interval has fully passed, where Alertmanager
 * compares strictly and so, flushing every group_interval, usually repeats one interval late.
 * Flushes stay on the grid of group_interval from the first flush, so a late scheduler does not drift.
 */

/** How alerts are grouped into notifications. */
export interface GroupingOptions {
  /** Labels whose values form a group (`alertname` included); `['...']` groups by all labels. */
  readonly by: readonly string[];
  /** How long a new group waits for more alerts before its first notification, ms. */
  readonly waitMs: number;
  /** How long to wait before notifying about changes to a group that has already notified, ms. */
  readonly intervalMs: number;
  /** How long to wait before repeating an unchanged notification, ms. */
  readonly repeatIntervalMs: number;
  /** Whether receivers are told when alerts they were told about resolve. */
  readonly sendResolved: boolean;
}

/** Alertmanager's defaults, grouped by rule and model. */
export const DEFAULT_GROUPING: GroupingOptions = {
  by: ['alertname', 'model'],
  waitMs: 30_000,
  intervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  sendResolved: true,
};

/** What the last notification of a group listed, by fingerprint. */
export interface GroupNotificationRecord {
  readonly at: number;
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
}

/** A group of alerts and its notification timers, as stored. */
export interface AlertGroup {
  /** The fingerprint of the group's labels. */
  readonly key: string;
  /** Optimistic-concurrency version: 1 when created, one more after every change. */
  readonly version: number;
  /** The values of the grouping labels shared by the group's alerts. */
  readonly labels: Labels;
  readonly createdAt: number;
  /** Fingerprints of the group's alerts (firing, or resolved since the last flush), sorted. */
  readonly members: readonly string[];
  /** When the group is next looked at. */
  readonly nextFlushAt: number;
  readonly hasFlushed: boolean;
  readonly lastNotification?: GroupNotificationRecord;
}

/** Why a group notifies (Alertmanager's NotifyReason). */
export type NotifyReason = 'first' | 'new-alerts' | 'resolved-alerts' | 'all-resolved' | 'repeat';

/** A member of a group as a flush sees it. */
export interface GroupMember {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  /** Silenced or inhibited now. */
  readonly muted: boolean;
}

/** What a flush decided: the group after it (undefined: drop it) and the notification to send, if any. */
export interface GroupFlush {
  readonly group: AlertGroup | undefined;
  readonly notification?: {
    readonly reason: NotifyReason;
    readonly firing: readonly string[];
    readonly resolved: readonly string[];
  };
}

const ALL_LABELS = '...';

/** The labels of `labels` that form its group (labels the alert does not have are left out). */
export function groupLabelsOf(labels: Labels, by: readonly string[]): Labels {
  if (by.includes(ALL_LABELS)) return { ...labels };
  const picked: Record<string, string> = {};
  for (const name of by) {
    const value = labels[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

/** The key of the group with these labels. */
export function groupKeyOf(groupLabels: Labels): string {
  return labelSetFingerprint(groupLabels);
}

function sortedUnion(members: readonly string[], fingerprint: string): readonly string[] {
  return members.includes(fingerprint) ? members : [...members, fingerprint].sort();
}

/**
 * The group after an alert joined it (a new group when `group` is undefined). The alert's `startsAt`
 * brings a group that has not flushed yet forward to now when the alert is older than `group_wait`.
 */
export function addToGroup(
  group: AlertGroup | undefined,
  joining: { readonly fingerprint: string; readonly startsAt: number; readonly groupLabels: Labels },
  options: GroupingOptions,
  now: number,
): AlertGroup {
  const base: AlertGroup = group ?? {
    key: groupKeyOf(joining.groupLabels),
    version: 0,
    labels: joining.groupLabels,
    createdAt: now,
    members: [],
    nextFlushAt: now + options.waitMs,
    hasFlushed: false,
  };
  const members = sortedUnion(base.members, joining.fingerprint);
  const waitedEnough = !base.hasFlushed && joining.startsAt + options.waitMs <= now;
  const nextFlushAt = waitedEnough ? Math.min(base.nextFlushAt, now) : base.nextFlushAt;
  if (members === base.members && nextFlushAt === base.nextFlushAt && group) return group;
  return { ...base, members, nextFlushAt };
}

/** Whether the group is due to be looked at. */
export function isGroupDue(group: AlertGroup, now: number): boolean {
  return now >= group.nextFlushAt;
}

const isSubset = (items: readonly string[], of: readonly string[]) =>
  items.every((item) => of.includes(item));

/**
 * Whether (and why) a group with these firing and resolved alerts notifies, given its last notification
 * (Alertmanager's DedupStage.needsUpdate).
 */
export function notifyReason(
  last: GroupNotificationRecord | undefined,
  firing: readonly string[],
  resolved: readonly string[],
  options: Pick<GroupingOptions, 'repeatIntervalMs' | 'sendResolved'>,
  now: number,
): NotifyReason | undefined {
  if (!last) return firing.length > 0 ? 'first' : undefined;
  if (!isSubset(firing, last.firing)) return last.firing.length === 0 ? 'first' : 'new-alerts';
  if (firing.length === 0) return last.firing.length > 0 ? 'all-resolved' : undefined;
  if (options.sendResolved && !isSubset(resolved, last.resolved)) return 'resolved-alerts';
  return now - last.at >= options.repeatIntervalMs ? 'repeat' : undefined;
}

function nextOnGrid(scheduled: number, intervalMs: number, now: number): number {
  const steps = Math.floor((now - scheduled) / intervalMs) + 1;
  return scheduled + Math.max(steps, 1) * intervalMs;
}

/**
 * Looks at a due group: decides the notification from its members' current state, drops resolved
 * members, and sets the next flush one group_interval on. `members` are the group's alerts as they are now
 * (a member the caller no longer knows counts as resolved).
 */
export function flushGroup(
  group: AlertGroup,
  members: readonly GroupMember[],
  options: GroupingOptions,
  now: number,
): GroupFlush {
  const byFingerprint = new Map(members.map((member) => [member.fingerprint, member]));
  const status = (fingerprint: string) => byFingerprint.get(fingerprint)?.status ?? 'resolved';
  const firing = group.members.filter((fp) => status(fp) === 'firing' && !byFingerprint.get(fp)?.muted);
  const resolved = group.members.filter(
    (fp) => status(fp) === 'resolved' && (group.lastNotification?.firing.includes(fp) ?? false),
  );
  // Nothing to list (every alert muted): say nothing, rather than "all resolved" for silenced alerts.
  const reason =
    firing.length + resolved.length === 0
      ? undefined
      : notifyReason(group.lastNotification, firing, resolved, options, now);
  const remaining = group.members.filter((fp) => status(fp) === 'firing');
  const lastNotification = reason ? { at: now, firing, resolved } : group.lastNotification;
  const next: AlertGroup = {
    ...group,
    members: remaining,
    hasFlushed: true,
    nextFlushAt: nextOnGrid(group.nextFlushAt, options.intervalMs, now),
    lastNotification,
  };
  const silentResolution = reason !== undefined && firing.length === 0 && !options.sendResolved;
  return {
    group: remaining.length > 0 ? next : undefined,
    notification: reason && !silentResolution ? { reason, firing, resolved } : undefined,
  };
}

/** A duration in configuration: ms, or text such as `30s`, `5m`, `4h`. */
export const configDurationSchema = z
  .union([z.number().nonnegative(), z.string()], { error: 'must be ms or a duration such as 30s, 5m or 4h' })
  .transform((value, context) => {
    if (typeof value === 'number') return value;
    try {
      return parseDuration(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const positiveDuration = configDurationSchema.refine((ms) => ms > 0, 'must be longer than 0');

/** Grouping options as configuration JSON; durations as ms or as `30s`, `5m`, `4h`. */
export const groupingOptionsSchema = z.object({
  by: z
    .array(z.string().min(1))
    .min(1, 'must name at least one label, or "..." for all')
    .default([...DEFAULT_GROUPING.by]),
  waitMs: configDurationSchema.default(DEFAULT_GROUPING.waitMs),
  intervalMs: positiveDuration.default(DEFAULT_GROUPING.intervalMs),
  repeatIntervalMs: positiveDuration.default(DEFAULT_GROUPING.repeatIntervalMs),
  sendResolved: z.boolean().default(DEFAULT_GROUPING.sendResolved),
});
