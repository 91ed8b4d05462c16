import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type LocalPlatform, startLocalPlatform } from '../../../lib/local/platform.js';
import { alertmanagerPayload } from '../../lambdas/alerts/core/fixtures/fixtures.js';
import { apiClient } from '../../support/http-client.js';

const CLI = new URL('../../../bin/vigil.mjs', import.meta.url).pathname;

describe('vigil start', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('serves on the port from VIGIL_PORT with the token from VIGIL_TOKEN, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'start', '--data-dir', dataDir], {
      env: { ...process.env, VIGIL_PORT: '0', VIGIL_TOKEN: 'cli-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) =>
        reject(new Error(`vigil exited with ${code} before it was ready:\n${output}`)),
      );
    });

    const authorized = await fetch(`${url}/api/v1/query?metric=predictions`, {
      headers: { authorization: 'Bearer cli-token' },
    });
    const refused = await fetch(`${url}/api/v1/query?metric=predictions`, {
      headers: { authorization: 'Bearer local-dev-token' },
    });
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');

    assert.equal(authorized.status, 200);
    assert.equal(refused.status, 401);
    assert.match(output, /token: {3}cli-token/);
    assert.equal(code, 0, output);
  });

  it('refuses an unknown command with the usage', async () => {
    const child = spawn(process.execPath, [CLI, 'launch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');

    assert.equal(code, 1);
    assert.match(stderr, /unknown command "launch"/);
    assert.match(stderr, /usage: vigil <command>/);
  });
});

describe('vigil token create', () => {
  it('stores the token hashed with its scopes, so the authorizer accepts it, and prints it once', async () => {
    const { startDynaliteStateStore } = await import('../../../lib/local/dynalite-state-store.js');
    const { DynamoDbTokenRepository } = await import(
      '../../../lambdas/auth/adapters/aws/dynamodb-token-repository.js'
    );
    const { hashToken } = await import('../../../lambdas/auth/core/tokens.js');
    const state = await startDynaliteStateStore();
    try {
      const startedAt = Date.now();
      const child = spawn(
        process.execPath,
        [
          CLI,
          'token',
          'create',
          '--table',
          state.tableName,
          '--principal',
          'churn-service',
          '--scopes',
          'ingest,read',
          '--expires-in',
          '30d',
          '--endpoint',
          state.endpoint,
          '--region',
          'us-east-1',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const [code] = await once(child, 'exit');

      assert.equal(code, 0, stderr);
      const token = stdout.trim();
      assert.match(token, /^vgl_/);
      const stored = await new DynamoDbTokenRepository(state.documentClient, state.tableName).findByHash(
        hashToken(token),
      );
      assert.deepEqual([stored?.principal, stored?.scopes], ['churn-service', ['ingest', 'read']]);
      // Thirty days from when the command ran, to the second the table's TTL keeps.
      const expiresAt = Date.parse(stored!.expiresAt!);
      const thirtyDays = 30 * 86_400_000;
      assert.ok(
        expiresAt >= startedAt + thirtyDays - 1000 && expiresAt <= Date.now() + thirtyDays + 1000,
        stored!.expiresAt,
      );
      assert.match(stderr, /not shown again/);
    } finally {
      await state.close();
    }
  });

  it('refuses unknown scopes before touching AWS', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'token', 'create', '--table', 't', '--principal', 'p', '--scopes', 'write'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');

    assert.equal(code, 1);
    assert.match(stderr, /unknown scope "write"; expected one of ingest, read, respond, admin/);
  });
});

/** Runs the CLI to its end, collecting what it printed. */
const run = async (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
};
describe('vigil rules import', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the Vigil rules of a Prometheus rule file as JSON', async () => {
    // Prepare: Prometheus' documentation example, on Vigil's metrics.
    const file = join(dir, 'rules.yml');
    await writeFile(
      file,
      [
        'groups:',
        '- name: example',
        '  rules:',
        '  - alert: HighRequestLatency',
        '    expr: avg_over_time(latency_ms{model="fraud"}[5m]) > 500',
        '    for: 10m',
        '    labels: { severity: page }',
      ].join('\n'),
    );

    // Act
    const { code, stdout, stderr } = await run(['rules', 'import', file]);

    // Assess
    assert.equal(code, 0, stderr);
    const rules = JSON.parse(stdout);
    assert.deepEqual(
      rules.map((rule: { name: string; metric: string; severity: string }) => [
        rule.name,
        rule.metric,
        rule.severity,
      ]),
      [['HighRequestLatency', 'latency_ms', 'critical']],
    );
    assert.match(stderr, /1 rule\(s\) imported/);
  });

  it('says which rule cannot be imported and why', async () => {
    // Prepare
    const file = join(dir, 'unsupported.yml');
    await writeFile(file, 'groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n');

    // Act
    const { code, stderr } = await run(['rules', 'import', file]);

    // Assess
    assert.equal(code, 1);
    assert.match(stderr, /group "g", alert "Down"/);
  });
});

