import type { Alert } from './alert.js';
import type { FatigueWindow } from './fatigue.js';
import type { AlertGroup } from './grouping.js';
import type { Incident } from './incident.js';
import type { Silence } from './silence.js';

/*
 * The pipeline's state is plain data in separate records (alerts, groups, fatigue windows, incidents),
 * each with a version, because the store is DynamoDB without transactions: every record is written on
 * its own with a condition on the version it was read at, and a run that loses a race is run again on
 * fresh state. The pipeline is written so that a rerun after a partial write converges (adding an alert
 * to a group or an incident twice is a no-op).
 */

/** What Vigil keeps of one alert (by fingerprint), as stored. */
export interface AlertRecord {
  readonly fingerprint: string;
  /** Optimistic-concurrency version: 1 when created, one more after every change. */
  readonly version: number;
  /** The alert as last received, its status as the pipeline took it (`endsAt` set once resolved). */
  readonly alert: Alert;
  /** The group it belongs to. */
  readonly groupKey: string;
  readonly firstReceivedAt: number;
  readonly lastReceivedAt: number;
  /** How many times the alert was received, duplicates included. */
  readonly receivedCount: number;
  /** When it last went from firing to resolved or back (or was first received). */
  readonly statusChangedAt: number;
  /** The incident it joined while firing; cleared when it resolves. */
  readonly incidentId?: string;
  /** When a resolved alert may be forgotten, epoch ms (the store's TTL attribute, in seconds, from it). */
  readonly expiresAt?: number;
}

/** The state one pipeline run reads, keyed for lookup. */
export interface PipelineState {
  /**
   * Alert records: for `processAlert`, the incoming alert's record (if known), every firing alert (the
   * sources inhibition looks at) and the members of its group; for `tickPipeline`, every firing alert and
   * the members of the due groups.
   */
  readonly alerts: Readonly<Record<string, AlertRecord>>;
  /** Silences not yet expired. */
  readonly silences: readonly Silence[];
  /** Groups by key: the incoming alert's group (if it exists), or every group for `tickPipeline`. */
  readonly groups: Readonly<Record<string, AlertGroup>>;
  /** Fatigue windows by rule: the rules of the groups involved, and every window holding a digest. */
  readonly fatigue: Readonly<Record<string, FatigueWindow>>;
  /** Incidents by id: every incident not resolved, and those resolved within the reopen window. */
  readonly incidents: Readonly<Record<string, Incident>>;
}

/** The empty state, for a new installation and for tests. */
export const EMPTY_PIPELINE_STATE: PipelineState = {
  alerts: {},
  silences: [],
  groups: {},
  fatigue: {},
  incidents: {},
};

/**
 * Records to write after a run. Each record carries the version it gets: store it only if the stored
 * version is `version - 1` (0: no such record yet), else reload and run again.
 */
export interface PipelineWrites {
  readonly alerts: readonly AlertRecord[];
  readonly groups: readonly AlertGroup[];
  /** Groups to delete, only if the stored version is still `version`. */
  readonly deletedGroups: ReadonlyArray<{ readonly key: string; readonly version: number }>;
  readonly fatigue: readonly FatigueWindow[];
  readonly incidents: readonly Incident[];
}

/** Counts of what the pipeline did, summed into the alert-fatigue statistics. */
export interface PipelineCounters {
  readonly alertsReceived: number;
  /** Alerts received again with nothing new (same fingerprint, same status). */
  readonly deduplicated: number;
  readonly silenced: number;
  readonly inhibited: number;
  /** Alerts that wait for their group's next notification. */
  readonly groupedWaiting: number;
  /** Notifications the fatigue guard held back for a digest. */
  readonly fatigueSuppressed: number;
  /** Notifications handed to the notification sink, digests included. */
  readonly notificationsSent: number;
  readonly digestsSent: number;
}

/** Counters at zero. */
export const ZERO_COUNTERS: PipelineCounters = {
  alertsReceived: 0,
  deduplicated: 0,
  silenced: 0,
  inhibited: 0,
  groupedWaiting: 0,
  fatigueSuppressed: 0,
  notificationsSent: 0,
  digestsSent: 0,
};

/** The sum of two sets of counters. */
export function addCounters(a: PipelineCounters, b: Partial<PipelineCounters>): PipelineCounters {
  const sum: Record<keyof PipelineCounters, number> = { ...a };
  for (const key of Object.keys(ZERO_COUNTERS) as (keyof PipelineCounters)[]) sum[key] += b[key] ?? 0;
  return sum;
}
