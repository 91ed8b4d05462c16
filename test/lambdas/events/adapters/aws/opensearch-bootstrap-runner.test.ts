import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type BootstrapPlan,
  EVENTS_READER_ROLE,
  EVENTS_WRITER_ROLE,
  vigilSecurityRoles,
} from '../../../../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import {
  applyBootstrapPlan,
  type BootstrapRetryOptions,
  signedOpenSearchHttp,
} from '../../../../../lambdas/events/adapters/aws/opensearch-bootstrap-runner.js';
import {
  domainIndexTemplates,
  ismPolicies,
  serverlessIndexTemplates,
} from '../../../../../lambdas/events/adapters/aws/opensearch-schema.js';

const WRITER_ARN = 'arn:aws:iam::123456789012:role/Vigil-dev-Ingest-LogsRole';
const READER_ARN = 'arn:aws:iam::123456789012:role/Vigil-dev-Ingest-LogSearchRole';
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' });
// Retries without waiting: the delays asked for are recorded instead.
const noWait = (delays: number[] = []): BootstrapRetryOptions => ({
  sleep: async (ms) => {
    delays.push(ms);
  },
  random: () => 0.5,
});

interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
}

/**
 * A stand-in for the parts of an OpenSearch domain the bootstrap uses, on 127.0.0.1, following the API
 * references: index templates replace on PUT; an ISM policy PUT over an existing policy is a 409 unless it
 * quotes the current `if_seq_no` and `if_primary_term`; a role mapping must name an existing role. `failNext`
 * answers the next requests with given statuses first.
 */