describe('vigil backtest slo', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-backtest-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('pages a minute into a total outage at 99.9 %, and reports the lines it could not read', async () => {
    // Prepare: ten minutes of buckets, every event bad, and one line that is not JSON. At 99.9 % a 100 %
    // error rate burns 1000 times the budget rate: the Workbook's 1 h / 14.4 alert detects it after
    // (1 - 0.999) × 1 h × 14.4 = 51.84 s, so the first evaluation a minute in fires.
    const t0 = Date.UTC(2026, 2, 10, 12, 0, 0);
    const slo = join(dir, 'slo.yaml');
    const input = join(dir, 'history.ndjson');
    await writeFile(
      slo,
      'name: checkout-availability\nmodel: checkout\nsli:\n  kind: availability\nobjective: 0.999\n',
    );
    const lines = Array.from({ length: 10 }, (_, minute) =>
      JSON.stringify({ time: new Date(t0 + minute * 60_000).toISOString(), good: 0, total: 100 }),
    );
    lines.splice(3, 0, '{ not json');
    await writeFile(input, `${lines.join('\n')}\n`);

    // Act
    const { code, stdout, stderr } = await run([
      'backtest',
      'slo',
      '--slo',
      slo,
      '--input',
      input,
      '--step',
      '60s',
    ]);

    // Assess
    assert.equal(code, 0, stderr);
    const output = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const [first] = output;
    assert.deepEqual(
      {
        time: first.time,
        slo: first.slo,
        severity: first.severity,
        windows: [first.longWindow, first.shortWindow],
        state: first.state,
      },
      {
        time: new Date(t0 + 60_000).toISOString(),
        slo: 'checkout-availability',
        severity: 'critical',
        windows: ['1h', '5m'],
        state: 'firing',
      },
    );
    assert.equal(first.burnRate, 1 / (1 - 0.999));
    assert.ok(output.at(-1).summary, 'the last line is the summary');
    assert.match(stderr, /history\.ndjson:4: /);
  });
});

describe('vigil ack and vigil resolve', () => {
  let platform: LocalPlatform;
  let incidentId: string;
  before(async () => {
    platform = await startLocalPlatform({
      port: 0,
      dataDir: null,
      token: 'respond-token',
      console: new PassThrough(),
    });
    const api = apiClient(platform.url, platform.token);
    await api.post('/api/v1/alerts/alertmanager', alertmanagerPayload());
    incidentId = (await api.get('/api/v1/incidents')).body.incidents[0].id;
  });
  after(() => platform.close());

  /** Runs the CLI against the platform, with the platform's token unless told another. */
  const vigil = (args: string[], token = 'respond-token') =>
    run([...args, '--url', platform.url], { VIGIL_TOKEN: token });

  it('acknowledges, then resolves, an incident through the API, naming who did it', async () => {
    // Act
    const acked = await vigil(['ack', incidentId, '--by', 'alice']);
    const resolved = await vigil(['resolve', incidentId, '--by', 'bob']);

    // Assess
    assert.equal(acked.code, 0, acked.stderr);
    assert.match(acked.stdout, new RegExp(`^${incidentId} acknowledged by alice via local: critical `));
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, new RegExp(`^${incidentId} resolved by bob via local: `));
    const incident = await apiClient(platform.url, platform.token).get(`/api/v1/incidents/${incidentId}`);
    assert.deepEqual(
      incident.body.timeline
        .slice(-2)
        .map((event: { type: string; actor: string }) => [event.type, event.actor]),
      [
        ['acknowledged', 'alice via local'],
        ['resolved', 'bob via local'],
      ],
    );
  });

  it('says what went wrong: an unknown incident, a token the API refuses', async () => {
    const unknown = await vigil(['ack', 'inc-missing']);
    const refused = await vigil(['ack', incidentId], 'not-a-token');

    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /ack inc-missing answered 404/);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /answered 401 \(VIGIL_TOKEN must hold a token with the respond scope\)/);
  });
});
