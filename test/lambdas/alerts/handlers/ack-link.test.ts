import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDynamoDbAlertRepositories } from '../../../../lambdas/alerts/adapters/aws/alert-repositories.js';
import { ackLinkUrl } from '../../../../lambdas/alerts/core/ack-links.js';
import type { AlertingContext } from '../../../../lambdas/alerts/core/alerting.js';
import { type Incident, resolveIncident } from '../../../../lambdas/alerts/core/incident.js';
import type { IncidentEvent } from '../../../../lambdas/alerts/core/pipeline.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../../../lambdas/alerts/core/pipeline-config.js';
import { createAckLinkHandler } from '../../../../lambdas/alerts/handlers/ack-link.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';
import { apiGatewayEvent, lambdaContext } from '../../../support/api-gateway-events.js';
import { openedIncident } from '../../escalation/fixtures.js';

const KEY = 'a'.repeat(64);
const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const HOUR = 3_600_000;

describe('the acknowledge-link handler', () => {
  let state: DynaliteStateStore;
  let context: AlertingContext;
  let clock = T0;
  let told: IncidentEvent[];
  let incident: Incident;

  before(async () => {
    state = await startDynaliteStateStore();
  });
  after(() => state.close());
  beforeEach(async () => {
    clock = T0;
    told = [];
    const repositories = createDynamoDbAlertRepositories({
      client: state.documentClient,
      tableName: state.tableName,
      now: () => clock,
    });
    context = {
      repositories,
      sink: { send: async () => undefined },
      pipeline: DEFAULT_PIPELINE_CONFIG,
      rules: [],
      knownModels: [],
      metricReader: { query: async () => [] } as unknown as AlertingContext['metricReader'],
      now: () => clock,
      newId: () => 'id',
      onIncidentEvents: async (events) => void told.push(...events),
    };
    incident = openedIncident(`model-${Math.random().toString(36).slice(2)}`, T0);
    assert.equal(await repositories.incidents.put(incident), true);
  });

  const handler = () => createAckLinkHandler(() => ({ alerting: context, key: async () => KEY }));
  const request = (method: 'GET' | 'POST', link: string, body?: string) => {
    const url = new URL(link);
    const event = apiGatewayEvent({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(body === undefined ? {} : { rawBody: body }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    // API Gateway fills the path parameters of the `/ack/{id}` route.
    event.pathParameters = { id: decodeURIComponent(url.pathname.split('/').at(-1)!) };
    return handler()(event, lambdaContext()).then((result) => ({ ...result, body: String(result.body) }));
  };

  it('changes nothing on GET, so link previews cannot acknowledge', async () => {
    // Prepare
    const link = ackLinkUrl('https://api.example.com', incident.id, { key: KEY }, T0);

    // Act
    const shown = await request('GET', link);

    // Assess
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Acknowledge this incident\?/);
    assert.equal(shown.headers?.['cache-control'], 'no-store');
    assert.equal((await context.repositories.incidents.get(incident.id))?.status, 'open');
    assert.deepEqual(told, []);
  });

  it('acknowledges on POST as the name given, without its control characters, and tells the escalation', async () => {
    // Prepare
    const link = ackLinkUrl('https://api.example.com', incident.id, { key: KEY }, T0);

    // Act
    const pressed = await request('POST', link, new URLSearchParams({ by: 'dana\r\nadmin' }).toString());

    // Assess
    assert.equal(pressed.statusCode, 200);
    const stored = await context.repositories.incidents.get(incident.id);
    assert.equal(stored?.acknowledgedBy, 'danaadmin via link');
    assert.deepEqual(
      told.map((event) => event.event.type),
      ['acknowledged'],
    );
  });

  it('answers 410 for an expired link and 409 for an incident resolved meanwhile, escaping what it shows', async () => {
    // Prepare
    const link = ackLinkUrl('https://api.example.com', incident.id, { key: KEY, ttlMs: HOUR }, T0);
    await context.repositories.incidents.put(
      resolveIncident({ ...incident, title: '<script>x</script>' }, 'bob', T0 + 1),
    );

    // Act
    const resolved = await request('POST', link, 'by=erin');
    clock = T0 + HOUR;
    const expired = await request('POST', link, 'by=erin');

    // Assess
    assert.equal(resolved.statusCode, 409);
    assert.ok(!resolved.body.includes('<script>'), 'the title is escaped');
    assert.match(resolved.body, /&#60;script&#62;/);
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /expired at 2026-03-10T15:00:00\.000Z/);
  });
});
