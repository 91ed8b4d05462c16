import { UnavailableError } from '../../shared/unavailable-error.js';
import type { AlertRepositories } from '../ports/alert-repositories.js';
import type { NotificationSink } from '../ports/notification-sink.js';
import type { Alert } from './alert.js';
import { alertFingerprint } from './fingerprint.js';
import type { AlertGroup } from './grouping.js';
import type { Incident } from './incident.js';
import {
  type AlertDecision,
  type IncidentEvent,
  type PipelineRun,
  processAlerts,
  tickPipeline,
} from './pipeline.js';
import type { PipelineConfig } from './pipeline-config.js';
import type { AlertRecord, PipelineCounters, PipelineState, PipelineWrites } from './pipeline-state.js';

/*
 * Runs the pure pipeline against the stores, one run at a time (the pipeline lock: see its port). A run
 * reads the state it needs, computes, and writes every changed record with a condition on the version it
 * read; when something outside the pipeline changed one of them first (an acknowledgement), the run reads
 * again and recomputes, with the same `now`. Records are written in the order that keeps a half-written run safe to redo: incidents and
 * groups first, alert records last (an alert record is the pipeline's memory that it has seen the alert,
 * so it must not say so before the incident and group it joined are stored). Notifications and counters
 * follow the writes: a run that loses every race sends nothing.
 */

/** Attempts at a run before giving up with an UnavailableError (each reads the state again). */
export const MAX_PIPELINE_ATTEMPTS = 8;

/** How long a run may hold the pipeline lock: far longer than a run takes, and shorter than a retry's patience. */
export const PIPELINE_LEASE_MS = 30_000;

/** How long a run waits for the lock before it gives up with an UnavailableError. */
export const PIPELINE_LOCK_WAIT_MS = 10_000;

/** What the pipeline runner needs. */
export interface PipelineRunnerDependencies {
  readonly repositories: AlertRepositories;
  readonly sink: NotificationSink;
  readonly config: PipelineConfig;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** Told about every incident change after it is stored (escalations start and stop on them). */
  readonly onIncidentEvents?: (events: readonly IncidentEvent[]) => Promise<void>;
  /** Waits between attempts at the lock (tests shrink it). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What a run stored and sent. */
export interface PipelineRunSummary {
  readonly at: number;
  /** How many times the run read the state (more than 1 after lost races). */
  readonly attempts: number;
  readonly counters: PipelineCounters;
  /** Ids of the notifications handed to the sink. */
  readonly notifications: readonly string[];
  readonly incidentEvents: readonly IncidentEvent[];
}

/** What receiving alerts came to: a decision per alert, in order. */
export interface ReceiveSummary extends PipelineRunSummary {
  readonly decisions: readonly AlertDecision[];
}

/** What a scheduled tick came to. */
export interface TickSummary extends PipelineRunSummary {
  /** When the next tick has something to do. */
  readonly nextWakeAt?: number;
}

/** The run could not take the lock, or store its state within MAX_PIPELINE_ATTEMPTS: retry later. */
export class PipelineContentionError extends UnavailableError {
  override readonly name = 'PipelineContentionError';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const byKey = <T>(records: Iterable<T>, key: (record: T) => string): Record<string, T> =>
  Object.fromEntries([...records].map((record) => [key(record), record]));

/** Runs alerts and scheduled ticks through the alert pipeline, with its state in the repositories. */
export class AlertPipelineRunner {
  constructor(private readonly dependencies: PipelineRunnerDependencies) {}

  /** Runs incoming alerts (from rules, Alertmanager, CloudWatch alarms) through the pipeline, in order. */
  async receive(alerts: readonly Alert[], at: number = this.dependencies.now()): Promise<ReceiveSummary> {
    const { config } = this.dependencies;
    const fingerprints = alerts.map((alert) => alertFingerprint(alert));
    const names = alerts.map((alert) => alert.name);
    const { run, attempts } = await this.runUntilStored(
      () => this.loadState(at, fingerprints, names),
      (state) => processAlerts({ alerts, now: at, state, config }),
    );
    await this.publish(run, at);
    return { ...this.summary(run, at, attempts), decisions: run.decisions };
  }

  /**
   * The scheduled side: lapses alerts whose senders went quiet, flushes due groups, sends digests and
   * resolves quiet incidents.
   */
  async tick(at: number = this.dependencies.now()): Promise<TickSummary> {
    const { config } = this.dependencies;
    const { run, attempts } = await this.runUntilStored(
      () => this.loadState(at, [], []),
      (state) => tickPipeline({ now: at, state, config }),
    );
    await this.publish(run, at);
    return { ...this.summary(run, at, attempts), nextWakeAt: run.nextWakeAt };
  }

