import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { createSignedOpenSearchClient } from '../../../../../lambdas/events/adapters/aws/opensearch-client.js';
import {
  OpenSearchEventStore,
  type OpenSearchEventStoreProps,
} from '../../../../../lambdas/events/adapters/aws/opensearch-event-store.js';
import type {
  LogRecord,
  PredictionEventRecord,
  SpanRecord,
} from '../../../../../lambdas/events/core/records.js';
import { decodeSearchCursor } from '../../../../../lambdas/events/core/search-cursor.js';
import { IncompleteWriteError } from '../../../../../lambdas/events/core/spilling-event-store.js';
import { UnavailableError } from '../../../../../lambdas/shared/unavailable-error.js';
import {
  type BulkPair,
  bulkResponse,
  createdItem,
  expectedSignature,
  FakeOpenSearch,
  failedItem,
  parseBulk,
  type ReceivedRequest,
  TEST_CREDENTIALS,
} from './support/fake-opensearch.js';

// 2026-03-10T23:59:59.999Z and the next millisecond, which belongs to the next UTC day.
const LAST_MS_OF_MARCH_10 = Date.UTC(2026, 2, 10, 23, 59, 59, 999);
const FIRST_MS_OF_MARCH_11 = Date.UTC(2026, 2, 11);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const log = (overrides: Partial<LogRecord> = {}): LogRecord => ({
  timestamp: LAST_MS_OF_MARCH_10,
  level: 'error',
  message: 'payment declined for order 42',
  service: 'checkout',
  model: 'fraud',
  traceId: TRACE_ID,
  spanId: '00f067aa0ba902b7',
  attributes: { 'http.method': 'POST', retries: 2, cached: false },
  pattern: { fingerprint: 'f-1', template: 'payment declined for order <num>' },
  ...overrides,
});

const span = (spanId: string, startTime: number): SpanRecord => ({
  traceId: TRACE_ID,
  spanId,
  name: 'POST /predict',
  kind: 'server',
  startTime,
  endTime: startTime + 12.5,
  durationMs: 12.5,
  status: 'ok',
  service: 'fraud-api',
  attributes: { 'http.route': '/predict' },
  events: [{ timestamp: startTime + 1, name: 'cache miss', attributes: {} }],
});

const prediction = (overrides: Partial<PredictionEventRecord> = {}): PredictionEventRecord => ({
  timestamp: FIRST_MS_OF_MARCH_11,
  model: 'fraud',
  status: 'ok',
  latencyMs: 41,
  attributes: { region: 'eu' },
  ...overrides,
});

let fake: FakeOpenSearch | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Answers every `_bulk` with each item created, and remembers the pairs each request carried. */
function acceptEverything(request: ReceivedRequest) {
  if (request.path !== '/_bulk') return { status: 404, body: { error: 'unexpected request' } };
  return { status: 200, body: bulkResponse(parseBulk(request.body).map((pair, i) => createdItem(pair, i))) };
}

function storeFor(server: FakeOpenSearch, props: Partial<OpenSearchEventStoreProps> = {}) {
  const delays: number[] = [];
  const store = new OpenSearchEventStore({
    client: createSignedOpenSearchClient({
      endpoint: server.url,
      region: 'eu-west-1',
      service: 'es',
      credentials: async () => TEST_CREDENTIALS,
    }),
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    ...props,
  });
  return { store, delays };
}

const bulkPairs = (server: FakeOpenSearch): BulkPair[][] =>
  server.requests.filter((r) => r.path === '/_bulk').map((r) => parseBulk(r.body));

