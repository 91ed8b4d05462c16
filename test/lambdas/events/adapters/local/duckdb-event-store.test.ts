import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEventStore } from '../../../../../lambdas/events/adapters/local/duckdb-event-store.js';
import {
  LOG_LEVELS,
  type LogLevel,
  type LogRecord,
  type PredictionEventRecord,
  type SpanRecord,
} from '../../../../../lambdas/events/core/records.js';
import type {
  ErrorPattern,
  LogSearch,
  PatternSearch,
} from '../../../../../lambdas/events/ports/event-store.js';
import { IN_MEMORY } from '../../../../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { ValidationError } from '../../../../../lambdas/shared/validation-error.js';
import { seededRandom } from '../../../../support/random.js';

const repositoryRoot = new URL('../../../../../', import.meta.url).pathname;
const HOUR = Date.UTC(2025, 0, 15, 10);
const MINUTE = 60_000;
const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
/** A range holding every log the tests write. */
const ALL_TIME = { from: HOUR - 24 * 60 * MINUTE, to: HOUR + 24 * 60 * MINUTE };

/** A log with defaults for what a test does not care about; messages identify logs in assertions. */
function log(fields: Partial<LogRecord> & Pick<LogRecord, 'timestamp' | 'message'>): LogRecord {
  return { level: 'info', attributes: {}, ...fields };
}

function span(fields: Partial<SpanRecord> & Pick<SpanRecord, 'spanId' | 'startTime'>): SpanRecord {
  const endTime = fields.endTime ?? fields.startTime + 10;
  return {
    traceId: TRACE_A,
    name: `operation ${fields.spanId}`,
    kind: 'internal',
    endTime,
    durationMs: endTime - fields.startTime,
    status: 'unset',
    attributes: {},
    events: [],
    ...fields,
  };
}

/** Every page of a search, followed through its cursors. */
async function searchEveryPage(store: DuckDbEventStore, search: LogSearch) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await store.searchLogs({ ...search, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length <= 1000);
  return pages;
}

function messages(logs: readonly LogRecord[]): string[] {
  return logs.map((entry) => entry.message).sort();
}

function assertNewestFirst(logs: readonly LogRecord[]): void {
  for (let index = 1; index < logs.length; index++) {
    assert.ok(
      logs[index - 1]!.timestamp >= logs[index]!.timestamp,
      `log ${index} (${logs[index]!.timestamp}) is newer than log ${index - 1} (${logs[index - 1]!.timestamp})`,
    );
  }
}

/** Error patterns computed straight from the records, as the port documents them. */
function expectedPatterns(logs: readonly LogRecord[], search: PatternSearch): ErrorPattern[] {
  const groups = new Map<string, LogRecord[]>();
  for (const entry of logs) {
    const isError = entry.level === 'error' || entry.level === 'critical';
    const inRange = entry.timestamp >= search.from && entry.timestamp < search.to;
    const matches =
      (search.service === undefined || entry.service === search.service) &&
      (search.model === undefined || entry.model === search.model);
    if (!isError || !inRange || !matches || !entry.pattern) continue;
    groups.set(entry.pattern.fingerprint, [...(groups.get(entry.pattern.fingerprint) ?? []), entry]);
  }
  const distinct = (values: ReadonlyArray<string | undefined>) =>
    [...new Set(values.filter((value): value is string => value !== undefined))].sort();
  return [...groups.entries()]
    .map(([fingerprint, group]) => {
      const latest = group.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
      return {
        fingerprint,
        template: latest.pattern!.template,
        count: group.length,
        firstSeen: Math.min(...group.map((entry) => entry.timestamp)),
        lastSeen: latest.timestamp,
        services: distinct(group.map((entry) => entry.service)),
        models: distinct(group.map((entry) => entry.model)),
        example: latest.message,
      };
    })
    .sort(
      (a, b) =>
        b.count - a.count ||
        b.lastSeen - a.lastSeen ||
        (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0),
    )
    .slice(0, search.limit);
}

