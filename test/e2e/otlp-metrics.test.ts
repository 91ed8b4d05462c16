import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { type LocalPlatform, startLocalPlatform } from '../../lib/local/platform.js';
import { apiClient } from '../support/http-client.js';

describe('OpenTelemetry exporter pointed at the local platform', () => {
  let platform: LocalPlatform;
  before(async () => {
    platform = await startLocalPlatform({ port: 0, dataDir: null, token: 'otel-token' });
  });
  after(() => platform.close());

  it('lands cumulative counters and histograms once, however often the SDK exports them', async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({
        url: `${platform.url}/v1/metrics`,
        headers: { Authorization: `Bearer ${platform.token}` },
      }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'vigil.model': 'otel-e2e' }),
      readers: [reader],
    });
    const meter = provider.getMeter('vigil-e2e');
    const requests = meter.createCounter('inference_requests');
    const duration = meter.createHistogram('inference_duration_ms');
    const durations = [12, 40, 95, 310, 20];
    requests.add(5, { route: '/predict' });
    for (const value of durations) duration.record(value, { route: '/predict' });
    await setTimeout(5); // the SDK stamps whole milliseconds: let time pass the stream's start
    await reader.forceFlush();
    requests.add(2, { route: '/predict' });
    await reader.forceFlush();
    await reader.forceFlush(); // nothing new: the same cumulative totals again
    await provider.shutdown();

    const api = apiClient(platform.url, platform.token);
    const total = await api.get('/api/v1/query?metric=inference_requests&stat=sum&from=-1h');
    const count = await api.get('/api/v1/query?metric=inference_duration_ms&stat=count&from=-1h');
    const max = await api.get('/api/v1/query?metric=inference_duration_ms&stat=max&from=-1h&by=model,route');

    assert.equal(total.status, 200);
    assert.deepEqual(total.body.series, [
      { labels: { model: 'otel-e2e' }, points: [[total.body.series[0].points[0][0], 7]] },
    ]);
    assert.equal(count.body.series[0].points[0][1], durations.length);
    assert.deepEqual(max.body.series[0].labels, { model: 'otel-e2e', route: '/predict' });
    assert.equal(max.body.series[0].points[0][1], Math.max(...durations));
  });

  it('answers OTLP errors as google.rpc.Status JSON', async () => {
    const api = apiClient(platform.url, platform.token);

    const invalid = await api.post('/v1/metrics', { resourceMetrics: 'none' });
    const protobuf = await api.request('POST', '/v1/metrics', 'x', {
      'content-type': 'application/x-protobuf',
    });

    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.code, 3, 'INVALID_ARGUMENT');
    assert.match(invalid.body.message, /resourceMetrics/);
    assert.equal(protobuf.status, 415);
    assert.equal(protobuf.body.code, 3);
  });
});
