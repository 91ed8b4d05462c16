import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDynamoDbAlertRepositories } from '../../../../lambdas/alerts/adapters/aws/alert-repositories.js';
import type { Alert } from '../../../../lambdas/alerts/core/alert.js';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../lambdas/alerts/core/pipeline-config.js';
import type { Notification } from '../../../../lambdas/alerts/core/pipeline-notifications.js';
import {
  AlertPipelineRunner,
  MAX_PIPELINE_ATTEMPTS,
  PIPELINE_LOCK_WAIT_MS,
  PipelineContentionError,
} from '../../../../lambdas/alerts/core/pipeline-runner.js';
import type { AlertRepositories } from '../../../../lambdas/alerts/ports/alert-repositories.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';

const T = Date.UTC(2026, 2, 10, 14, 0, 0);
const SECOND = 1000;

const stores: DynaliteStateStore[] = [];
after(() => Promise.all(stores.map((store) => store.close())));

/** Fresh repositories on a store of their own (dynalite in memory), so tests do not see each other's records. */
async function repositories(): Promise<AlertRepositories> {
  const store = await startDynaliteStateStore();
  stores.push(store);
  return createDynamoDbAlertRepositories({
    client: store.documentClient,
    tableName: store.tableName,
    now: () => T,
  });
}

function alert(model: string, overrides: Partial<Alert> = {}): Alert {
  return {
    name: 'ModelErrorRateHigh',
    labels: { model, severity: 'critical', service: 'scoring' },
    annotations: { summary: `error rate of ${model} is high` },
    source: 'rule',
    status: 'firing',
    startsAt: T,
    ...overrides,
  };
}

function runner(repos: AlertRepositories, sent: Notification[] = []) {
  return new AlertPipelineRunner({
    repositories: repos,
    sink: { send: async (notification) => void sent.push(notification) },
    config: DEFAULT_PIPELINE_CONFIG,
    now: () => T,
  });
}

describe('AlertPipelineRunner', () => {
  it('stores the alert, its group and its incident, then notifies when the group is due', async () => {
    // Prepare
    const repos = await repositories();
    const sent: Notification[] = [];
    const pipeline = runner(repos, sent);

    // Act
    const received = await pipeline.receive([alert('fraud')], T);
    const tick = await pipeline.tick(T + DEFAULT_PIPELINE_CONFIG.grouping.waitMs);

    // Assess
    const fingerprint = alertFingerprint(alert('fraud'));
    assert.equal(received.decisions[0]!.decision.outcome, 'suppressed');
    const record = (await repos.alerts.getMany([fingerprint])).get(fingerprint)!;
    const incident = await repos.incidents.get(record.incidentId!);
    assert.equal(incident?.status, 'open');
    assert.deepEqual(tick.notifications, [sent[0]!.id]);
    assert.equal(sent.length, 1);
    const stats = await repos.stats.sum(T - 3_600_000, T + 3_600_000);
    assert.equal(stats.alertsReceived, 1);
    assert.equal(stats.notificationsSent, 1);
  });

  it('runs one pipeline run at a time, so related alerts arriving at once land in one incident', async () => {
    // Prepare: two runners (two Lambdas) on the same table; the lock is watched for overlapping holders.
    const repos = await repositories();
    let holders = 0;
    let mostHolders = 0;
    const watched: AlertRepositories = {
      ...repos,
      lock: {
        acquire: async (owner, leaseMs) => {
          const taken = await repos.lock.acquire(owner, leaseMs);
          if (taken) mostHolders = Math.max(mostHolders, ++holders);
          return taken;
        },
        release: async (owner) => {
          holders--;
          await repos.lock.release(owner);
        },
      },
    };
    const latency = alert('fraud', { name: 'ModelLatencyHigh' });

    // Act
    await Promise.all([runner(watched).receive([alert('fraud')], T), runner(watched).receive([latency], T)]);

    // Assess
    assert.equal(mostHolders, 1);
    const incidents = await repos.incidents.list({});
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.alerts.length, 2);
    assert.equal((await repos.groups.list()).length, 2, 'two groups, since the alert names differ');
  });

  it('waits for a lock another run holds, then answers a retryable error', async () => {
    // Prepare: a run elsewhere holds the lock; waiting is simulated, not slept.
    const repos = await repositories();
    assert.equal(await repos.lock.acquire('another-run', 30_000), true);
    let waited = 0;
    const pipeline = new AlertPipelineRunner({
      repositories: repos,
      sink: { send: async () => {} },
      config: DEFAULT_PIPELINE_CONFIG,
      now: () => T,
      sleep: async (ms) => {
        waited += ms;
      },
    });

    // Act / Assess
    await assert.rejects(pipeline.receive([alert('fraud')], T), PipelineContentionError);
    assert.ok(waited >= PIPELINE_LOCK_WAIT_MS, `waited ${waited} ms`);
    assert.deepEqual(await repos.alerts.list({ now: T }), [], 'nothing was stored');
  });

  it('redoes a run whose alert write failed without a second incident', async () => {
    // Prepare: the alert write fails once, after the incident and the group were stored.
    const repos = await repositories();
    let failures = 1;
    const flaky: AlertRepositories = {
      ...repos,
      alerts: {
        getMany: (fingerprints) => repos.alerts.getMany(fingerprints),
        listFiring: (now) => repos.alerts.listFiring(now),
        list: (query) => repos.alerts.list(query),
        put: async (record) => {
          if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
          return repos.alerts.put(record);
        },
      },
    };
    const pipeline = runner(flaky);

    // Act
    await assert.rejects(pipeline.receive([alert('fraud')], T), /ProvisionedThroughputExceeded/);
    await pipeline.receive([alert('fraud')], T + 15 * SECOND);

    // Assess
    const incidents = await repos.incidents.list({});
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.alerts.length, 1);
    const fingerprint = alertFingerprint(alert('fraud'));
    const record = (await repos.alerts.getMany([fingerprint])).get(fingerprint)!;
    assert.equal(record.incidentId, incidents[0]!.id);
  });

  it('gives up with a retryable error when every write loses its race', async () => {
    // Prepare
    const repos = await repositories();
    let attempts = 0;
    const contended: AlertRepositories = {
      ...repos,
      incidents: {
        get: (id) => repos.incidents.get(id),
        list: (query) => repos.incidents.list(query),
        listLive: (since) => repos.incidents.listLive(since),
        put: async () => {
          attempts++;
          return false;
        },
      },
    };

    // Act / Assess
    await assert.rejects(runner(contended).receive([alert('fraud')], T), PipelineContentionError);
    assert.equal(attempts, MAX_PIPELINE_ATTEMPTS);
    assert.deepEqual(await repos.alerts.list({ now: T }), [], 'nothing was stored');
  });
});
