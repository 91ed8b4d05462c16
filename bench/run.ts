/**
 * `npm run bench`: the figures DESIGN.md asks for, printed as tables (never a timed test).
 * - ingest throughput: predictions per second through the real handler (validation, rollup, DuckDB write),
 *   beside a bare JSON.parse of the same payload, the ceiling any JSON ingest path has;
 * - per Lambda: bundle size (esbuild, as the CDK construct bundles it) and module init time in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createDynamoDbAlertRepositories } from '../lambdas/alerts/adapters/aws/alert-repositories.js';
import { DEFAULT_PIPELINE_CONFIG } from '../lambdas/alerts/core/pipeline-config.js';
import { DuckDbEventStore } from '../lambdas/events/adapters/local/duckdb-event-store.js';
import { createRedactor } from '../lambdas/events/core/redaction.js';
import {
  createPredictionsHandler,
  type PredictionsRouteDependencies,
} from '../lambdas/ingest/handlers/predictions.js';
import { DuckDbMetricStore, IN_MEMORY } from '../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { RollupMetricReader } from '../lambdas/metrics/core/aggregate.js';
import { RollupAccumulator } from '../lambdas/metrics/core/rollup.js';
import type { MetricQuery, MetricReader, Series } from '../lambdas/metrics/ports/metric-store.js';
import { DynamoDbIdempotencyStore } from '../lambdas/shared/adapters/aws/dynamodb-idempotency-store.js';
import { DynamoDbSloStateRepository } from '../lambdas/slos/adapters/aws/dynamodb-slo-state-repository.js';
import { SLO_DIMENSION, SLO_GOOD_METRIC, SLO_TOTAL_METRIC } from '../lambdas/slos/core/sli-counts.js';
import { parseSlos } from '../lambdas/slos/core/slo.js';
import { runSloJob } from '../lambdas/slos/core/slos.js';
import { startDynaliteStateStore } from '../lib/local/dynalite-state-store.js';
import { apiGatewayEvent, lambdaContext } from '../test/support/api-gateway-events.js';
import { logNormalSamples, seededRandom } from '../test/support/random.js';

const root = new URL('..', import.meta.url).pathname;

/** Every Lambda entry point: the handler files under lambdas/ that export `handler`. */
function lambdaEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const context of readdirSync(join(root, 'lambdas'))) {
    const dir = join(root, 'lambdas', context, 'handlers');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .sort()) {
      if (/^export const handler\b/m.test(readFileSync(join(dir, file), 'utf8'))) {
        entries[`${context}/${file.replace(/\.ts$/, '')}`] = `lambdas/${context}/handlers/${file}`;
      }
    }
  }
  return entries;
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function predictionsPayload(count: number, now: number): string {
  const random = seededRandom(1);
  const latencies = logNormalSamples(random, count, Math.log(120), 0.6);
  return JSON.stringify({
    predictions: latencies.map((latencyMs, i) => ({
      id: `p-${i}`,
      model: `model-${i % 4}`,
      modelVersion: `v${i % 3}`,
      timestamp: now - Math.floor(random() * 300_000),
      latencyMs,
      status: random() < 0.02 ? 'error' : 'ok',
      ...(random() < 0.02 ? { errorType: 'timeout' } : {}),
      confidence: random(),
      inputTokens: Math.floor(random() * 500),
      outputTokens: Math.floor(random() * 200),
      costUsd: random() / 100,
      attributes: { region: 'eu-west-1', tenant: `t${i % 10}` },
    })),
  });
}

async function timeIt(rounds: number, run: () => unknown): Promise<number> {
  await run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await run();
  return (performance.now() - started) / rounds;
}

