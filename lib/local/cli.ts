import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { importPrometheusRuleFile } from '../../lambdas/alerts/core/prometheus-rules.js';
import { DynamoDbTokenRepository } from '../../lambdas/auth/adapters/aws/dynamodb-token-repository.js';
import { parseScopes, SCOPES } from '../../lambdas/auth/core/scopes.js';
import { generateToken, hashToken } from '../../lambdas/auth/core/tokens.js';
import { parseDuration } from '../../lambdas/shared/time.js';
import { backtestOutputLines, ndjsonLines, runSloBacktest } from '../../lambdas/slos/core/backtest.js';
import { readSloFile } from '../../lambdas/slos/core/slo-file.js';
import { type ApiAnswer, ApiCallError, apiClient } from './api-client.js';
import { DEMO_TIME_SCALE, runDemo } from './demo.js';
import { parseTimeScale } from './escalations.js';
import { DEFAULT_LOCAL_TOKEN, startLocalPlatform } from './platform.js';

const USAGE = `usage: vigil <command> [options]

commands:
  start [--port 8787] [--data-dir .vigil]   run the whole platform locally on 127.0.0.1
  demo [--port 8787] [--data-dir .vigil/demo] [--exit]
                                            start it with synthetic traffic for the example models and an
                                            error burst: an alert, an incident, tier 1 and tier 2 paged,
                                            acknowledged through the API, escalation stopped (VIGIL_TIME_SCALE
                                            defaults to 0.01 here); --exit stops once that is shown
  token create --table <state table> --principal <name> --scopes ingest,read,respond,admin [--expires-in 90d]
                                            mint a bearer token for a deployed environment (stored hashed;
                                            printed once). The table is the storage stack's StateTableName output.
  ack <incident id> [--by <name>] [--url <API base URL>]
  resolve <incident id> [--by <name>] [--url <API base URL>]
                                            acknowledge (stops its escalation) or resolve an incident through
                                            the API with VIGIL_TOKEN (a token with the respond scope); the URL
                                            defaults to VIGIL_URL, else the local platform
  rules import <prometheus rule file.yml>   translate Prometheus alerting rules into Vigil rules (JSON, for
                                            \`alerting.rules\` in the environment config), or say what cannot be
                                            imported and why
  backtest slo --slo <file> --input <file> [--step 60s]
                                            run SLOs (Vigil YAML/JSON or OpenSLO v1) over NDJSON history
                                            (prediction events or {"time","good","total"} buckets); prints
                                            one line per alert transition, then a summary line

environment:
  VIGIL_PORT, VIGIL_DATA_DIR, VIGIL_TOKEN    override the port, the data directory and the accepted token
  VIGIL_URL                                 the API ack and resolve call (a deployed environment's ApiUrl)
  VIGIL_TIME_SCALE                          multiply escalation waits and job intervals, above 0 and at most 1
                                            (0.001: a 5 minute tier waits 0.3 s)`;

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const platform = await startLocalPlatform({
    port: parsePort(values.port ?? process.env.VIGIL_PORT ?? '8787'),
    dataDir: values['data-dir'] ?? process.env.VIGIL_DATA_DIR ?? '.vigil',
    token: process.env.VIGIL_TOKEN || DEFAULT_LOCAL_TOKEN,
    jobs: true,
    escalations: true,
    timeScale: parseTimeScale(process.env.VIGIL_TIME_SCALE),
  });
  console.log(`Vigil is running at ${platform.url} (data in ${platform.dataDir})
  token:   ${platform.token}
  try:     curl -s -X POST ${platform.url}/api/v1/predictions -H 'authorization: Bearer ${platform.token}' \\
             -H 'content-type: application/json' -d '{"predictions":[{"model":"demo","latencyMs":42,"status":"ok"}]}'
           curl -s '${platform.url}/api/v1/query?metric=latency_ms&stat=p95&from=-1h' -H 'authorization: Bearer ${platform.token}'
           curl -s '${platform.url}/api/v1/incidents' -H 'authorization: Bearer ${platform.token}'
  alerts:  rules run every minute; notifications print here and go to ${platform.dataDir}/outbox.ndjson
  Ctrl-C stops it.`);
  stopOnSignals(() => platform.close());
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got "${text}"`);
  }
  return port;
}

/** Closes cleanly on Ctrl-C or SIGTERM, then exits. */
function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Vigil...`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('vigil: could not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, exit: { type: 'boolean' } },
    strict: true,
  });
  const running = await runDemo({
    port: parsePort(values.port ?? process.env.VIGIL_PORT ?? '8787'),
    dataDir: values['data-dir'] ?? join(process.env.VIGIL_DATA_DIR ?? '.vigil', 'demo'),
    token: process.env.VIGIL_TOKEN || DEFAULT_LOCAL_TOKEN,
    timeScale: parseTimeScale(process.env.VIGIL_TIME_SCALE ?? String(DEMO_TIME_SCALE)),
    out: process.stdout,
    keepRunning: !values.exit,
  });
  if (values.exit) return running.close();
  stopOnSignals(() => running.close());
}

