import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type LocalPlatform, startLocalPlatform } from '../../lib/local/platform.js';
import { alertmanagerPayload } from '../lambdas/alerts/core/fixtures/fixtures.js';
import { apiClient } from '../support/http-client.js';

const T = Date.UTC(2026, 2, 10, 15, 0, 0);
const MINUTE = 60_000;
const MODEL = 'example-classifier';

interface Decision {
  fingerprint: string;
  decision: { outcome: string; reason?: string };
  silencedBy: string[];
}

/**
 * The alerting path on the local platform, driven as a test would drive a backtest: the clock is
 * injected, and the alert-rules job runs through `POST /api/v1/jobs/alert-rules/run` at chosen times.
 */
describe('alerts and incidents, end to end on the local platform', () => {
  let platform: LocalPlatform;
  let api: ReturnType<typeof apiClient>;
  let dataDir: string;
  let clock = T;
  const printed: string[] = [];

  const runRules = async (at: number) => {
    clock = at;
    const run = await api.post('/api/v1/jobs/alert-rules/run', { at: new Date(at).toISOString() });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    return run.body;
  };
  const outbox = async () =>
    (await readFile(join(dataDir, 'outbox.ndjson'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-alerts-e2e-'));
    const console = new PassThrough();
    console.on('data', (chunk: Buffer) =>
      printed.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
    );
    platform = await startLocalPlatform({ port: 0, dataDir, token: 'e2e-token', now: () => clock, console });
    api = apiClient(platform.url, platform.token);
  });
  after(async () => {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('turns an error burst sent through ingest into one firing rule and exactly one incident', async () => {
    // Prepare: five minutes of traffic, 20 predictions a minute, 40 % of them failing in the last three.
    const predictions = [];
    for (let minute = 5; minute >= 1; minute--) {
      for (let i = 0; i < 20; i++) {
        const failing = minute <= 3 && i < 8;
        predictions.push({
          model: MODEL,
          latencyMs: 40,
          status: failing ? 'error' : 'ok',
          ...(failing ? { errorType: 'timeout' } : {}),
          timestamp: T - minute * MINUTE + i * 1000,
        });
      }
    }
    const ingest = await api.post('/api/v1/predictions', { predictions });
    assert.equal(ingest.status, 200);
    assert.equal(ingest.body.accepted, 100);

    // Act: the job at T sees 24 failures in 100 (24 %), above both error-rate rules, which wait 2 minutes.
    const first = await runRules(T);
    const second = await runRules(T + MINUTE);
    const third = await runRules(T + 2 * MINUTE);

    // Assess: pending for two evaluations, firing at the third (`for: 2m`).
    const errorRules = (report: { rules: { rule: string; pending: number; firing: number }[] }) =>
      report.rules.filter((rule) => rule.rule.startsWith(`${MODEL}/error-rate`));
    assert.deepEqual(
      errorRules(first).map((rule) => [rule.rule, rule.pending, rule.firing]),
      [
        [`${MODEL}/error-rate-warning`, 1, 0],
        [`${MODEL}/error-rate-critical`, 1, 0],
      ],
    );
    assert.ok(errorRules(second).every((rule) => rule.pending === 1 && rule.firing === 0));
    assert.ok(errorRules(third).every((rule) => rule.pending === 0 && rule.firing === 1));

    const firing = await api.get(`/api/v1/alerts?state=firing&model=${MODEL}`);
    assert.equal(firing.status, 200);
    const bySeverity = new Map(
      firing.body.alerts.map((alert: { severity: string }) => [alert.severity, alert]),
    );
    const critical = bySeverity.get('critical') as { fingerprint: string; name: string; incidentId: string };
    const warning = bySeverity.get('warning') as { inhibitedBy?: string; incidentId?: string };
    assert.equal(critical.name, 'ModelErrorRateHigh');
    assert.equal(warning.inhibitedBy, critical.fingerprint, 'the critical alert mutes the warning');
    assert.equal(warning.incidentId, undefined);

    const incidents = await api.get('/api/v1/incidents');
    assert.equal(incidents.body.incidents.length, 1);
    const [incident] = incidents.body.incidents;
    assert.equal(incident.id, critical.incidentId);
    assert.equal(incident.status, 'open');
    assert.equal(incident.severity, 'critical');

    // The alert has been active since T, longer than the group's 30 s wait, so (as in Alertmanager) the
    // group notified at once; the next run repeats nothing within the group interval.
    await runRules(T + 3 * MINUTE);
    const sent = await outbox();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].kind, 'alerts');
    assert.equal(sent[0].at, new Date(T + 2 * MINUTE).toISOString());
    assert.deepEqual(
      sent[0].alerts.map((alert: { name: string; labels: { severity: string } }) => [
        alert.name,
        alert.labels.severity,
      ]),
      [['ModelErrorRateHigh', 'critical']],
    );
    assert.ok(printed.some((line) => line.includes('ModelErrorRateHigh') && line.includes(MODEL)));
    assert.equal((await api.get('/api/v1/incidents')).body.incidents.length, 1, 'still exactly one incident');
  });

  it('keeps one alert when the same Alertmanager payload arrives twice', async () => {
    // Prepare
    const payload = alertmanagerPayload();
    const firingEntries = payload.alerts.filter((alert) => alert.status === 'firing').length;

    // Act
    const first = await api.post('/api/v1/alerts/alertmanager', payload);
    const second = await api.post('/api/v1/alerts/alertmanager', payload);

    // Assess
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.ok(second.body.alerts.every((alert: Decision) => alert.decision.reason === 'deduplicated'));
    const listed = await api.get('/api/v1/alerts?model=fraud-detector');
    assert.equal(listed.body.alerts.length, firingEntries);
    assert.equal(listed.body.alerts[0].receivedCount, 2);
  });

  it('keeps a silenced alert from notifying, and says which silence muted it', async () => {
    // Prepare
    const silence = await api.post('/api/v1/silences', {
      matchers: [{ name: 'alertname', operator: '=', value: 'GpuMemoryHigh' }],
      endsAt: new Date(clock + 60 * MINUTE).toISOString(),
      createdBy: 'alice',
      comment: 'GPU driver upgrade in progress',
    });
    assert.equal(silence.status, 201);
    const before = (await outbox()).length;
    const payload = {
      ...alertmanagerPayload(),
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'GpuMemoryHigh', model: 'ranker', severity: 'critical' },
          annotations: { summary: 'GPU memory of ranker is at 97 %' },
          startsAt: new Date(clock - MINUTE).toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.org:9090/graph',
          fingerprint: '5a1c6e0fd2b9a1e4',
        },
      ],
    };

    // Act
    const received = await api.post('/api/v1/alerts/alertmanager', payload);
    await runRules(clock + MINUTE);

    // Assess
    const [decision] = received.body.alerts as Decision[];
    assert.equal(decision!.decision.reason, 'silenced');
    assert.deepEqual(decision!.silencedBy, [silence.body.id]);
    const sent = (await outbox()).slice(before);
    assert.ok(
      sent.every((notification: { alerts?: { name: string }[] }) =>
        (notification.alerts ?? []).every((alert) => alert.name !== 'GpuMemoryHigh'),
      ),
      'nothing about the silenced alert was sent',
    );
    const listed = await api.get('/api/v1/alerts?model=ranker');
    assert.deepEqual(listed.body.alerts[0].silencedBy, [silence.body.id]);
  });

  it('answers an invalid Alertmanager payload with a 400 that names the field', async () => {
    // Prepare
    const payload = alertmanagerPayload();
    (payload.alerts[0] as unknown as { status: string }).status = 'burning';

    // Act
    const response = await api.post('/api/v1/alerts/alertmanager', payload);

    // Assess
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /alerts\[0\]\.status/);
  });

  it('acknowledges the incident once, records who did it, and counts it in the statistics', async () => {
    // Prepare
    const [incident] = (await api.get(`/api/v1/incidents?status=open`)).body.incidents;

    // Act
    const acked = await api.post(`/api/v1/incidents/${incident.id}/ack`, { by: 'alice' });
    const again = await api.post(`/api/v1/incidents/${incident.id}/ack`, { by: 'bob' });
    const stats = await api.get('/api/v1/incidents/stats?from=-1d');

    // Assess
    assert.equal(acked.status, 200);
    assert.equal(acked.body.status, 'acknowledged');
    assert.equal(acked.body.acknowledgedBy, 'alice via local');
    assert.equal(again.body.acknowledgedBy, 'alice via local', 'a second acknowledgement changes nothing');
    const ackEvents = acked.body.timeline.filter((event: { type: string }) => event.type === 'acknowledged');
    assert.deepEqual(
      ackEvents.map((event: { actor: string }) => event.actor),
      ['alice via local'],
    );
    assert.equal(stats.status, 200);
    assert.equal(
      stats.body.incidents,
      (await api.get('/api/v1/incidents?from=-1d')).body.incidents.filter(
        (listed: { openedAt?: string }) => listed.openedAt !== undefined,
      ).length,
    );
    assert.equal(stats.body.silenced, 1);
    assert.equal(
      stats.body.timeToAcknowledge.medianMs,
      Date.parse(acked.body.acknowledgedAt) - Date.parse(incident.openedAt),
    );
  });

  it('answers 404 for an unknown incident and 409 for acknowledging a resolved one', async () => {
    // Prepare
    const [incident] = (await api.get('/api/v1/incidents')).body.incidents;
    await api.post(`/api/v1/incidents/${incident.id}/resolve`, undefined);

    // Act
    const missing = await api.post('/api/v1/incidents/inc-nope/ack', undefined);
    const conflict = await api.post(`/api/v1/incidents/${incident.id}/ack`, undefined);

    // Assess
    assert.equal(missing.status, 404);
    assert.equal(conflict.status, 409);
    assert.match(conflict.body.error.message, /is resolved; it cannot be acknowledged/);
  });
});