  private summary(run: PipelineRun, at: number, attempts: number): PipelineRunSummary {
    return {
      at,
      attempts,
      counters: run.counters,
      notifications: run.notifications.map((notification) => notification.id),
      incidentEvents: run.incidentEvents,
    };
  }

  private async runUntilStored<R extends PipelineRun>(
    load: () => Promise<PipelineState>,
    compute: (state: PipelineState) => R,
  ): Promise<{ run: R; attempts: number }> {
    return this.locked(async () => {
      for (let attempt = 1; attempt <= MAX_PIPELINE_ATTEMPTS; attempt++) {
        const run = compute(await load());
        if (await this.store(run.writes)) return { run, attempts: attempt };
      }
      throw new PipelineContentionError(
        `the alert pipeline lost ${MAX_PIPELINE_ATTEMPTS} write races in a row; nothing more was stored, retry later`,
      );
    });
  }

  /** Runs `work` holding the pipeline lock, waiting for it with growing pauses up to PIPELINE_LOCK_WAIT_MS. */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const { lock } = this.dependencies.repositories;
    const sleep = this.dependencies.sleep ?? defaultSleep;
    const owner = crypto.randomUUID();
    let waited = 0;
    for (let pause = 20; !(await lock.acquire(owner, PIPELINE_LEASE_MS)); pause = Math.min(pause * 2, 1000)) {
      if (waited >= PIPELINE_LOCK_WAIT_MS) {
        throw new PipelineContentionError(
          `another alert pipeline run held the lock for more than ${PIPELINE_LOCK_WAIT_MS / 1000} s; nothing was stored, retry later`,
        );
      }
      // Jitter keeps waiting runs from retrying in step.
      const jittered = pause / 2 + Math.random() * (pause / 2);
      await sleep(jittered);
      waited += jittered;
    }
    try {
      return await work();
    } finally {
      await lock.release(owner);
    }
  }

  /** Sends what a stored run produced: notifications, incident events, counters. */
  private async publish(run: PipelineRun, at: number): Promise<void> {
    const { sink, repositories, onIncidentEvents } = this.dependencies;
    for (const notification of run.notifications) await sink.send(notification);
    if (onIncidentEvents && run.incidentEvents.length > 0) await onIncidentEvents(run.incidentEvents);
    await repositories.stats.add(at, run.counters);
  }

  /**
   * The state a run may touch: every alert stored as firing (inhibition's sources, and the alerts a tick
   * may lapse), the incoming alerts' records, every group with its members, unexpired silences, live
   * incidents, and the fatigue windows of the rules involved or holding a digest.
   */
  private async loadState(
    at: number,
    fingerprints: readonly string[],
    names: readonly string[],
  ): Promise<PipelineState> {
    const { repositories, config } = this.dependencies;
    const [firing, groups, silences, incidents, digestWindows] = await Promise.all([
      repositories.alerts.list({ now: at, status: 'firing' }),
      repositories.groups.list(),
      repositories.silences.listUnexpired(at),
      repositories.incidents.listLive(at - config.correlation.reopenWindowMs),
      repositories.fatigue.listWithDigest(),
    ]);
    const alerts = new Map<string, AlertRecord>(firing.map((record) => [record.fingerprint, record]));
    const missing = [...new Set([...fingerprints, ...groups.flatMap((group) => group.members)])].filter(
      (fingerprint) => !alerts.has(fingerprint),
    );
    for (const [fingerprint, record] of await repositories.alerts.getMany(missing)) {
      alerts.set(fingerprint, record);
    }
    const rules = new Set(names);
    for (const group of groups) rules.add(`group:${group.key}`);
    for (const record of alerts.values()) rules.add(record.alert.name);
    const windows = await repositories.fatigue.getMany([...rules]);
    for (const window of digestWindows) windows.set(window.rule, window);
    return {
      alerts: Object.fromEntries(alerts),
      silences,
      groups: byKey<AlertGroup>(groups, (group) => group.key),
      fatigue: Object.fromEntries(windows),
      incidents: byKey<Incident>(incidents, (incident) => incident.id),
    };
  }

  /** Writes a run's records, in the order that keeps a partial write safe to redo; false on a lost race. */
  private async store(writes: PipelineWrites): Promise<boolean> {
    const { repositories } = this.dependencies;
    const all = async <T>(records: readonly T[], put: (record: T) => Promise<boolean>) =>
      (await Promise.all(records.map(put))).every(Boolean);
    return (
      (await all(writes.incidents, (incident) => repositories.incidents.put(incident))) &&
      (await all(writes.groups, (group) => repositories.groups.put(group))) &&
      (await all(writes.deletedGroups, ({ key, version }) => repositories.groups.delete(key, version))) &&
      (await all(writes.fatigue, (window) => repositories.fatigue.put(window))) &&
      (await all(writes.alerts, (record) => repositories.alerts.put(record)))
    );
  }
}