describe('OpenSearchEventStore writes', () => {
  it('indexes each log into the index of its UTC day, under the id it was given', async () => {
    // Prepare
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake);
    const logs = [log(), log({ timestamp: FIRST_MS_OF_MARCH_11, message: 'next day' })];

    // Act
    const outcome = await store.writeLogs(logs, { documentIds: ['b1.0', 'b1.1'] });

    // Assess
    assert.deepEqual(outcome, { written: 2, rejected: [] });
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0]!.method, 'POST');
    const [pairs] = bulkPairs(fake);
    assert.deepEqual(
      pairs!.map((pair) => pair.action),
      [
        { index: { _index: 'vigil-logs-2026.03.10', _id: 'b1.0' } },
        { index: { _index: 'vigil-logs-2026.03.11', _id: 'b1.1' } },
      ],
    );
    assert.deepEqual(pairs![0]!.source, {
      ...logs[0],
      logId: 'b1.0',
      attributePairs: ['http.method=POST', 'retries=2', 'cached=false'],
    });
  });

  it('gives logs written without ids fresh ones, and keys spans and identified raw events by their own ids', async () => {
    // Prepare
    fake = await FakeOpenSearch.start(acceptEverything);
    const ids = ['generated-1'];
    const { store } = storeFor(fake, { newLogId: () => ids.shift()! });

    // Act
    await store.writeLogs([log()]);
    await store.writeSpans([span('00f067aa0ba902b7', 1_773_187_200_000.25)]);
    await store.writePredictionEvents([prediction({ id: 'p-1' }), prediction()], {
      documentIds: ['b2.0', 'b2.1'],
    });

    // Assess
    const [logPairs, spanPairs, predictionPairs] = bulkPairs(fake);
    assert.equal(logPairs![0]!.action.index?._id, 'generated-1');
    assert.equal(logPairs![0]!.source.logId, 'generated-1');
    assert.deepEqual(spanPairs![0]!.action, {
      index: { _index: 'vigil-spans-2026.03.11', _id: `${TRACE_ID}-00f067aa0ba902b7` },
    });
    // The date field holds whole milliseconds; the span's own start keeps the fraction.
    assert.equal(spanPairs![0]!.source.timestamp, 1_773_187_200_000);
    assert.equal(spanPairs![0]!.source.startTime, 1_773_187_200_000.25);
    assert.deepEqual(
      predictionPairs!.map((pair) => pair.action.index?._id),
      ['["fraud","p-1"]', 'b2.1'],
    );
    assert.equal(predictionPairs![0]!.action.index?._index, 'vigil-predictions-2026.03.11');
  });

  it('leaves document ids to OpenSearch on Serverless, whose time series collections refuse them', async () => {
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake, { deployment: 'serverless' });
    await store.writeLogs([log()], { documentIds: ['b.0'] });
    await store.writeSpans([span('00f067aa0ba902b7', LAST_MS_OF_MARCH_10)]);
    const pairs = bulkPairs(fake).flat();
    assert.deepEqual(
      pairs.map((pair) => pair.action),
      [{ index: { _index: 'vigil-logs-2026.03.10' } }, { index: { _index: 'vigil-spans-2026.03.10' } }],
    );
    // The log keeps its id as a field: the search sort still needs a unique tie-breaker.
    assert.equal(pairs[0]!.source.logId, 'b.0');
  });

  it('rejects a mapping error with its reason and sends a throttled item again until it is accepted', async () => {
    // Prepare: the second log fails to map, the third is throttled once.
    const mappingError = {
      type: 'mapper_parsing_exception',
      reason: "failed to parse field [service] of type [keyword] in document with id 'b.1'",
      caused_by: { type: 'illegal_state_exception', reason: "Can't get text on a START_OBJECT at 1:235" },
    };
    const throttled = {
      type: 'rejected_execution_exception',
      reason: 'rejected execution of coordinating operation [shard_detail=[vigil-logs-2026.03.10][0][P]]',
    };
    let call = 0;
    fake = await FakeOpenSearch.start((request) => {
      const pairs = parseBulk(request.body);
      call++;
      if (call === 1)
        return {
          status: 200,
          body: bulkResponse([
            createdItem(pairs[0]!),
            failedItem(pairs[1]!, 400, mappingError),
            failedItem(pairs[2]!, 429, throttled),
          ]),
        };
      return { status: 200, body: bulkResponse(pairs.map((pair) => createdItem(pair))) };
    });
    const { store, delays } = storeFor(fake);

    // Act
    const outcome = await store.writeLogs([log(), log({ message: 'bad' }), log({ message: 'slow' })], {
      documentIds: ['b.0', 'b.1', 'b.2'],
    });

    // Assess
    assert.deepEqual(outcome, {
      written: 2,
      rejected: [
        {
          index: 1,
          reason:
            "mapper_parsing_exception: failed to parse field [service] of type [keyword] in document with id 'b.1'; " +
            "caused by illegal_state_exception: Can't get text on a START_OBJECT at 1:235",
        },
      ],
    });
    const [, retried] = bulkPairs(fake);
    assert.deepEqual(
      retried!.map((pair) => pair.action.index?._id),
      ['b.2'],
    );
    // Full jitter with random 0.5: half of the first ceiling, DEFAULT_BACKOFF's 100 ms.
    assert.deepEqual(delays, [50]);
  });

  it('signs every request with SigV4 for the es service, with a signature that checks out', async () => {
    // Prepare
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake);

    // Act
    await store.writeLogs([log()], { documentIds: ['b.0'] });

    // Assess
    const [request] = fake.requests;
    const authorization = String(request!.headers.authorization);
    const match =
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/es\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    assert.ok(match, authorization);
    assert.equal(match[1], String(request!.headers['x-amz-date']).slice(0, 8));
    for (const header of ['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'])
      assert.ok(match[2]!.split(';').includes(header), `${header} is signed`);
    assert.equal(request!.headers['x-amz-security-token'], TEST_CREDENTIALS.sessionToken);
    assert.equal(
      request!.headers['x-amz-content-sha256'],
      createHash('sha256').update(request!.body).digest('hex'),
    );
    assert.equal(match[3], expectedSignature(request!, TEST_CREDENTIALS.secretAccessKey));
  });

  it('sends the whole request again after a 503, and succeeds', async () => {
    let call = 0;
    fake = await FakeOpenSearch.start((request) =>
      ++call <= 2
        ? {
            status: 503,
            body: { error: { type: 'cluster_block_exception', reason: 'blocked' }, status: 503 },
          }
        : acceptEverything(request),
    );
    const { store, delays } = storeFor(fake);
    const outcome = await store.writeLogs([log(), log()], { documentIds: ['b.0', 'b.1'] });
    assert.deepEqual(outcome, { written: 2, rejected: [] });
    assert.deepEqual(delays, [50, 100]);
  });

  it('gives up on items still throttled after the last attempt, saying what was written and what was not', async () => {
    // Prepare: the second of three logs is throttled on every attempt; the third fails to map.
    fake = await FakeOpenSearch.start((request) => {
      const pairs = parseBulk(request.body);
      return {
        status: 200,
        body: bulkResponse(
          pairs.map((pair) =>
            pair.action.index?._id === 'b.1'
              ? failedItem(pair, 429, { type: 'rejected_execution_exception', reason: 'queue full' })
              : pair.action.index?._id === 'b.2'
                ? failedItem(pair, 400, { type: 'mapper_parsing_exception', reason: 'bad level' })
                : createdItem(pair),
          ),
        ),
      };
    });
    const { store } = storeFor(fake);

    // Act
    const error = await store.writeLogs([log(), log(), log()], { documentIds: ['b.0', 'b.1', 'b.2'] }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    assert.ok(error instanceof IncompleteWriteError);
    assert.deepEqual(error.outcome, {
      written: 1,
      rejected: [{ index: 2, reason: 'mapper_parsing_exception: bad level' }],
      unwritten: [1],
    });
    assert.match(error.message, /did not take 1 of 3 logs: 429 rejected_execution_exception: queue full/);
    // DEFAULT_BACKOFF: four attempts in all.
    assert.equal(fake.requests.length, 4);
  });

  it('reports every record unwritten when OpenSearch cannot be reached', async () => {
    // Prepare: a port that was free a moment ago, so the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const delays: number[] = [];
    const store = new OpenSearchEventStore({
      client: `http://127.0.0.1:${port}`,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
    });

    // Act
    const error = await store
      .writeSpans([span('a1', LAST_MS_OF_MARCH_10), span('a2', LAST_MS_OF_MARCH_10)])
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    // Assess
    assert.ok(error instanceof IncompleteWriteError);
    assert.deepEqual(error.outcome, { written: 0, rejected: [], unwritten: [0, 1] });
    assert.match(error.message, /ConnectionError/);
    assert.deepEqual(delays, [50, 100, 200]);
  });

  it('refuses a record whose time cannot choose an index, and sends the others', async () => {
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake);
    const outcome = await store.writePredictionEvents([prediction({ timestamp: Number.NaN }), prediction()]);
    assert.deepEqual(outcome, {
      written: 1,
      rejected: [{ index: 0, reason: 'timestamp must be a finite number of epoch ms, got NaN' }],
    });
    assert.equal(bulkPairs(fake).flat().length, 1);
  });

  it('splits a write into bulk requests of at most maxBulkBytes, in order', async () => {
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake, { maxBulkBytes: 1500 });
    const ids = Array.from({ length: 6 }, (_, i) => `b.${i}`);
    const outcome = await store.writeLogs(
      ids.map(() => log()),
      { documentIds: ids },
    );
    assert.equal(outcome.written, 6);
    const requests = fake.requests.filter((r) => r.path === '/_bulk');
    assert.ok(requests.length > 1);
    for (const request of requests) assert.ok(Buffer.byteLength(request.body) <= 1500);
    assert.deepEqual(
      bulkPairs(fake)
        .flat()
        .map((pair) => pair.action.index?._id),
      ids,
    );
  });
});