async function ingestThroughput(): Promise<void> {
  const now = Date.now();
  const store = await DuckDbMetricStore.open(IN_MEMORY);
  const events = await DuckDbEventStore.open(IN_MEMORY);
  const state = await startDynaliteStateStore();
  const dependencies: PredictionsRouteDependencies = {
    metricWriter: store,
    now: () => now,
    maxTimestampAgeMs: 86_400_000,
    idempotencyStore: new DynamoDbIdempotencyStore(state.documentClient, state.tableName),
    // The environments' default: one prediction in ten kept as a raw event.
    predictionEvents: { eventStore: events, redactor: createRedactor(), sampleRate: 0.1 },
  };
  const handler = createPredictionsHandler(() => dependencies);
  const rows: string[][] = [];
  // 3,000 predictions of this shape are about 0.8 MiB: near the 1 MiB body limit.
  for (const batch of [100, 1000, 3000]) {
    const body = predictionsPayload(batch, now);
    const event = apiGatewayEvent({ body: undefined, rawBody: body });
    const rounds = Math.max(5, Math.floor(20_000 / batch));
    const handlerMs = await timeIt(rounds, async () => {
      const result = await handler(structuredClone(event), lambdaContext());
      if (result.statusCode !== 200) throw new Error(`ingest failed: ${result.body}`);
    });
    const parseMs = await timeIt(rounds * 5, () => JSON.parse(body));
    rows.push([
      String(batch),
      `${(body.length / 1024).toFixed(0)} KiB`,
      fmt((batch / handlerMs) * 1000),
      fmt((batch / parseMs) * 1000),
      `${((parseMs / handlerMs) * 100).toFixed(1)} %`,
    ]);
  }
  await store.close();
  await events.close();
  await state.close();
  table(
    'Ingest throughput (POST /api/v1/predictions through the middy handler: validation, rollups, 10 % raw events; DuckDB in memory)',
    ['batch', 'body', 'predictions/s (handler)', 'predictions/s (JSON.parse only)', 'handler vs parse'],
    rows,
  );
}

