import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createDynamoDbAlertRepositories } from '../../../../../lambdas/alerts/adapters/aws/alert-repositories.js';
import { resolveIncident } from '../../../../../lambdas/alerts/core/incident.js';
import { newSilence } from '../../../../../lambdas/alerts/core/silence.js';
import {
  firstArrival,
  HOUR,
  MINUTE,
  ruleAlert,
  startTestStateTable,
  T0,
  TestClock,
  type TestStateTable,
} from './fixtures.js';

let table: TestStateTable;
let clock: TestClock;

describe('createDynamoDbAlertRepositories', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(() => table.close());

  it('keeps every kind of record apart on the one state table', async () => {
    const repos = createDynamoDbAlertRepositories({
      client: table.client,
      tableName: table.tableName,
      now: clock.now,
    });
    const writes = firstArrival(ruleAlert());
    const [record] = writes.alerts;
    const [group] = writes.groups;
    const [incident] = writes.incidents;
    assert.ok(record && group && incident);
    // The same sort key in every partition: only the partition tells them apart.
    const key = record.fingerprint;
    const silence = newSilence(
      {
        matchers: [{ name: 'model', operator: '=', value: 'fraud-detector' }],
        endsAt: T0 + HOUR,
        createdBy: 'ana',
        comment: 'retraining',
      },
      { id: key, now: T0 },
    );

    const stored = [
      await repos.alerts.put(record),
      await repos.groups.put({ ...group, key }),
      await repos.fatigue.put({ rule: key, version: 1, sentAt: [T0], suppressed: [], omitted: 1 }),
      await repos.incidents.put({ ...incident, id: key }),
      await repos.silences.put(silence),
      await repos.ruleStates.put({ rule: key, version: 1, evaluatedAt: T0, alerts: [] }),
    ];
    await repos.stats.add(T0, { ...(await repos.stats.sum(T0, T0)), alertsReceived: 1 });

    assert.deepEqual(stored, [true, true, true, true, true, true]);
    assert.deepEqual(
      (await repos.alerts.list({ now: T0 })).map((each) => each.groupKey),
      [record.groupKey],
    );
    assert.deepEqual(
      (await repos.groups.list()).map((each) => each.members),
      [group.members],
    );
    assert.deepEqual(
      (await repos.fatigue.listWithDigest()).map((each) => each.omitted),
      [1],
    );
    assert.deepEqual(
      (await repos.incidents.list({})).map((each) => each.title),
      [incident.title],
    );
    assert.deepEqual(
      (await repos.silences.list()).map((each) => each.comment),
      ['retraining'],
    );
    assert.deepEqual(
      (await repos.ruleStates.list()).map((each) => each.evaluatedAt),
      [T0],
    );
    assert.equal((await repos.stats.sum(T0, T0 + HOUR)).alertsReceived, 1);
  });

  it('passes the clock and the retentions on to the repositories', async () => {
    const repos = createDynamoDbAlertRepositories({
      client: table.client,
      tableName: table.tableName,
      now: clock.now,
      incidentRetentionMs: HOUR,
      expiredSilenceRetentionMs: 2 * HOUR,
    });
    const [incident] = firstArrival(ruleAlert()).incidents;
    assert.ok(incident);
    const resolved = resolveIncident(incident, 'ana', T0);
    const silence = newSilence(
      {
        matchers: [{ name: 'model', operator: '=', value: 'fraud-detector' }],
        endsAt: T0 + MINUTE,
        createdBy: 'ana',
        comment: 'retraining',
      },
      { id: 'sil-1', now: T0 },
    );
    await repos.incidents.put({ ...resolved, version: 1 });
    await repos.silences.put(silence);

    clock.at = T0 + HOUR;
    const afterIncidentRetention = [
      await repos.incidents.get(incident.id),
      await repos.silences.get('sil-1'),
    ];
    clock.at = T0 + MINUTE + 2 * HOUR;
    const afterSilenceRetention = await repos.silences.get('sil-1');

    assert.equal(afterIncidentRetention[0], undefined);
    assert.equal(afterIncidentRetention[1]?.id, 'sil-1');
    assert.equal(afterSilenceRetention, undefined);
  });
});
