import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadLocalEnvironment, parseEnvironment } from '../../lib/config/load-environment.js';
import { type LocalPlatform, startLocalPlatform } from '../../lib/local/platform.js';
import { apiClient } from '../support/http-client.js';

const T = Date.UTC(2026, 2, 10, 15, 0, 0);
const MINUTE = 60_000;
const MODEL = 'example-classifier';
const OBJECTIVE = 0.999;

/** The Workbook's burn rate: the error rate over the budget's error rate (1 - objective). */
const burnRate = (bad: number, total: number) => bad / total / (1 - OBJECTIVE);

/**
 * The SLO path on the local platform: predictions counted per SLO at ingest, the SLO job run as of a
 * time, its burn-rate alerts through the alert pipeline, the SLO view, and labels joined to predictions.
 */
describe('SLOs and labels, end to end on the local platform', () => {
  let platform: LocalPlatform;
  let api: ReturnType<typeof apiClient>;
  let clock = T;
  const printed: string[] = [];

  before(async () => {
    const local = loadLocalEnvironment();
    const environment = parseEnvironment({
      ...local,
      slos: {
        definitions: [
          {
            name: 'classifier-availability',
            model: MODEL,
            sli: { kind: 'availability' },
            objective: OBJECTIVE,
          },
          { name: 'classifier-accuracy', model: MODEL, sli: { kind: 'accuracy' }, objective: 0.9 },
        ],
      },
    });
    platform = await startLocalPlatform({
      port: 0,
      dataDir: null,
      token: 'e2e-token',
      now: () => clock,
      console: printedLines(printed),
      environment,
    });
    api = apiClient(platform.url, platform.token);
  });
  after(() => platform.close());

  it('pages when the last five minutes fail, with the burn rates of the Workbook formulas', async () => {
    // Prepare: an hour of 10 predictions a minute, the last five minutes all failing (50 of 600).
    const predictions = [];
    for (let minute = 60; minute >= 1; minute--) {
      for (let i = 0; i < 10; i++) {
        predictions.push({
          model: MODEL,
          latencyMs: 30,
          status: minute <= 5 ? 'error' : 'ok',
          timestamp: T - minute * MINUTE + i * 1000,
        });
      }
    }
    const ingest = await api.post('/api/v1/predictions', { predictions });
    assert.equal(ingest.status, 200);

    // Act
    const run = await api.post('/api/v1/jobs/slo/run', { at: new Date(T).toISOString() });
    const slos = await api.get('/api/v1/slos');

    // Assess: every pair burns above its rate in both windows (1h: 83.3, 5m: 1000, 30m: 166.7, 3d and 6h: 83.3).
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const availability = run.body.slos.find(
      (entry: { slo: string }) => entry.slo === 'classifier-availability',
    );
    assert.deepEqual(
      availability.transitions.map(
        (transition: { longWindow: string; shortWindow: string; state: string }) => [
          transition.longWindow,
          transition.shortWindow,
          transition.state,
        ],
      ),
      [
        ['1h', '5m', 'firing'],
        ['6h', '30m', 'firing'],
        ['3d', '6h', 'firing'],
      ],
    );
    const view = slos.body.slos.find((entry: { name: string }) => entry.name === 'classifier-availability');
    const rates = new Map(
      view.burnRates.map((rate: { window: string; burnRate: number }) => [rate.window, rate.burnRate]),
    );
    assert.ok(Math.abs((rates.get('1h') as number) - burnRate(50, 600)) < 1e-9);
    assert.ok(Math.abs((rates.get('5m') as number) - burnRate(50, 50)) < 1e-9);
    assert.ok(Math.abs((rates.get('30m') as number) - burnRate(50, 300)) < 1e-9);
    // 50 bad events against an allowance of 0.1 % of 600.
    assert.ok(Math.abs(view.errorBudget.consumed - 50 / (600 * (1 - OBJECTIVE))) < 1e-9);

    const firing = await api.get(`/api/v1/alerts?state=firing&model=${MODEL}`);
    const sloAlerts = firing.body.alerts.filter((alert: { source: string }) => alert.source === 'slo');
    assert.deepEqual(
      sloAlerts
        .map((alert: { severity: string; labels: { longWindow: string } }) => [
          alert.severity,
          alert.labels.longWindow,
        ])
        .sort(),
      [
        ['critical', '1h'],
        ['critical', '6h'],
        ['warning', '3d'],
      ],
    );
    const ticket = sloAlerts.find((alert: { severity: string }) => alert.severity === 'warning');
    assert.ok(ticket.inhibitedBy, 'the page mutes the ticket of the same SLO');
    const incidents = await api.get('/api/v1/incidents');
    assert.equal(incidents.body.incidents.length, 1);
  });

  it('delivers the weekly report with the week the failing minutes fell in', async () => {
    // Act: the report of the week ending at T + 1 h, which holds the failing five minutes.
    const run = await api.post('/api/v1/jobs/slo-report/run', {
      at: new Date(T + 60 * MINUTE).toISOString(),
    });

    // Assess
    assert.equal(run.status, 200);
    assert.equal(run.body.published, true);
    const availability = run.body.report.slos.find(
      (entry: { slo: string }) => entry.slo === 'classifier-availability',
    );
    assert.equal(availability.week.met, false, '50 failures in 600 miss 99.9 %');
    const line = printed.find((each) => each.includes('SLO report, week ending'));
    assert.match(line ?? '', /^\[vigil\] Vigil local SLO report, week ending 2026-03-10: 2 SLOs, \d+ missed/);
  });

  it('evaluates each SLO once when the job runs twice for the same time', async () => {
    // Act
    const again = await api.post('/api/v1/jobs/slo/run', { at: new Date(T).toISOString() });

    // Assess
    assert.ok(again.body.slos.every((entry: { outcome: string }) => entry.outcome === 'skipped'));
  });

  it('joins labels to predictions by id, reports the ones it cannot join, and counts accuracy', async () => {
    // Prepare
    clock = T + 10 * MINUTE;
    const labelled = ['cat', 'dog', 'cat', 'bird'].map((prediction, i) => ({
      id: `p-${i}`,
      model: MODEL,
      latencyMs: 20,
      status: 'ok',
      prediction,
      timestamp: clock - MINUTE,
    }));
    await api.post('/api/v1/predictions', { predictions: labelled });
    const labels = [
      { id: 'p-0', model: MODEL, actual: 'cat' },
      { id: 'p-1', model: MODEL, actual: 'dog' },
      { id: 'p-2', model: MODEL, actual: 'dog' },
      { id: 'p-3', model: MODEL, actual: 'bird' },
      { id: 'p-404', model: MODEL, actual: 'cat' },
      { id: 'p-0', model: MODEL, actual: 'cat' },
      { id: 'p-1', model: MODEL },
    ];

    // Act
    const response = await api.post('/api/v1/labels', { labels });
    const accuracy = await api.get(
      `/api/v1/query?metric=accuracy&model=${MODEL}&stat=avg&from=${new Date(clock - MINUTE).toISOString()}&to=${new Date(clock + MINUTE).toISOString()}`,
    );

    // Assess: p-2 was predicted "cat" but is a "dog"; 3 of 4 joined labels were right.
    assert.equal(response.status, 200);
    assert.equal(response.body.accepted, 4);
    assert.equal(response.body.correct, 3);
    assert.equal(response.body.rejected, 3);
    assert.deepEqual(
      response.body.errors.map((error: { index: number; field: string }) => [error.index, error.field]),
      [
        [4, 'id'],
        [5, 'id'],
        [6, 'actual'],
      ],
    );
    assert.match(response.body.errors[0].message, /no prediction "p-404"/);
    assert.match(response.body.errors[1].message, /was labelled at/);
    assert.deepEqual(
      accuracy.body.series[0].points.map(([, value]: [number, number]) => value),
      [0.75],
    );
  });
});

/** A console stream that keeps each printed line. */
function printedLines(lines: string[]): PassThrough {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return stream;
}