/** A search response as OpenSearch shapes it (Search API reference, response body fields). */
function searchResponse(
  hits: unknown[],
  total: { value: number; relation: 'eq' | 'gte' },
  aggregations?: unknown,
) {
  return {
    took: 5,
    timed_out: false,
    _shards: { total: 2, successful: 2, skipped: 0, failed: 0 },
    hits: { total, max_score: null, hits },
    ...(aggregations ? { aggregations } : {}),
  };
}

function logHit(record: LogRecord, logId: string) {
  return {
    _index: 'vigil-logs-2026.03.10',
    _id: logId,
    _score: null,
    _source: { ...record, logId },
    sort: [record.timestamp, logId],
  };
}

describe('OpenSearchEventStore searches', () => {
  it('searches logs with a bool query, newest first, and pages with search_after', async () => {
    // Prepare: three hits for a page of two, so a next page follows.
    const hits = [
      logHit(log({ timestamp: LAST_MS_OF_MARCH_10 }), 'c'),
      logHit(log({ timestamp: LAST_MS_OF_MARCH_10 - 5 }), 'b'),
      logHit(log({ timestamp: LAST_MS_OF_MARCH_10 - 9 }), 'a'),
    ];
    fake = await FakeOpenSearch.start(() => ({
      status: 200,
      body: searchResponse(hits, { value: 10_000, relation: 'gte' }),
    }));
    const { store } = storeFor(fake);
    const search = {
      text: 'payment declined',
      levels: ['error', 'critical'] as const,
      model: 'fraud',
      service: 'checkout',
      traceId: TRACE_ID,
      from: Date.UTC(2026, 2, 10, 23),
      to: FIRST_MS_OF_MARCH_11,
      limit: 2,
    };

    // Act
    const page = await store.searchLogs({ ...search, levels: [...search.levels] });
    const next = await store.searchLogs({ ...search, levels: [...search.levels], cursor: page.nextCursor! });

    // Assess
    const [first, second] = fake.requests;
    assert.equal(first!.path, '/vigil-logs-2026.03.10/_search');
    assert.equal(first!.query.get('ignore_unavailable'), 'true');
    assert.equal(first!.query.get('allow_no_indices'), 'true');
    assert.deepEqual(JSON.parse(first!.body), {
      size: 3,
      track_total_hits: 10_000,
      query: {
        bool: {
          must: [{ match: { message: { query: 'payment declined', operator: 'and' } } }],
          filter: [
            {
              range: {
                timestamp: {
                  gte: Date.UTC(2026, 2, 10, 23),
                  lt: FIRST_MS_OF_MARCH_11,
                  format: 'epoch_millis',
                },
              },
            },
            { terms: { level: ['error', 'critical'] } },
            { term: { model: 'fraud' } },
            { term: { service: 'checkout' } },
            { term: { traceId: TRACE_ID } },
          ],
        },
      },
      sort: [{ timestamp: { order: 'desc' } }, { logId: { order: 'desc' } }],
      _source: { excludes: ['attributePairs'] },
    });
    assert.deepEqual(
      page.logs,
      [hits[0]!._source, hits[1]!._source].map(({ logId: _, ...record }) => record),
    );
    assert.equal(page.total, 10_000);
    assert.equal(page.totalIsExact, false);
    assert.deepEqual(decodeSearchCursor(page.nextCursor!), {
      timestamp: LAST_MS_OF_MARCH_10 - 5,
      logId: 'b',
    });
    assert.deepEqual(JSON.parse(second!.body).search_after, [LAST_MS_OF_MARCH_10 - 5, 'b']);
    assert.equal(next.logs.length, 2);
  });

  it('answers the last page without a cursor, with an exact total', async () => {
    fake = await FakeOpenSearch.start(() => ({
      status: 200,
      body: searchResponse([logHit(log(), 'a')], { value: 1, relation: 'eq' }),
    }));
    const { store } = storeFor(fake);
    const page = await store.searchLogs({ from: 0, to: FIRST_MS_OF_MARCH_11, limit: 10 });
    assert.equal(page.nextCursor, undefined);
    assert.equal(page.total, 1);
    assert.equal(page.totalIsExact, true);
    // Over more than a month, the search names the index pattern rather than every day.
    assert.equal(fake.requests[0]!.path, '/vigil-logs-*/_search');
    assert.equal(JSON.parse(fake.requests[0]!.body).query.bool.must, undefined);
  });

  it('refuses a cursor it did not make before asking OpenSearch', async () => {
    fake = await FakeOpenSearch.start(acceptEverything);
    const { store } = storeFor(fake);
    await assert.rejects(
      store.searchLogs({ from: 0, to: 1, limit: 1, cursor: 'not a cursor' }),
      (error: Error) => error.name === 'ValidationError',
    );
    assert.equal(fake.requests.length, 0);
  });

  it('finds every span of a trace across the daily indices', async () => {
    // Prepare
    const stored = [span('a1', LAST_MS_OF_MARCH_10), span('a2', FIRST_MS_OF_MARCH_11)];
    fake = await FakeOpenSearch.start(() => ({
      status: 200,
      body: searchResponse(
        stored.map((record) => ({
          _index: 'vigil-spans-2026.03.10',
          _id: `${record.traceId}-${record.spanId}`,
          _score: null,
          _source: { timestamp: Math.floor(record.startTime), ...record },
          sort: [record.startTime, record.spanId],
        })),
        { value: 2, relation: 'eq' },
      ),
    }));
    const { store } = storeFor(fake);

    // Act
    const spans = await store.getTraceSpans(TRACE_ID);

    // Assess
    assert.equal(fake.requests[0]!.path, '/vigil-spans-*/_search');
    assert.deepEqual(JSON.parse(fake.requests[0]!.body), {
      size: 10_000,
      query: { bool: { filter: [{ term: { traceId: TRACE_ID } }] } },
      sort: [{ startTime: { order: 'asc' } }, { spanId: { order: 'asc' } }],
      _source: { excludes: ['attributePairs'] },
    });
    assert.deepEqual(spans, stored);
  });

  it('groups error patterns with a terms aggregation and reads its buckets', async () => {
    // Prepare: buckets shaped as OpenSearch's terms, min, max and top_hits aggregations answer.
    const from = Date.UTC(2026, 2, 10, 22);
    const to = Date.UTC(2026, 2, 10, 23);
    fake = await FakeOpenSearch.start(() => ({
      status: 200,
      body: searchResponse(
        [],
        { value: 0, relation: 'eq' },
        {
          patterns: {
            doc_count_error_upper_bound: 0,
            sum_other_doc_count: 0,
            buckets: [
              {
                key: 'f-1',
                doc_count: 7,
                firstSeen: { value: from + 1000, value_as_string: String(from + 1000) },
                lastSeen: { value: from + 9000, value_as_string: String(from + 9000) },
                services: {
                  doc_count_error_upper_bound: 0,
                  sum_other_doc_count: 0,
                  buckets: [
                    { key: 'payments', doc_count: 5 },
                    { key: 'checkout', doc_count: 2 },
                  ],
                },
                models: {
                  doc_count_error_upper_bound: 0,
                  sum_other_doc_count: 0,
                  buckets: [{ key: 'fraud', doc_count: 7 }],
                },
                latest: {
                  hits: {
                    total: { value: 7, relation: 'eq' },
                    max_score: null,
                    hits: [
                      {
                        _index: 'vigil-logs-2026.03.10',
                        _id: 'x',
                        _score: null,
                        _source: {
                          message: 'payment declined for order 42',
                          pattern: { template: 'payment declined for order <num>' },
                        },
                        sort: [from + 9000],
                      },
                    ],
                  },
                },
              },
            ],
          },
        },
      ),
    }));
    const { store } = storeFor(fake);

    // Act
    const patterns = await store.errorPatterns({ from, to, service: 'payments', limit: 20 });

    // Assess
    const body = JSON.parse(fake.requests[0]!.body);
    assert.equal(fake.requests[0]!.path, '/vigil-logs-2026.03.10/_search');
    assert.equal(body.size, 0);
    assert.deepEqual(body.query.bool.filter, [
      { range: { timestamp: { gte: from, lt: to, format: 'epoch_millis' } } },
      { terms: { level: ['error', 'critical'] } },
      { exists: { field: 'pattern.fingerprint' } },
      { term: { service: 'payments' } },
    ]);
    assert.deepEqual(body.aggs.patterns.terms, {
      field: 'pattern.fingerprint',
      size: 20,
      order: [{ _count: 'desc' }, { lastSeen: 'desc' }],
    });
    assert.deepEqual(body.aggs.patterns.aggs.latest.top_hits.size, 1);
    assert.deepEqual(patterns, [
      {
        fingerprint: 'f-1',
        template: 'payment declined for order <num>',
        count: 7,
        firstSeen: from + 1000,
        lastSeen: from + 9000,
        services: ['checkout', 'payments'],
        models: ['fraud'],
        example: 'payment declined for order 42',
      },
    ]);
  });

  it('turns a search that keeps failing transiently into UnavailableError', async () => {
    fake = await FakeOpenSearch.start(() => ({
      status: 503,
      body: { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' }, status: 503 },
    }));
    const { store, delays } = storeFor(fake);
    await assert.rejects(store.getTraceSpans(TRACE_ID), UnavailableError);
    assert.equal(fake.requests.length, 4);
    assert.deepEqual(delays, [50, 100, 200]);
  });

  it('passes a search OpenSearch refuses as a bad request straight through', async () => {
    fake = await FakeOpenSearch.start(() => ({
      status: 400,
      body: { error: { type: 'parsing_exception', reason: 'unknown query' }, status: 400 },
    }));
    const { store } = storeFor(fake);
    await assert.rejects(store.getTraceSpans(TRACE_ID), (error: Error) => error.name === 'ResponseError');
    assert.equal(fake.requests.length, 1);
  });
});

describe('OpenSearchEventStore.healthCheck', () => {
  it('resolves when every shard counts the logs, and rejects when one cannot', async () => {
    let failed = 0;
    fake = await FakeOpenSearch.start(() => ({
      status: 200,
      body: { count: 12, _shards: { total: 2, successful: 2 - failed, skipped: 0, failed } },
    }));
    const { store } = storeFor(fake);
    await store.healthCheck();
    assert.equal(fake.requests[0]!.path, '/vigil-logs-*/_count');
    failed = 1;
    await assert.rejects(store.healthCheck(), /counted logs on 1 of 2 shards/);
  });
});
