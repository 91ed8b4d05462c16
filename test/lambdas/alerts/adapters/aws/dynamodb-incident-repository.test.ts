import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  DynamoDbIncidentRepository,
  INCIDENT_PARTITION,
} from '../../../../../lambdas/alerts/adapters/aws/dynamodb-incident-repository.js';
import {
  acknowledgeIncident,
  autoResolveIncidents,
  correlateFiring,
  correlateResolved,
  DEFAULT_CORRELATION,
  type Incident,
  resolveIncident,
} from '../../../../../lambdas/alerts/core/incident.js';
import {
  DAY,
  firstArrival,
  HOUR,
  MINUTE,
  ruleAlert,
  startTestStateTable,
  T0,
  TestClock,
  type TestStateTable,
  withoutUndefined,
} from './fixtures.js';

let table: TestStateTable;
let clock: TestClock;

function repository(
  options: { pageSize?: number; incidentRetentionMs?: number } = {},
): DynamoDbIncidentRepository {
  return new DynamoDbIncidentRepository({
    client: table.client,
    tableName: table.tableName,
    now: clock.now,
    ...options,
  });
}

/** The incident the pipeline opens when a firing alert about `model` first arrives at `at`. */
function openedIncident(model: string, at: number = T0): Incident {
  const [incident] = firstArrival(ruleAlert({ model, startsAt: at }), at).incidents;
  assert.ok(incident, 'the pipeline opens an incident for a new alert');
  return incident;
}

const ids = (incidents: Incident[]) => incidents.map((incident) => incident.id);