/** Seeded logs over two hours: every level, three models and services (or none), two traces (or none). */
function variedLogs(count: number): LogRecord[] {
  const random = seededRandom(11);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const service = pick(['api', 'worker', 'scorer', undefined]);
    const model = pick(['fraud', 'churn', 'fraud-v2', undefined]);
    const traceId = pick([TRACE_A, TRACE_B, undefined]);
    return log({
      timestamp: HOUR + Math.floor(random() * 120) * MINUTE,
      level: pick(LOG_LEVELS),
      message: `log ${index}`,
      ...(service === undefined ? {} : { service }),
      ...(model === undefined ? {} : { model }),
      ...(traceId === undefined ? {} : { traceId }),
    });
  });
}

describe('DuckDbEventStore', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-events-duckdb-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads back logs as written, with every optional field or none', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const full = log({
      timestamp: HOUR + 1234.567_891,
      level: 'error',
      message: 'payment 4711 failed: card declined',
      service: 'checkout',
      model: 'fraud',
      traceId: TRACE_A,
      spanId: '00f067aa0ba902b7',
      attributes: { 'http.status_code': 502, retried: true, region: 'eu-west-1', ratio: 0.25, empty: '' },
      pattern: { fingerprint: 'a1b2c3', template: 'payment <num> failed: card declined' },
    });
    const bare = log({ timestamp: HOUR, message: 'started' });

    // Act
    const outcome = await store.writeLogs([full, bare]);
    const page = await store.searchLogs({ ...ALL_TIME, limit: 10 });
    await store.close();

    // Assess
    assert.deepEqual(outcome, { written: 2, rejected: [] });
    assert.deepEqual(page, { logs: [full, bare], total: 2, totalIsExact: true });
  });

  it('reads back a trace as its spans by start time, and no other trace', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const root = span({
      spanId: 'a000000000000001',
      startTime: HOUR + 0.125,
      endTime: HOUR + 250.5,
      kind: 'server',
      status: 'error',
      statusMessage: 'upstream timed out',
      service: 'gateway',
      model: 'fraud',
      attributes: { 'http.route': '/score', 'http.status_code': 504 },
      events: [
        {
          timestamp: HOUR + 200,
          name: 'exception',
          attributes: { 'exception.type': 'Timeout', fatal: false },
        },
        { timestamp: HOUR + 201, name: 'retry', attributes: {} },
      ],
    });
    const child = span({
      spanId: 'a000000000000002',
      parentSpanId: root.spanId,
      startTime: HOUR + 3,
      kind: 'client',
    });
    const grandchild = span({ spanId: 'a000000000000003', parentSpanId: child.spanId, startTime: HOUR + 2 });
    const otherTrace = span({ traceId: TRACE_B, spanId: 'b000000000000001', startTime: HOUR + 1 });

    // Act
    const outcome = await store.writeSpans([child, otherTrace, grandchild, root]);
    const traceA = await store.getTraceSpans(TRACE_A);
    const unknown = await store.getTraceSpans('ffffffffffffffffffffffffffffffff');
    await store.close();

    // Assess
    assert.deepEqual(outcome, { written: 4, rejected: [] });
    assert.deepEqual(traceA, [root, grandchild, child]);
    assert.deepEqual(unknown, []);
  });

  it('keeps a span once when its write is replayed or repeats it', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const first = span({ spanId: 'c000000000000001', startTime: HOUR });
    const second = span({ spanId: 'c000000000000002', startTime: HOUR + 1 });
    const sameIdOtherTrace = span({ traceId: TRACE_B, spanId: first.spanId, startTime: HOUR + 2 });
    await store.writeSpans([first]);

    const replay = await store.writeSpans([first, second, second]);
    const otherTrace = await store.writeSpans([sameIdOtherTrace]);
    const traceA = await store.getTraceSpans(TRACE_A);
    const traceB = await store.getTraceSpans(TRACE_B);
    await store.close();

    assert.deepEqual([replay.written, otherTrace.written], [3, 1]);
    assert.deepEqual(traceA, [first, second]);
    assert.deepEqual(traceB, [sameIdOtherTrace]);
  });

  it('reads back raw prediction events as written', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const full: PredictionEventRecord = {
      timestamp: HOUR + 5,
      id: 'pred-1',
      model: 'fraud',
      modelVersion: '3',
      status: 'error',
      errorType: 'timeout',
      latencyMs: 812.5,
      confidence: 0.91,
      prediction: '{"label":"fraud","score":0.91}',
      inputTokens: 120,
      outputTokens: 8,
      costUsd: 0.000_42,
      attributes: { customer: '[REDACTED]', tier: 2, beta: false },
    };
    const bare: PredictionEventRecord = {
      timestamp: HOUR,
      model: 'churn',
      status: 'ok',
      latencyMs: 3,
      attributes: {},
    };
    const outOfRange: PredictionEventRecord = { ...bare, timestamp: HOUR + 60 * MINUTE };

    // Act
    const outcome = await store.writePredictionEvents([full, bare, outOfRange]);
    const read = await store.readPredictionEvents(HOUR, HOUR + 60 * MINUTE);
    await store.close();

    // Assess
    assert.deepEqual(outcome, { written: 3, rejected: [] });
    assert.deepEqual(read, [bare, full]);
  });

  it('rejects records it cannot store, by position and with a reason, and keeps the rest', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const goodLog = log({ timestamp: HOUR, message: 'kept' });
    const logs = [
      log({ timestamp: Number.NaN, message: 'no time' }),
      goodLog,
      log({ timestamp: HOUR, message: 'bad level', level: 'fatal' as LogLevel }),
      log({ timestamp: HOUR, message: 'bad attribute', attributes: { ratio: Number.POSITIVE_INFINITY } }),
      log({ timestamp: HOUR, message: 42 as unknown as string }),
    ];
    const goodSpan = span({ spanId: 'd000000000000001', startTime: HOUR });
    const spans = [
      goodSpan,
      span({ spanId: 'd000000000000002', startTime: HOUR, endTime: Number.POSITIVE_INFINITY }),
      span({ spanId: '', startTime: HOUR }),
      span({ spanId: 'd000000000000003', startTime: HOUR, kind: 'weird' as SpanRecord['kind'] }),
      span({
        spanId: 'd000000000000004',
        startTime: HOUR,
        events: [{ timestamp: Number.NaN, name: 'oops', attributes: {} }],
      }),
    ];
    const goodEvent: PredictionEventRecord = {
      timestamp: HOUR,
      model: 'fraud',
      status: 'ok',
      latencyMs: 5,
      attributes: {},
    };
    const events = [
      { ...goodEvent, latencyMs: Number.NaN },
      goodEvent,
      { ...goodEvent, confidence: Number.NaN },
    ];

    // Act
    const logOutcome = await store.writeLogs(logs);
    const spanOutcome = await store.writeSpans(spans);
    const eventOutcome = await store.writePredictionEvents(events);
    const storedLogs = await store.searchLogs({ ...ALL_TIME, limit: 10 });
    const storedSpans = await store.getTraceSpans(TRACE_A);
    const storedEvents = await store.readPredictionEvents(ALL_TIME.from, ALL_TIME.to);
    await store.close();

    // Assess
    assert.deepEqual(logOutcome, {
      written: 1,
      rejected: [
        { index: 0, reason: 'timestamp must be a finite number, got NaN' },
        { index: 2, reason: 'level must be one of trace, debug, info, warn, error, critical, got "fatal"' },
        { index: 3, reason: 'attributes.ratio must be a string, a finite number or a boolean, got Infinity' },
        { index: 4, reason: 'message must be a string, got 42' },
      ],
    });
    assert.deepEqual(spanOutcome, {
      written: 1,
      rejected: [
        { index: 1, reason: 'endTime must be a finite number, got Infinity' },
        { index: 2, reason: 'spanId must not be empty' },
        {
          index: 3,
          reason:
            'kind must be one of unspecified, internal, server, client, producer, consumer, got "weird"',
        },
        { index: 4, reason: 'events[0].timestamp must be a finite number, got NaN' },
      ],
    });
    assert.deepEqual(eventOutcome, {
      written: 1,
      rejected: [
        { index: 0, reason: 'latencyMs must be a finite number, got NaN' },
        { index: 2, reason: 'confidence must be a finite number, got NaN' },
      ],
    });
    assert.deepEqual(storedLogs.logs, [goodLog]);
    assert.deepEqual(storedSpans, [goodSpan]);
    assert.deepEqual(storedEvents, [goodEvent]);
  });

  it('filters by level, model, service, trace and time range, alone and together', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const logs = variedLogs(400);
    await store.writeLogs(logs);
    const searches: ReadonlyArray<[string, LogSearch, (entry: LogRecord) => boolean]> = [
      ['everything', { ...ALL_TIME, limit: 1000 }, () => true],
      ['errors', { ...ALL_TIME, limit: 1000, levels: ['error'] }, (e) => e.level === 'error'],
      [
        'warn and above',
        { ...ALL_TIME, limit: 1000, levels: ['warn', 'error', 'critical'] },
        (e) => ['warn', 'error', 'critical'].includes(e.level),
      ],
      ['no level', { ...ALL_TIME, limit: 1000, levels: [] }, () => false],
      ['model fraud, not fraud-v2', { ...ALL_TIME, limit: 1000, model: 'fraud' }, (e) => e.model === 'fraud'],
      ['service worker', { ...ALL_TIME, limit: 1000, service: 'worker' }, (e) => e.service === 'worker'],
      ['trace A', { ...ALL_TIME, limit: 1000, traceId: TRACE_A }, (e) => e.traceId === TRACE_A],
      [
        'the first half hour',
        { from: HOUR, to: HOUR + 30 * MINUTE, limit: 1000 },
        (e) => e.timestamp >= HOUR && e.timestamp < HOUR + 30 * MINUTE,
      ],
      [
        'everything together',
        {
          from: HOUR + 10 * MINUTE,
          to: HOUR + 100 * MINUTE,
          limit: 1000,
          levels: ['info', 'error'],
          model: 'churn',
          service: 'api',
          traceId: TRACE_B,
        },
        (e) =>
          e.timestamp >= HOUR + 10 * MINUTE &&
          e.timestamp < HOUR + 100 * MINUTE &&
          ['info', 'error'].includes(e.level) &&
          e.model === 'churn' &&
          e.service === 'api' &&
          e.traceId === TRACE_B,
      ],
    ];

    for (const [name, search, matches] of searches) {
      // Act
      const page = await store.searchLogs(search);

      // Assess
      const expected = logs.filter(matches);
      assert.deepEqual(messages(page.logs), messages(expected), name);
      assert.equal(page.total, expected.length, name);
      assertNewestFirst(page.logs);
    }
    await store.close();
  });

  it('matches every word of the text in any case, and %, _, quotes and backslashes literally', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const texts = [
      'Upstream TIMEOUT after 30s',
      'timeout in upstream',
      'timeout',
      'disk 100% full',
      'disk 100 full',
      'rate 1005 per second',
      'column user_id is null',
      'column userXid is null',
      "can't connect",
      'cant connect',
      'said "hello" twice',
      'said hello twice',
      'path C:\\temp\\new',
      'path C:tempnew',
      'ÜBER-fehler im Straßennetz',
    ];
    const logs = texts.map((message, index) => log({ timestamp: HOUR + index, message }));
    await store.writeLogs(logs);
    const queries = [
      'timeout',
      'upstream timeout',
      'TIMEOUT   Upstream',
      'timeout missing',
      '%',
      '100%',
      '_',
      'user_id',
      "can't",
      "'",
      '"hello"',
      '"',
      '\\temp',
      'über-FEHLER straßennetz',
    ];

    for (const text of queries) {
      // Act
      const page = await store.searchLogs({ ...ALL_TIME, limit: 100, text });

      // Assess: an independent reading of "every word appears, ignoring case"
      const words = text.split(/\s+/).filter(Boolean);
      const expected = texts.filter((message) =>
        words.every((word) => message.toLowerCase().includes(word.toLowerCase())),
      );
      assert.deepEqual(messages(page.logs), [...expected].sort(), `text ${JSON.stringify(text)}`);
      assert.ok(expected.length > 0 || text === 'timeout missing', `query ${text} should match something`);
    }
    await store.close();
  });

  it('pages through 250 logs, many sharing a timestamp, returning each exactly once, newest first', async () => {
    // Prepare: 250 logs on 30 timestamps, so pages end in the middle of runs of equal timestamps.
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const logs = Array.from({ length: 250 }, (_, index) =>
      log({ timestamp: HOUR + (index % 30) * 1000, message: `log ${index}` }),
    );
    for (let start = 0; start < logs.length; start += 70)
      await store.writeLogs(logs.slice(start, start + 70));

    // Act
    const pages = await searchEveryPage(store, { ...ALL_TIME, limit: 100 });

    // Assess
    assert.deepEqual(
      pages.map((page) => page.logs.length),
      [100, 100, 50],
    );
    assert.deepEqual(
      pages.map((page) => [page.total, page.totalIsExact, page.nextCursor === undefined]),
      [
        [250, true, false],
        [250, true, false],
        [250, true, true],
      ],
    );
    const paged = pages.flatMap((page) => page.logs);
    assert.deepEqual(messages(paged), messages(logs));
    assertNewestFirst(paged);
    // The pages together are the same list, in the same order, as one big page.
    const onePage = await store.searchLogs({ ...ALL_TIME, limit: 1000 });
    assert.deepEqual(paged, onePage.logs);
    await store.close();
  });

  it('pages exactly when the page size divides the matches, and with filters', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const logs = variedLogs(300);
    await store.writeLogs(logs);
    const errors = logs.filter((entry) => entry.level === 'error');

    const exact = await searchEveryPage(store, { ...ALL_TIME, limit: errors.length, levels: ['error'] });
    const small = await searchEveryPage(store, { ...ALL_TIME, limit: 7, levels: ['error'] });
    await store.close();

    assert.equal(exact.length, 1);
    assert.equal(exact[0]?.nextCursor, undefined);
    assert.equal(small.length, Math.ceil(errors.length / 7));
    const paged = small.flatMap((page) => page.logs);
    assert.deepEqual(messages(paged), messages(errors));
    assertNewestFirst(paged);
  });

  it('keeps later pages in place when newer logs arrive between pages', async () => {
    // Prepare
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const logs = Array.from({ length: 30 }, (_, index) =>
      log({ timestamp: HOUR + index, message: `log ${index}` }),
    );
    await store.writeLogs(logs);
    const first = await store.searchLogs({ ...ALL_TIME, limit: 10 });

    // Act
    await store.writeLogs([log({ timestamp: HOUR + 1000, message: 'late arrival' })]);
    const second = await store.searchLogs({ ...ALL_TIME, limit: 10, cursor: first.nextCursor! });
    await store.close();

    // Assess: the second page continues where the first ended; only the total sees the newcomer.
    assert.deepEqual(
      second.logs.map((entry) => entry.message),
      Array.from({ length: 10 }, (_, index) => `log ${19 - index}`),
    );
    assert.equal(second.total, 31);
  });

  it('searches [from, to): from inclusive, to exclusive, to the fraction of a millisecond', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const from = HOUR;
    const to = HOUR + 60 * MINUTE;
    const offsets: ReadonlyArray<[number, string]> = [
      [from - 1, 'before'],
      [from - 0.001, 'just before'],
      [from, 'at from'],
      [from + 0.5, 'just after from'],
      [to - 0.001, 'just before to'],
      [to, 'at to'],
      [to + 1, 'after'],
    ];
    await store.writeLogs(offsets.map(([timestamp, message]) => log({ timestamp, message })));

    const page = await store.searchLogs({ from, to, limit: 10 });
    const empty = await store.searchLogs({ from, to: from, limit: 10 });
    await store.close();

    assert.deepEqual(
      page.logs.map((entry) => [entry.timestamp, entry.message]),
      [
        [to - 0.001, 'just before to'],
        [from + 0.5, 'just after from'],
        [from, 'at from'],
      ],
    );
    assert.deepEqual(empty, { logs: [], total: 0, totalIsExact: true });
  });

  it('treats quotes and SQL-looking text in filters as data', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const odd = log({
      timestamp: HOUR,
      message: "x'); DROP TABLE logs; --",
      service: 'it\'s "quoted"',
      model: "$1' OR '1'='1",
    });
    const plain = log({ timestamp: HOUR + 1, message: 'plain', service: 'api', model: 'fraud' });
    await store.writeLogs([odd, plain]);

    const byService = await store.searchLogs({ ...ALL_TIME, limit: 10, service: odd.service! });
    const byModel = await store.searchLogs({ ...ALL_TIME, limit: 10, model: odd.model! });
    const byText = await store.searchLogs({ ...ALL_TIME, limit: 10, text: "'); DROP" });
    const injected = await store.searchLogs({ ...ALL_TIME, limit: 10, model: "' OR '1'='1" });
    const everything = await store.searchLogs({ ...ALL_TIME, limit: 10 });
    await store.close();

    assert.deepEqual(byService.logs, [odd]);
    assert.deepEqual(byModel.logs, [odd]);
    assert.deepEqual(byText.logs, [odd]);
    assert.deepEqual(injected.logs, []);
    assert.equal(everything.total, 2);
  });

  it('refuses a cursor it did not make and a limit below one, as validation errors', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);

    const badCursor = store.searchLogs({ ...ALL_TIME, limit: 10, cursor: 'not-a-cursor' });
    const zeroLimit = store.searchLogs({ ...ALL_TIME, limit: 0 });
    const fractionalPatternLimit = store.errorPatterns({ ...ALL_TIME, limit: 2.5 });

    await assert.rejects(
      badCursor,
      (error) => error instanceof ValidationError && /^cursor must be/.test(error.message),
    );
    await assert.rejects(
      zeroLimit,
      (error) => error instanceof ValidationError && /^limit must be/.test(error.message),
    );
    await assert.rejects(fractionalPatternLimit, ValidationError);
    await store.close();
  });

  it('groups error and critical logs by fingerprint, as an independent count of the same logs does', async () => {
    // Prepare: seeded logs of five patterns at every level, some without a service or model, some with no
    // pattern, some outside the range; unique timestamps, so the latest example is well defined.
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const random = seededRandom(5);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const templates = [
      'timeout after <num> ms calling <url>',
      'user <email> not found',
      'null pointer in <id>',
      'quota exceeded for <id>',
      'connection refused',
    ];
    const used = new Set<number>();
    const logs = Array.from({ length: 600 }, (_, index) => {
      let timestamp: number;
      do timestamp = HOUR - 30 * MINUTE + Math.floor(random() * 180 * MINUTE);
      while (used.has(timestamp));
      used.add(timestamp);
      const patternIndex = Math.floor(random() ** 2 * templates.length);
      const service = pick(['api', 'worker', undefined]);
      const model = pick(['fraud', 'churn', undefined]);
      const patterned = random() < 0.9;
      return log({
        timestamp,
        level: pick(['info', 'warn', 'error', 'error', 'critical'] as const),
        message: `${templates[patternIndex]} #${index}`,
        ...(service === undefined ? {} : { service }),
        ...(model === undefined ? {} : { model }),
        ...(patterned
          ? { pattern: { fingerprint: `fp-${patternIndex}`, template: templates[patternIndex]! } }
          : {}),
      });
    });
    await store.writeLogs(logs);
    const searches: PatternSearch[] = [
      { from: HOUR, to: HOUR + 60 * MINUTE, limit: 50 },
      { from: HOUR, to: HOUR + 60 * MINUTE, limit: 2 },
      { from: HOUR, to: HOUR + 60 * MINUTE, limit: 50, service: 'api' },
      { from: HOUR, to: HOUR + 60 * MINUTE, limit: 50, model: 'churn' },
      { from: HOUR, to: HOUR + 60 * MINUTE, limit: 50, service: 'worker', model: 'fraud' },
      { ...ALL_TIME, limit: 50 },
      { from: HOUR + 500 * MINUTE, to: HOUR + 600 * MINUTE, limit: 50 },
    ];

    for (const search of searches) {
      // Act
      const patterns = await store.errorPatterns(search);

      // Assess
      assert.deepEqual(patterns, expectedPatterns(logs, search), JSON.stringify(search));
    }
    const all = await store.errorPatterns({ ...ALL_TIME, limit: 50 });
    await store.close();
    assert.equal(all.length, templates.length, 'every pattern has error logs');
    assert.ok(
      all.some((pattern) => pattern.services.length === 2 && pattern.models.length === 2),
      'the data exercises distinct services and models',
    );
  });

  it('keeps logs, spans and events in its file across close and reopen, and releases the file', async () => {
    // Prepare
    const path = join(dataDir, 'nested', 'events.duckdb');
    const logs = variedLogs(50);
    const spans = [
      span({ spanId: 'e000000000000001', startTime: HOUR }),
      span({ spanId: 'e000000000000002', startTime: HOUR + 1 }),
    ];
    const event: PredictionEventRecord = {
      timestamp: HOUR,
      model: 'fraud',
      status: 'ok',
      latencyMs: 12,
      attributes: {},
    };
    const first = await DuckDbEventStore.open(path);
    await first.writeLogs(logs);
    await first.writeSpans(spans);
    await first.writePredictionEvents([event]);

    // Act
    await first.close();
    // DuckDB locks the file per process, so only another process can tell whether close released it.
    const otherProcess = spawnSync(
      process.execPath,
      [
        '-e',
        `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(path)})
          .then((db) => db.connect())
          .then((c) => c.runAndReadAll(
            'SELECT (SELECT count(*) FROM logs)::INTEGER, (SELECT count(*) FROM spans)::INTEGER'))
          .then((r) => console.log(r.getRows()[0].join(' ')))`,
      ],
      { cwd: repositoryRoot, encoding: 'utf8' },
    );
    const reopened = await DuckDbEventStore.open(path);
    const page = await reopened.searchLogs({ ...ALL_TIME, limit: 1000 });
    const trace = await reopened.getTraceSpans(TRACE_A);
    const events = await reopened.readPredictionEvents(ALL_TIME.from, ALL_TIME.to);
    await reopened.close();

    // Assess
    assert.equal(otherProcess.stderr, '');
    assert.equal(otherProcess.stdout.trim(), `${logs.length} ${spans.length}`);
    assert.deepEqual(messages(page.logs), messages(logs));
    assert.deepEqual(trace, spans);
    assert.deepEqual(events, [event]);
  });

  it('serialises concurrent writes and reads, so none is lost to an open transaction', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);
    const batches = Array.from({ length: 20 }, (_, batch) =>
      Array.from({ length: 5 }, (_, index) =>
        log({ timestamp: HOUR + batch, message: `batch ${batch} log ${index}` }),
      ),
    );

    const outcomes = await Promise.all([
      ...batches.map((batch) => store.writeLogs(batch)),
      store.searchLogs({ ...ALL_TIME, limit: 1 }),
    ]);
    const page = await store.searchLogs({ ...ALL_TIME, limit: 1000 });
    await store.close();

    assert.deepEqual(
      outcomes.slice(0, batches.length).map((outcome) => ('written' in outcome ? outcome.written : -1)),
      batches.map((batch) => batch.length),
    );
    assert.deepEqual(messages(page.logs), messages(batches.flat()));
  });

  it('answers its health check while open and refuses work once closed', async () => {
    const store = await DuckDbEventStore.open(IN_MEMORY);

    await store.healthCheck();
    await store.close();
    await store.close();

    await assert.rejects(store.healthCheck(), /the DuckDB event store at :memory: is closed/);
    await assert.rejects(store.writeLogs([log({ timestamp: HOUR, message: 'late' })]), /is closed/);
    await assert.rejects(store.searchLogs({ ...ALL_TIME, limit: 1 }), /is closed/);
  });
});