async function lambdaFigures(): Promise<void> {
  // Inside the checkout, so the bundles' external AWS SDK imports resolve from its node_modules.
  const outDir = await mkdtemp(join(root, 'node_modules', '.vigil-bench-'));
  const rows: string[][] = [];
  try {
    for (const [name, entry] of Object.entries(lambdaEntries())) {
      const outfile = join(outDir, name.replace('/', '-'), 'index.mjs');
      await build({
        entryPoints: [join(root, entry)],
        outfile,
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        // The Lambda runtime ships the AWS SDK v3, so NodejsFunction leaves it out of the bundle.
        external: ['@aws-sdk/*'],
        banner: {
          js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        },
        logLevel: 'silent',
      });
      await writeFile(
        join(outDir, name.replace('/', '-'), 'vigil-config.json'),
        JSON.stringify({
          environment: 'bench',
          metricStore: 'timestream',
          maxTimestampAgeMs: 86_400_000,
          metricNamespace: 'Vigil/bench',
        }),
      );
      const { size } = await stat(outfile);
      // Init: a fresh node process imports the bundle, as a cold start does before the first event.
      const script = `const t=performance.now();await import(${JSON.stringify(outfile)});console.log(performance.now()-t)`;
      const samples = Array.from({ length: 5 }, () =>
        Number(
          execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
            .toString()
            .trim(),
        ),
      ).sort((a, b) => a - b);
      rows.push([name, `${(size / 1024).toFixed(1)} KiB`, `${samples[2]!.toFixed(1)} ms`]);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  table(
    'Lambda bundles (esbuild, ESM, minified, AWS SDK external) and module init in a fresh node process (median of 5)',
    ['function', 'bundle', 'init'],
    rows,
  );
}

const MINUTE_MS = 60_000;
const SLO_DAYS = 30;

/**
 * Minute buckets of one SLO's good and total counts over 30 days, answering sums by prefix sums; every SLO
 * of the bench shares them, so 1,000 SLOs need no 700 MB of buckets. It answers the SLO job's sum queries
 * (split by `slo`) as a metric store would, so the job's own work is what is timed.
 */
class SharedBucketReader implements MetricReader {
  queries = 0;
  private readonly prefix: Record<string, Float64Array>;

  constructor(
    private readonly start: number,
    private readonly names: readonly string[],
  ) {
    const minutes = SLO_DAYS * 1440;
    const random = seededRandom(7);
    const good = new Float64Array(minutes + 1);
    const total = new Float64Array(minutes + 1);
    for (let i = 0; i < minutes; i++) {
      const events = 50 + Math.floor(random() * 50);
      total[i + 1] = total[i]! + events;
      good[i + 1] = good[i]! + events - (random() < 0.01 ? 1 : 0);
    }
    this.prefix = { [SLO_GOOD_METRIC]: good, [SLO_TOTAL_METRIC]: total };
  }

  async query(query: MetricQuery): Promise<Series[]> {
    this.queries++;
    const sums = this.prefix[query.metric]!;
    const index = (at: number) =>
      Math.max(0, Math.min(sums.length - 1, Math.floor((at - this.start) / MINUTE_MS)));
    const sum = sums[index(query.to)]! - sums[index(query.from)]!;
    return this.names.map((name) => ({
      labels: { [SLO_DIMENSION]: name },
      points: [[query.from, sum]] as const,
    }));
  }
}

async function sloJobTimes(): Promise<void> {
  const at = Date.UTC(2026, 2, 31, 0, 0, 0);
  const start = at - SLO_DAYS * 86_400_000;
  const rows: string[][] = [];
  for (const count of [10, 100, 1000]) {
    const slos = parseSlos(
      Array.from({ length: count }, (_, i) => ({
        name: `slo-${i}`,
        model: `model-${i % 50}`,
        sli: i % 2 ? { kind: 'latency', thresholdMs: 500 } : { kind: 'availability' },
        objective: 0.99,
      })),
    );
    const reader = new SharedBucketReader(
      start,
      slos.map((slo) => slo.name),
    );
    const state = await startDynaliteStateStore();
    const repositories = createDynamoDbAlertRepositories({
      client: state.documentClient,
      tableName: state.tableName,
    });
    const alerting = {
      repositories,
      sink: { send: async () => {} },
      pipeline: DEFAULT_PIPELINE_CONFIG,
      rules: [],
      knownModels: [],
      metricReader: reader,
      now: () => at,
      newId: () => 'bench',
    };
    const context = {
      slos,
      metricReader: reader,
      states: new DynamoDbSloStateRepository({ client: state.documentClient, tableName: state.tableName }),
      now: () => at,
    };
    // Each run evaluates a new 5-minute slot, as the scheduled job does, so every state is read and written.
    let slot = 0;
    const ms = await timeIt(3, () => runSloJob(context, alerting, at + ++slot * 5 * MINUTE_MS));
    rows.push([
      String(count),
      fmt(ms),
      `${(reader.queries / 4).toFixed(0)}`,
      `${((ms * 1000) / count).toFixed(0)} µs`,
    ]);
    await state.close();
  }
  table(
    `SLO job (30 days of minute buckets per SLO; counts from prefix sums, states on dynalite; mean of 3 runs after a warm-up)`,
    ['SLOs', 'job ms', 'metric queries per run', 'per SLO'],
    rows,
  );
  await sloJobOnDuckDb(at);
}

/** The SLO job on the local platform's own store: 10 SLOs over 30 days of minute rollups in DuckDB. */
async function sloJobOnDuckDb(at: number): Promise<void> {
  const store = await DuckDbMetricStore.open(IN_MEMORY);
  const state = await startDynaliteStateStore();
  const slos = parseSlos(
    Array.from({ length: 10 }, (_, i) => ({
      name: `slo-${i}`,
      model: 'm',
      sli: { kind: 'availability' },
      objective: 0.999,
    })),
  );
  const accumulator = new RollupAccumulator();
  for (let minute = at - SLO_DAYS * 86_400_000; minute < at; minute += MINUTE_MS) {
    for (const slo of slos) {
      const dimensions = { [SLO_DIMENSION]: slo.name };
      accumulator.observe({ metric: SLO_TOTAL_METRIC, dimensions }, minute, 60);
      accumulator.observe({ metric: SLO_GOOD_METRIC, dimensions }, minute, 60);
    }
  }
  const rollups = accumulator.rollups();
  const loaded = performance.now();
  for (let i = 0; i < rollups.length; i += 50_000) await store.write(rollups.slice(i, i + 50_000));
  const loadMs = performance.now() - loaded;
  const reader = new RollupMetricReader(store);
  const context = {
    slos,
    metricReader: reader,
    states: new DynamoDbSloStateRepository({ client: state.documentClient, tableName: state.tableName }),
    now: () => at,
  };
  const alerting = {
    repositories: createDynamoDbAlertRepositories({
      client: state.documentClient,
      tableName: state.tableName,
    }),
    sink: { send: async () => {} },
    pipeline: DEFAULT_PIPELINE_CONFIG,
    rules: [],
    knownModels: [],
    metricReader: reader,
    now: () => at,
    newId: () => 'bench',
  };
  let slot = 0;
  const ms = await timeIt(3, () => runSloJob(context, alerting, at + ++slot * 5 * MINUTE_MS));
  await store.close();
  await state.close();
  table(
    'SLO job on DuckDB (the local store): 10 SLOs, 30 days of minute rollups',
    ['rollups', 'load', 'job ms'],
    [[fmt(rollups.length), `${fmt(loadMs)} ms`, fmt(ms)]],
  );
}

await ingestThroughput();
await sloJobTimes();
await lambdaFigures();
