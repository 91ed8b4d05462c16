import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOCAL_INGEST_PANELS } from '../../lib/local/dashboard-page.js';
import { type LocalPlatform, startLocalPlatform } from '../../lib/local/platform.js';
import { apiClient } from '../support/http-client.js';
import { logNormalSamples, nearestRankQuantile, seededRandom } from '../support/random.js';

const NOW = Date.UTC(2026, 2, 10, 15, 0, 0);
const HOUR = 3_600_000;

describe('local platform, end to end over HTTP', () => {
  let platform: LocalPlatform;
  let api: ReturnType<typeof apiClient>;

  before(async () => {
    platform = await startLocalPlatform({ port: 0, dataDir: null, token: 'e2e-token', now: () => NOW });
    api = apiClient(platform.url, platform.token);
  });
  after(() => platform.close());

  it('answers liveness and readiness with a check per dependency, without a token', async () => {
    const live = await fetch(`${platform.url}/healthz`);
    const ready = await fetch(`${platform.url}/readyz`);

    assert.equal(live.status, 200);
    assert.equal(ready.status, 200);
    const readiness = (await ready.json()) as { status: string; checks: Record<string, unknown> };
    assert.equal(readiness.status, 'ready');
    assert.deepEqual(Object.keys(readiness.checks).sort(), ['eventStore', 'metricStore', 'stateTable']);
  });

  it('keeps valid predictions beside invalid ones and answers queries from them', async () => {
    const start = NOW - HOUR;
    const predictions = [
      { model: 'e2e-mixed', latencyMs: 100, status: 'ok', timestamp: start + 60_000 },
      { model: 'e2e-mixed', latencyMs: 'fast', status: 'ok' },
      { model: 'e2e-mixed', latencyMs: 300, status: 'error', errorType: 'oom', timestamp: start + 120_000 },
      { latencyMs: 5, status: 'ok' },
    ];

    const ingest = await api.post('/api/v1/predictions', { predictions });

    assert.equal(ingest.status, 200);
    assert.equal(ingest.body.accepted, 2);
    assert.equal(ingest.body.rejected, 2);
    assert.deepEqual(
      ingest.body.errors.map((error: { index: number; field: string }) => [error.index, error.field]),
      [
        [1, 'latencyMs'],
        [3, 'model'],
      ],
    );
    const range = `from=${new Date(start).toISOString()}&to=${new Date(NOW).toISOString()}`;
    const count = await api.get(`/api/v1/query?metric=predictions&model=e2e-mixed&stat=count&${range}`);
    const errors = await api.get(`/api/v1/query?metric=errors&model=e2e-mixed&stat=sum&${range}&step=1m`);
    const avg = await api.get(`/api/v1/query?metric=latency_ms&model=e2e-mixed&stat=avg&${range}`);

    assert.equal(count.status, 200);
    assert.deepEqual(count.body.series, [{ labels: { model: 'e2e-mixed' }, points: [[start, 2]] }]);
    assert.deepEqual(errors.body.series, [
      { labels: { model: 'e2e-mixed' }, points: [[start + 120_000, 1]] },
    ]);
    assert.deepEqual(avg.body.series[0].points, [[start, 200]]);
  });

  it('answers p95 over an hour within 2 % of the exact p95 of the latencies sent', async () => {
    const random = seededRandom(2026);
    const latencies = logNormalSamples(random, 4000, Math.log(150), 0.7);
    const start = NOW - HOUR;
    const predictions = latencies.map((latencyMs, i) => ({
      model: 'e2e-p95',
      modelVersion: i % 2 ? 'v1' : 'v2',
      latencyMs,
      status: 'ok',
      timestamp: start + Math.floor((i / latencies.length) * HOUR),
    }));
    for (let i = 0; i < predictions.length; i += 1000) {
      const response = await api.post('/api/v1/predictions', { predictions: predictions.slice(i, i + 1000) });
      assert.equal(response.status, 200);
      assert.equal(response.body.accepted, 1000);
    }

    const answer = await api.get(
      `/api/v1/query?metric=latency_ms&model=e2e-p95&stat=p95&from=${start}&to=${NOW}`,
    );

    const exact = nearestRankQuantile(latencies, 0.95);
    const [[, p95]] = answer.body.series[0].points;
    assert.ok(Math.abs(p95 - exact) / exact <= 0.02, `p95 ${p95} vs exact ${exact}`);
  });

  it('accepts generic metrics and answers their aggregates', async () => {
    const at = NOW - 10 * 60_000;
    const ingest = await api.post('/api/v1/metrics', {
      metrics: [
        { name: 'gpu_utilization', value: 0.5, timestamp: at, dimensions: { model: 'e2e-gpu', host: 'a' } },
        { name: 'gpu_utilization', value: 0.9, timestamp: at, dimensions: { model: 'e2e-gpu', host: 'b' } },
        { name: 'gpu utilization', value: 1 },
      ],
    });
    const byHost = await api.get(
      `/api/v1/query?metric=gpu_utilization&stat=max&by=host&from=${at}&to=${NOW}`,
    );

    assert.equal(ingest.status, 200);
    assert.deepEqual(
      [ingest.body.accepted, ingest.body.errors[0].index, ingest.body.errors[0].field],
      [2, 2, 'name'],
    );
    assert.deepEqual(
      byHost.body.series.map((series: { labels: { host: string }; points: number[][] }) => [
        series.labels.host,
        series.points[0]![1],
      ]),
      [
        ['a', 0.5],
        ['b', 0.9],
      ],
    );
  });

  it('serves the dashboard page at / and every chart on it is a query the API answers', async () => {
    const page = await fetch(`${platform.url}/`);
    const html = await page.text();

    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    for (const panel of LOCAL_INGEST_PANELS) {
      assert.ok(html.includes(panel.title), panel.title);
      const answer = await api.get(
        `/api/v1/query?metric=${panel.metric}&stat=${panel.stat}&from=-1h&step=1m`,
      );
      assert.equal(answer.status, 200, `${panel.title}: ${JSON.stringify(answer.body)}`);
    }
  });

  it('answers a missing token with 401, a wrong one with 401 and a bad query with 400, all as JSON errors', async () => {
    const missing = await fetch(`${platform.url}/api/v1/query?metric=x`);
    const wrong = await apiClient(platform.url, 'not-the-token').get('/api/v1/query?metric=x');
    const bad = await api.get('/api/v1/query?metric=x&stat=median');
    const unknownRoute = await api.get('/api/v1/nothing');

    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.deepEqual([wrong.status, wrong.body.error.message], [401, 'unknown bearer token']);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /stat must be one of/);
    assert.equal(unknownRoute.status, 404);
  });
});

describe('local platform data directory', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps metrics across a restart', async () => {
    const first = await startLocalPlatform({ port: 0, dataDir, token: 't', now: () => NOW });
    const sent = await apiClient(first.url, 't').post('/api/v1/predictions', {
      predictions: [{ model: 'e2e-restart', latencyMs: 7, status: 'ok', timestamp: NOW - 60_000 }],
    });
    await first.close();
    const second = await startLocalPlatform({ port: 0, dataDir, token: 't', now: () => NOW });
    try {
      const answer = await apiClient(second.url, 't').get(
        `/api/v1/query?metric=predictions&stat=count&from=-1h&to=now`,
      );

      assert.equal(sent.status, 200);
      assert.deepEqual(answer.body.series, [
        { labels: { model: 'e2e-restart' }, points: [[NOW - 60 * 60_000, 1]] },
      ]);
    } finally {
      await second.close();
    }
  });
});