describe('DynamoDbIncidentRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('reads back an incident with its timeline', async () => {
    const repo = repository();
    const incident = openedIncident('fraud-detector');
    const acknowledged = acknowledgeIncident(incident, 'ana@example.com', T0 + 2 * MINUTE);

    await repo.put(incident);
    await repo.put(acknowledged);

    assert.deepEqual(await repo.get(incident.id), withoutUndefined(acknowledged));
    assert.equal(await repo.get('inc-0000000000000000'), undefined);
  });

  it('lets only one of an acknowledgement and a racing resolve win, the other reloads', async () => {
    const repo = repository();
    const incident = openedIncident('fraud-detector');
    await repo.put(incident);

    const acknowledged = await repo.put(acknowledgeIncident(incident, 'ana@example.com', T0 + MINUTE));
    const resolvedFromStale = await repo.put(resolveIncident(incident, 'bo@example.com', T0 + MINUTE));
    const reloaded = await repo.get(incident.id);
    const resolvedAfterReload = await repo.put(resolveIncident(reloaded!, 'bo@example.com', T0 + 2 * MINUTE));
    const createdAgain = await repo.put(incident);

    assert.deepEqual(
      [acknowledged, resolvedFromStale, resolvedAfterReload, createdAgain],
      [true, false, true, false],
    );
    const stored = await repo.get(incident.id);
    assert.equal(stored?.status, 'resolved');
    assert.equal(stored?.acknowledgedBy, 'ana@example.com');
    assert.equal(stored?.version, 3);
  });

  it('expires a resolved incident a retention after it resolved, and a reopened one not at all', async () => {
    const repo = repository();
    // The pipeline's course: the alert resolves, the quiet period passes, the alert fires again.
    const incident = openedIncident('fraud-detector');
    const member = incident.alerts[0]!;
    const quiet = correlateResolved([incident], member.fingerprint, T0 + 20 * MINUTE, DEFAULT_CORRELATION);
    const [resolvedChange] = autoResolveIncidents(
      [quiet!.incident],
      T0 + 30 * MINUTE + 1,
      DEFAULT_CORRELATION,
    );
    const resolved = { ...resolvedChange!.incident, version: 2 };
    const reopenedChange = correlateFiring([resolved], member, T0 + 35 * MINUTE, DEFAULT_CORRELATION);
    const reopened = { ...reopenedChange!.incident, version: 3 };

    await repo.put(incident);
    const [whileOpen] = await table.items(INCIDENT_PARTITION);
    await repo.put(resolved);
    const [whileResolved] = await table.items(INCIDENT_PARTITION);
    await repo.put(reopened);
    const [whileReopened] = await table.items(INCIDENT_PARTITION);

    assert.deepEqual([resolved.status, reopened.status], ['resolved', 'open']);
    assert.equal(whileOpen?.expiresAt, undefined);
    assert.deepEqual(
      [whileResolved?.status, whileResolved?.createdAt, whileResolved?.resolvedAt, whileResolved?.expiresAt],
      // 90 days after T0 + 30 min + 1 ms, rounded up to the next whole second.
      ['resolved', T0, T0 + 30 * MINUTE + 1, T0 / 1000 + 30 * 60 + 90 * 86_400 + 1],
    );
    assert.deepEqual(
      [whileReopened?.status, whileReopened?.resolvedAt, whileReopened?.expiresAt],
      ['open', undefined, undefined],
    );
    assert.deepEqual(await repo.get(incident.id), withoutUndefined(reopened));
  });

  it('treats a resolved incident past its retention as gone', async () => {
    const repo = repository({ incidentRetentionMs: HOUR });
    const incident = openedIncident('fraud-detector');
    const resolved = resolveIncident(incident, 'ana@example.com', T0 + MINUTE);
    await repo.put(incident);
    await repo.put(resolved);

    clock.at = T0 + MINUTE + HOUR - 1;
    const kept = [await repo.get(incident.id), await repo.list({}), await repo.listLive(T0)];
    clock.at = T0 + MINUTE + HOUR;
    const gone = [await repo.get(incident.id), await repo.list({}), await repo.listLive(T0)];

    assert.deepEqual(kept, [
      withoutUndefined(resolved),
      [withoutUndefined(resolved)],
      [withoutUndefined(resolved)],
    ]);
    assert.deepEqual(gone, [undefined, [], []]);
  });

  it('lists as live every incident not resolved and those resolved since the given time', async () => {
    const repo = repository({ pageSize: 2 });
    const open = openedIncident('a', T0);
    const acknowledged = acknowledgeIncident(openedIncident('b', T0), 'ana@example.com', T0 + MINUTE);
    const resolvedAtBoundary = resolveIncident(openedIncident('c', T0), 'ana@example.com', T0 + 10 * MINUTE);
    const resolvedBefore = resolveIncident(openedIncident('d', T0), 'ana@example.com', T0 + 10 * MINUTE - 1);
    const resolvedAfter = resolveIncident(openedIncident('e', T0), 'ana@example.com', T0 + 15 * MINUTE);
    for (const incident of [open, acknowledged, resolvedAtBoundary, resolvedBefore, resolvedAfter]) {
      assert.ok(await repo.put({ ...incident, version: 1 }));
    }

    const live = await repo.listLive(T0 + 10 * MINUTE);

    assert.deepEqual(ids(live).sort(), ids([open, acknowledged, resolvedAtBoundary, resolvedAfter]).sort());
  });

  it('lists newest first, filtered by status and by creation in [from, to), up to the limit', async () => {
    const repo = repository({ pageSize: 2 });
    // Created at T0 + 0, 1, ..., 5 hours; the odd ones resolved an hour later.
    const incidents = Array.from({ length: 6 }, (_, i) => {
      const incident = openedIncident(`model-${i}`, T0 + i * HOUR);
      return i % 2 === 1
        ? { ...resolveIncident(incident, 'ana@example.com', T0 + (i + 1) * HOUR), version: 1 }
        : incident;
    });
    for (const incident of incidents) assert.ok(await repo.put(incident));
    const createdAt = (listed: Incident[]) => listed.map((incident) => (incident.createdAt - T0) / HOUR);

    const all = await repo.list({});
    const resolved = await repo.list({ status: 'resolved' });
    const window = await repo.list({ from: T0 + HOUR, to: T0 + 4 * HOUR });
    const openInWindow = await repo.list({ status: 'open', from: T0 + HOUR, to: T0 + 5 * HOUR });
    const newestTwo = await repo.list({ limit: 2 });

    assert.deepEqual(createdAt(all), [5, 4, 3, 2, 1, 0]);
    assert.deepEqual(createdAt(resolved), [5, 3, 1]);
    assert.deepEqual(createdAt(window), [3, 2, 1]);
    assert.deepEqual(createdAt(openInWindow), [4, 2]);
    assert.deepEqual(createdAt(newestTwo), [5, 4]);
  });

  it('orders incidents created at the same time by id', async () => {
    const repo = repository();
    const incidents = ['x', 'y', 'z'].map((model) => openedIncident(model, T0));
    for (const incident of incidents) await repo.put(incident);

    const listed = await repo.list({ limit: 3 });

    assert.deepEqual(ids(listed), ids(incidents).sort());
  });

  it('keeps resolved incidents 90 days unless told otherwise', async () => {
    const repo = repository();
    const resolved = resolveIncident(openedIncident('fraud-detector'), 'ana@example.com', T0);
    await repo.put({ ...resolved, version: 1 });

    clock.at = T0 + 90 * DAY - 1;
    const kept = await repo.get(resolved.id);
    clock.at = T0 + 90 * DAY;
    const gone = await repo.get(resolved.id);

    assert.equal(kept?.id, resolved.id);
    assert.equal(gone, undefined);
  });

  it('refuses a negative retention', () => {
    assert.throws(
      () => repository({ incidentRetentionMs: -1 }),
      /incidentRetentionMs must be a duration of 0 ms or more, got -1/,
    );
  });
});