/** `vigil ack|resolve <id>`: the incident change through the API, as a person's client makes it. */
async function changeIncident(change: 'ack' | 'resolve', args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { by: { type: 'string' }, url: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new Error(`${change} takes one incident id\n${USAGE}`);
  const id = positionals[0]!;
  const base = values.url ?? process.env.VIGIL_URL ?? `http://127.0.0.1:${process.env.VIGIL_PORT || '8787'}`;
  const token = process.env.VIGIL_TOKEN || DEFAULT_LOCAL_TOKEN;
  const path = `/api/v1/incidents/${encodeURIComponent(id)}/${change}`;
  let answer: ApiAnswer;
  try {
    answer = await apiClient(base, token).post(path, values.by ? { by: values.by } : {});
  } catch (error) {
    if (error instanceof ApiCallError) {
      const hint =
        error.status === 401 || error.status === 403
          ? ' (VIGIL_TOKEN must hold a token with the respond scope)'
          : '';
      throw new Error(`${change} ${id} answered ${error.status}${hint}: ${error.text.slice(0, 500)}`);
    }
    // fetch rejects with a TypeError when nothing answers at the URL.
    if (!(error instanceof TypeError)) throw error;
    throw new Error(
      `cannot reach ${base}${path} (${error instanceof Error ? error.message : String(error)}); is Vigil running there? Set --url or VIGIL_URL`,
    );
  }
  const incident = answer.body as { id: string; status: string; severity: string; title: string };
  const by =
    change === 'ack'
      ? (incident as { acknowledgedBy?: string }).acknowledgedBy
      : (incident as { resolvedBy?: string }).resolvedBy;
  console.log(
    `${incident.id} ${incident.status}${by ? ` by ${by}` : ''}: ${incident.severity} ${incident.title}`,
  );
}

async function importRules(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new Error(`rules import takes one rule file\n${USAGE}`);
  const file = positionals[0]!;
  const rules = importPrometheusRuleFile(await readFile(file, 'utf8'), file);
  console.log(JSON.stringify(rules, null, 2));
  console.error(`${rules.length} rule(s) imported from ${file}`);
}

async function backtestSlo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { slo: { type: 'string' }, input: { type: 'string' }, step: { type: 'string' } },
    strict: true,
  });
  if (!values.slo) throw new Error('--slo is required: a file of SLOs (Vigil YAML or JSON, or OpenSLO v1)');
  if (!values.input) throw new Error('--input is required: an NDJSON file of prediction events or buckets');
  const file = readSloFile(await readFile(values.slo, 'utf8'));
  for (const problem of file.problems) {
    console.error(
      `${values.slo}: document ${problem.document}, ${problem.path}: ${problem.severity}: ${problem.message}`,
    );
  }
  if (file.slos.length === 0) throw new Error(`${values.slo} defines no SLO that can be backtested`);
  const result = runSloBacktest(file.slos, ndjsonLines(await readFile(values.input, 'utf8')), {
    stepMs: values.step === undefined ? undefined : parseDuration(values.step, '--step'),
  });
  for (const error of result.errors) console.error(`${values.input}:${error.line}: ${error.message}`);
  process.stdout.write(`${backtestOutputLines(result).join('\n')}\n`);
}

async function createToken(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      table: { type: 'string' },
      principal: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in': { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
    },
    strict: true,
  });
  if (!values.table) throw new Error('--table is required: the StateTableName output of the storage stack');
  if (!values.principal)
    throw new Error('--principal is required: who or what will use the token, e.g. churn-service');
  if (!values.scopes) throw new Error(`--scopes is required: a comma-separated list of ${SCOPES.join(', ')}`);
  const scopes = parseScopes(values.scopes.split(',').map((scope) => scope.trim()));
  const now = Date.now();
  const token = generateToken();
  const client = new DynamoDBClient({
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  });
  try {
    await new DynamoDbTokenRepository(DynamoDBDocumentClient.from(client), values.table).save({
      tokenHash: hashToken(token),
      principal: values.principal,
      scopes,
      createdAt: new Date(now).toISOString(),
      ...(values['expires-in']
        ? { expiresAt: new Date(now + parseDuration(values['expires-in'], '--expires-in')).toISOString() }
        : {}),
    });
  } finally {
    client.destroy();
  }
  console.log(token);
  console.error(
    `token for "${values.principal}" with scopes ${scopes.join(', ')} stored hashed; it is not shown again.`,
  );
}

/** Runs the `vigil` command line. */
export async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return start(args);
    case 'demo':
      return demo(args);
    case 'ack':
    case 'resolve':
      return changeIncident(command, args);
    case 'token':
      if (args[0] === 'create') return createToken(args.slice(1));
      throw new Error(`unknown token command "${args[0] ?? ''}"; expected "token create"\n${USAGE}`);
    case 'backtest':
      if (args[0] === 'slo') return backtestSlo(args.slice(1));
      throw new Error(`unknown backtest "${args[0] ?? ''}"; expected "backtest slo"\n${USAGE}`);
    case 'rules':
      if (args[0] === 'import') return importRules(args.slice(1));
      throw new Error(`unknown rules command "${args[0] ?? ''}"; expected "rules import"\n${USAGE}`);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`vigil: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