async function startFakeOpenSearch() {
  const received: ReceivedRequest[] = [];
  const templates = new Map<string, unknown>();
  const policies = new Map<string, { seqNo: number; primaryTerm: number; policy: unknown }>();
  const roles = new Map<string, unknown>();
  const mappings = new Map<string, unknown>();
  const changedPolicies: Array<{ indices: string; body: unknown }> = [];
  const failNext: number[] = [];
  let seqNo = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        rawBody,
      });
      const body = rawBody ? JSON.parse(rawBody) : undefined;
      const answer = (status: number, payload: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));

      const forcedStatus = failNext.shift();
      if (forcedStatus !== undefined)
        return answer(forcedStatus, { error: { type: 'forced' }, status: forcedStatus });

      const [, api, ...rest] = url.pathname.split('/').map(decodeURIComponent);
      const name = rest.at(-1)!;
      if (api === '_index_template' && request.method === 'PUT') {
        templates.set(name, body);
        return answer(200, { acknowledged: true });
      }
      if (api === '_plugins' && rest[0] === '_ism' && rest[1] === 'policies') {
        const existing = policies.get(name);
        if (request.method === 'GET') {
          if (!existing) return answer(404, { error: { reason: 'Policy not found' }, status: 404 });
          return answer(200, {
            _id: name,
            _seq_no: existing.seqNo,
            _primary_term: existing.primaryTerm,
            policy: existing.policy,
          });
        }
        const quoted = url.searchParams.get('if_seq_no');
        const quotedTerm = url.searchParams.get('if_primary_term');
        if (
          existing &&
          (Number(quoted) !== existing.seqNo ||
            Number(quotedTerm) !== existing.primaryTerm ||
            quoted === null)
        ) {
          return answer(409, { error: { type: 'version_conflict_engine_exception' }, status: 409 });
        }
        seqNo += 1;
        policies.set(name, { seqNo, primaryTerm: 1, policy: body.policy });
        return answer(existing ? 200 : 201, { _id: name, _seq_no: seqNo, _primary_term: 1 });
      }
      if (api === '_plugins' && rest[0] === '_ism' && rest[1] === 'change_policy') {
        changedPolicies.push({ indices: name, body });
        return answer(200, { updated_indices: 0, failures: false, failed_indices: [] });
      }
      if (api === '_plugins' && rest[0] === '_security' && rest[2] === 'roles') {
        roles.set(name, body);
        return answer(200, { status: 'OK' });
      }
      if (api === '_plugins' && rest[0] === '_security' && rest[2] === 'rolesmapping') {
        if (!roles.has(name))
          return answer(404, { status: 'NOT_FOUND', message: `role '${name}' not found` });
        mappings.set(name, body);
        return answer(200, { status: 'OK' });
      }
      return answer(400, { error: { type: 'unexpected request', path: url.pathname } });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    templates,
    policies,
    roles,
    mappings,
    changedPolicies,
    failNext,
    reset() {
      for (const state of [templates, policies, roles, mappings]) state.clear();
      received.length = 0;
      changedPolicies.length = 0;
      failNext.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('applyBootstrapPlan against a loopback OpenSearch', () => {
  let store: Awaited<ReturnType<typeof startFakeOpenSearch>>;
  before(async () => {
    store = await startFakeOpenSearch();
  });
  after(() => store.close());

  const domainPlan = (overrides: Partial<BootstrapPlan> = {}): BootstrapPlan => ({
    endpoint: store.endpoint,
    signingService: 'es',
    indexTemplates: domainIndexTemplates({ replicas: 1 }),
    ismPolicies: ismPolicies({ operationalRetentionDays: 90, auditRetentionDays: 365 }),
    securityRoles: vigilSecurityRoles(),
    roleMappings: { [EVENTS_WRITER_ROLE]: [WRITER_ARN], [EVENTS_READER_ROLE]: [READER_ARN] },
    ...overrides,
  });
  const http = () =>
    signedOpenSearchHttp({
      endpoint: store.endpoint,
      signingService: 'es',
      region: 'eu-west-1',
      credentials,
    });

  it('sets up templates, ISM policies, roles and mappings on an empty domain', async () => {
    store.reset();
    const plan = domainPlan();

    const outcome = await applyBootstrapPlan(plan, http(), noWait());

    assert.deepEqual(outcome, {
      indexTemplates: 4,
      ismPoliciesCreated: 2,
      ismPoliciesUpdated: 0,
      securityRoles: 2,
      roleMappings: 2,
    });
    assert.deepEqual(
      Object.fromEntries(store.templates),
      Object.fromEntries(plan.indexTemplates.map(({ name, body }) => [name, body])),
    );
    assert.deepEqual(
      Object.fromEntries([...store.policies].map(([id, { policy }]) => [id, policy])),
      Object.fromEntries(plan.ismPolicies.map(({ id, body }) => [id, body.policy])),
    );
    assert.deepEqual(store.mappings.get(EVENTS_WRITER_ROLE), {
      backend_roles: [WRITER_ARN],
      hosts: [],
      users: [],
    });
    assert.deepEqual(store.mappings.get(EVENTS_READER_ROLE), {
      backend_roles: [READER_ARN],
      hosts: [],
      users: [],
    });
  });

  it('sends templates before anything else, and each role before its mapping', async () => {
    store.reset();

    await applyBootstrapPlan(domainPlan(), http(), noWait());

    const order = store.received.map(({ method, path }) => `${method} ${path}`);
    const lastTemplate = order.findLastIndex((line) => line.startsWith('PUT /_index_template/'));
    const firstOther = order.findIndex((line) => !line.startsWith('PUT /_index_template/'));
    assert.ok(lastTemplate < firstOther, order.join('\n'));
    for (const role of [EVENTS_WRITER_ROLE, EVENTS_READER_ROLE]) {
      assert.ok(
        order.indexOf(`PUT /_plugins/_security/api/roles/${role}`) <
          order.indexOf(`PUT /_plugins/_security/api/rolesmapping/${role}`),
        role,
      );
    }
  });

  it('runs again over its own result without a conflict, updating ISM policies at their current version', async () => {
    store.reset();
    await applyBootstrapPlan(domainPlan(), http(), noWait());
    const changed = domainPlan({
      ismPolicies: ismPolicies({ operationalRetentionDays: 30, auditRetentionDays: 400 }),
    });

    const outcome = await applyBootstrapPlan(changed, http(), noWait());

    assert.equal(outcome.ismPoliciesCreated, 0);
    assert.equal(outcome.ismPoliciesUpdated, 2);
    const operational = store.policies.get('vigil-operational-retention')!.policy as {
      states: Array<{ transitions: Array<{ conditions: { min_index_age: string } }> }>;
    };
    assert.equal(operational.states[0]!.transitions[0]!.conditions.min_index_age, '30d');
    assert.deepEqual(
      store.changedPolicies.map(({ indices }) => indices),
      ['vigil-logs-*,vigil-spans-*,vigil-predictions-*', 'vigil-audit-*'],
      'indices created under the old version move to the new one',
    );
  });

  it('signs every request with SigV4 for the es service and region, over the body it sends', async () => {
    store.reset();

    await applyBootstrapPlan(domainPlan(), http(), noWait());

    assert.ok(store.received.length > 0);
    for (const { method, path, headers, rawBody } of store.received) {
      assert.match(
        String(headers.authorization),
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date/,
        `${method} ${path}`,
      );
      assert.equal(headers['x-amz-content-sha256'], createHash('sha256').update(rawBody).digest('hex'));
    }
  });

  it('maps nobody, but still defines the roles, when no function holds one', async () => {
    store.reset();

    await applyBootstrapPlan(domainPlan({ roleMappings: { [EVENTS_READER_ROLE]: [] } }), http(), noWait());

    assert.deepEqual(store.mappings.get(EVENTS_READER_ROLE), { backend_roles: [], hosts: [], users: [] });
    assert.equal(store.roles.size, 2);
  });

  it('puts only the index templates on a Serverless collection', async () => {
    store.reset();
    const plan: BootstrapPlan = {
      endpoint: store.endpoint,
      signingService: 'aoss',
      indexTemplates: serverlessIndexTemplates(),
      ismPolicies: [],
      securityRoles: [],
      roleMappings: {},
    };

    await applyBootstrapPlan(plan, http(), noWait());

    assert.deepEqual(
      store.received.map(({ method, path }) => `${method} ${path}`),
      ['vigil-logs', 'vigil-spans', 'vigil-predictions', 'vigil-audit'].map(
        (name) => `PUT /_index_template/${name}`,
      ),
    );
  });

  it('retries throttling and server errors with growing delays, then succeeds', async () => {
    store.reset();
    store.failNext.push(503, 429);
    const delays: number[] = [];

    await applyBootstrapPlan(domainPlan(), http(), noWait(delays));

    assert.equal(store.templates.size, 4);
    // Full jitter at 0.5 of ceilings 2 s and 4 s (BOOTSTRAP_BACKOFF doubles from 2 s).
    assert.deepEqual(delays, [1_000, 2_000]);
  });

  it('fails at once, quoting OpenSearch, on a client error', async () => {
    store.reset();
    store.failNext.push(400);
    const delays: number[] = [];

    await assert.rejects(applyBootstrapPlan(domainPlan(), http(), noWait(delays)), {
      message: 'PUT /_index_template/vigil-logs answered 400: {"error":{"type":"forced"},"status":400}',
    });
    assert.deepEqual(delays, []);
  });

  it('gives up after the last attempt', async () => {
    store.reset();
    store.failNext.push(503, 503, 503);

    await assert.rejects(
      applyBootstrapPlan(domainPlan(), http(), {
        ...noWait(),
        backoff: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
      }),
      /PUT \/_index_template\/vigil-logs answered 503/,
    );
  });

  it('waits out a 403 on Serverless, where a new data access policy takes a moment, but not on a domain', async () => {
    const serverless: BootstrapPlan = {
      ...domainPlan(),
      signingService: 'aoss',
      ismPolicies: [],
      securityRoles: [],
      roleMappings: {},
    };
    store.reset();
    store.failNext.push(403);

    await applyBootstrapPlan(serverless, http(), noWait());
    assert.equal(store.templates.size, 4);

    store.reset();
    store.failNext.push(403);
    await assert.rejects(applyBootstrapPlan(domainPlan(), http(), noWait()), /answered 403/);
  });

  it('retries a store that does not answer at all', async () => {
    const closed = await startFakeOpenSearch();
    await closed.close();
    const delays: number[] = [];
    const unreachable = signedOpenSearchHttp({
      endpoint: closed.endpoint,
      signingService: 'es',
      region: 'eu-west-1',
      credentials,
    });

    await assert.rejects(
      applyBootstrapPlan(domainPlan(), unreachable, {
        ...noWait(delays),
        backoff: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      }),
      /PUT \/_index_template\/vigil-logs failed: /,
    );
    assert.equal(delays.length, 1);
  });
});
