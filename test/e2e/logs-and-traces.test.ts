import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type LocalPlatform, startLocalPlatform } from '../../lib/local/platform.js';
import { apiClient } from '../support/http-client.js';

const SECRET_TOKEN = 'sk-live-9f8e7d6c5b4a39281706';
const SECRET_EMAIL = 'jane.doe@customer-example.com';

describe('logs and traces from the OpenTelemetry exporters, end to end on the local platform', () => {
  let dataDir: string;
  let platform: LocalPlatform;
  let api: ReturnType<typeof apiClient>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-events-'));
    platform = await startLocalPlatform({ port: 0, dataDir, token: 'events-token' });
    api = apiClient(platform.url, platform.token);
  });
  after(async () => {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores exported logs redacted, finds them by search, and groups errors into patterns', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'scoring-api', 'vigil.model': 'churn' });
    const exporter = new OTLPLogExporter({
      url: `${platform.url}/v1/logs`,
      headers: { Authorization: `Bearer ${platform.token}` },
    });
    const provider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('scoring');
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'model loaded in 812 ms' });
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      body: `retrying feature store call for ${SECRET_EMAIL}`,
      attributes: { 'http.request.header.authorization': `Bearer ${SECRET_TOKEN}` },
    });
    for (const user of ['4711', '4712', '4713']) {
      logger.emit({
        severityNumber: SeverityNumber.ERROR,
        body: `feature vector missing for user ${user} after 3 retries`,
      });
    }
    logger.emit({ severityNumber: SeverityNumber.FATAL, body: 'CUDA out of memory on device 0' });
    await provider.forceFlush();
    await provider.shutdown();

    const all = await api.get('/api/v1/logs/search?from=-1h&limit=50');
    const warnings = await api.get('/api/v1/logs/search?from=-1h&minLevel=warn&q=feature');
    const patterns = await api.get('/api/v1/logs/patterns?from=-1h');

    assert.equal(all.status, 200);
    assert.equal(all.body.logs.length, 6);
    assert.ok(
      all.body.logs.every(
        (log: { service: string; model: string }) => log.service === 'scoring-api' && log.model === 'churn',
      ),
    );
    const serialized = JSON.stringify(all.body);
    assert.ok(
      !serialized.includes(SECRET_TOKEN) && !serialized.includes(SECRET_EMAIL),
      'search shows no secret',
    );
    assert.deepEqual(warnings.body.logs.map((log: { level: string }) => log.level).sort(), [
      'error',
      'error',
      'error',
      'warn',
    ]);
    const [top] = patterns.body.patterns;
    assert.equal(top.count, 3, 'three messages differing only in the user id share one pattern');
    assert.deepEqual(top.services, ['scoring-api']);
    assert.equal(patterns.body.patterns.length, 2, 'the error template and the critical one');
  });

  it('answers a trace as a tree with durations', async () => {
    const exporter = new OTLPTraceExporter({
      url: `${platform.url}/v1/traces`,
      headers: { Authorization: `Bearer ${platform.token}` },
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'scoring-api' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('scoring');
    const { trace, context } = await import('@opentelemetry/api');
    const t0 = Date.now() - 60;
    const root = tracer.startSpan('POST /predict', { startTime: t0 });
    const parentContext = trace.setSpan(context.active(), root);
    const features = tracer.startSpan('fetch features', { startTime: t0 + 5 }, parentContext);
    features.end(t0 + 20);
    const inference = tracer.startSpan('model.predict', { startTime: t0 + 21 }, parentContext);
    inference.end(t0 + 45);
    root.end(t0 + 50);
    await provider.forceFlush();
    await provider.shutdown();
    const traceId = root.spanContext().traceId;

    const answer = await api.get(`/api/v1/traces/${traceId}`);
    const missing = await api.get(`/api/v1/traces/${'ab'.repeat(16)}`);
    const invalid = await api.get('/api/v1/traces/not-a-trace');

    assert.equal(answer.status, 200);
    assert.equal(answer.body.spanCount, 3);
    assert.equal(answer.body.roots.length, 1);
    const [rootNode] = answer.body.roots;
    assert.equal(rootNode.span.name, 'POST /predict');
    assert.deepEqual(
      rootNode.children.map((child: { span: { name: string } }) => child.span.name),
      ['fetch features', 'model.predict'],
    );
    assert.ok(
      Math.abs(rootNode.children[0].span.durationMs - 15) < 1,
      String(rootNode.children[0].span.durationMs),
    );
    assert.equal(missing.status, 404);
    assert.equal(invalid.status, 400);
  });

  it('accepts native logs beside invalid ones, and no secret reaches the files on disk', async () => {
    const ingest = await api.post('/api/v1/logs', {
      logs: [
        { level: 'error', message: `payment lookup failed for ${SECRET_EMAIL}`, service: 'billing' },
        { level: 'loud', message: 'x' },
        { level: 'info', message: 'ok', attributes: { cookie: `session=${SECRET_TOKEN}` } },
      ],
    });
    await platform.close();
    const files = await readdir(dataDir, { recursive: true });
    const contents = await Promise.all(
      files.map((file) => readFile(join(dataDir, String(file))).catch(() => Buffer.alloc(0))),
    );
    platform = await startLocalPlatform({ port: 0, dataDir, token: 'events-token' });
    api = apiClient(platform.url, platform.token);

    assert.equal(ingest.status, 200);
    assert.deepEqual([ingest.body.accepted, ingest.body.rejected, ingest.body.errors[0].index], [2, 1, 1]);
    for (const secret of [SECRET_TOKEN, SECRET_EMAIL]) {
      assert.ok(
        contents.every((bytes) => !bytes.includes(secret)),
        `${secret} is nowhere in ${dataDir}`,
      );
    }
  });
});
