import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgeIncident,
  type Incident,
  SYSTEM_ACTOR,
} from '../../../../lambdas/alerts/core/incident.js';
import { escalationStart } from '../../../../lambdas/escalation/core/escalation.js';
import {
  type EscalationStepDependencies,
  EscalationStoppedError,
  parseEscalationStepInput,
  recordStepEvent,
  runEscalationStep,
} from '../../../../lambdas/escalation/core/escalation-steps.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../lambdas/escalation/core/policy.js';
import {
  MemoryIncidentRepository,
  MemoryTokenStore,
  MINUTE,
  openedIncident,
  RecordingPublisher,
  SETTINGS,
  T0,
} from '../fixtures.js';

function dependencies(incidents: MemoryIncidentRepository): EscalationStepDependencies & {
  tokens: MemoryTokenStore;
  notices: RecordingPublisher;
} {
  return {
    incidents,
    tokens: new MemoryTokenStore(),
    notices: new RecordingPublisher(),
    config: DEFAULT_ESCALATION_CONFIG,
    settings: SETTINGS,
    now: () => T0 + MINUTE,
  };
}

describe('runEscalationStep', () => {
  it('stores the wait with its token and timeout, and keeps waiting while the incident is open', async () => {
    // Prepare
    const incident = openedIncident();
    const deps = dependencies(new MemoryIncidentRepository(incident));
    const { state } = escalationStart(incident, 'p0', T0);

    // Act
    const output = await runEscalationStep(
      { action: 'await', state, taskToken: 'token-1', timeoutSeconds: 300 },
      deps,
    );

    // Assess
    assert.deepEqual(output, { waiting: true });
    assert.deepEqual(await deps.tokens.get(incident.id), {
      incidentId: incident.id,
      execution: state.execution,
      token: 'token-1',
      tier: 0,
      round: 0,
      since: T0 + MINUTE,
      until: T0 + 6 * MINUTE,
    });
  });

  it('ends the wait before it begins when the incident was acknowledged meanwhile', async () => {
    // Prepare: the acknowledgement came after the notify step read the incident, before the token was stored.
    const incident = openedIncident();
    const { state } = escalationStart(incident, 'p0', T0);
    const deps = dependencies(new MemoryIncidentRepository(acknowledgeIncident(incident, 'alice', T0)));

    // Act
    const waiting = runEscalationStep(
      { action: 'await', state, taskToken: 'token-1', timeoutSeconds: 300 },
      deps,
    );

    // Assess
    await assert.rejects(waiting, (error: Error) => {
      assert.ok(error instanceof EscalationStoppedError);
      assert.equal(error.name, 'EscalationStopped', 'the name the state machine catches');
      assert.equal(error.message, 'acknowledged by alice');
      return true;
    });
    assert.equal(await deps.tokens.get(incident.id), undefined, 'the token is not left behind');
  });

  it('tells nobody that escalation failed once someone acknowledged the incident', async () => {
    const incident = acknowledgeIncident(openedIncident(), 'alice', T0);
    const deps = dependencies(new MemoryIncidentRepository(incident));

    const output = await runEscalationStep(
      { action: 'failed', state: escalationStart(incident, 'p0', T0).state, error: { Error: 'Error' } },
      deps,
    );

    assert.deepEqual(output, { outcome: 'failed', notified: false });
    assert.deepEqual(deps.notices.published, []);
  });

  it('fails the step when the policy is gone from the config', async () => {
    const incident = openedIncident();
    const deps = dependencies(new MemoryIncidentRepository(incident));

    await assert.rejects(
      runEscalationStep({ action: 'notify', state: escalationStart(incident, 'gone', T0).state }, deps),
      /follows policy "gone", which the config no longer has; the policies are p0, p1, p2/,
    );
  });
});

describe('recordStepEvent', () => {
  it('reloads and records again when the incident changed under it', async () => {
    // Prepare: the pipeline stores a change between the step's read and its write, once.
    const incident = openedIncident();
    const repository = new MemoryIncidentRepository(incident);
    const put = repository.put.bind(repository);
    let raced = false;
    repository.put = async (changed: Incident) => {
      if (!raced) {
        raced = true;
        await put({ ...incident, version: incident.version + 1, title: 'changed by the pipeline' });
      }
      return put(changed);
    };
    const event = {
      at: T0,
      type: 'escalated' as const,
      actor: SYSTEM_ACTOR,
      message: 'notified tier 1 of 4 (on-call)',
    };

    // Act
    await recordStepEvent(repository, escalationStart(incident, 'p0', T0).state, event);

    // Assess
    const stored = (await repository.get(incident.id))!;
    assert.equal(stored.version, incident.version + 2);
    assert.equal(stored.title, 'changed by the pipeline');
    assert.deepEqual(stored.timeline.at(-1), event);
  });
});

describe('parseEscalationStepInput', () => {
  it('names the actions and the field when the input is not a step', () => {
    assert.throws(
      () => parseEscalationStepInput({ action: 'notify', state: { incidentId: 'inc-1' } }),
      /invalid escalation step input \(expected an action of notify, await, advance, unacknowledged, failed\): state\.reopenCount/,
    );
    assert.throws(() => parseEscalationStepInput({ action: 'dance' }), /invalid escalation step input/);
  });
});
