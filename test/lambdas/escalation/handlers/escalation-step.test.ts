import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escalationStart } from '../../../../lambdas/escalation/core/escalation.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../lambdas/escalation/core/policy.js';
import { createEscalationStepHandler } from '../../../../lambdas/escalation/handlers/escalation-step.js';
import { lambdaContext } from '../../../support/api-gateway-events.js';
import {
  MemoryIncidentRepository,
  MemoryTokenStore,
  openedIncident,
  RecordingPublisher,
  SETTINGS,
  T0,
} from '../fixtures.js';

describe('the escalation step handler', () => {
  const incident = openedIncident();
  const publisher = new RecordingPublisher();
  const handler = createEscalationStepHandler(() => ({
    incidents: new MemoryIncidentRepository(incident),
    tokens: new MemoryTokenStore(),
    notices: publisher,
    config: DEFAULT_ESCALATION_CONFIG,
    settings: SETTINGS,
    now: () => T0,
  }));

  it('runs the step the state machine payload names and answers what ResultSelector picks from', async () => {
    // Prepare: the NotifyTier payload as the Lambda invoke integration delivers it.
    const payload = { action: 'notify', state: escalationStart(incident, 'p0', T0).state };

    // Act
    const output = await handler(payload, lambdaContext());

    // Assess
    assert.deepEqual(output, { state: payload.state, outcome: 'notified', timeoutSeconds: 300 });
    assert.deepEqual(publisher.events(), [['trigger', 1]]);
  });

  it('throws on a payload that is no step, for the state machine to retry and then fail', async () => {
    await assert.rejects(handler({ action: 'notify' }, lambdaContext()), /invalid escalation step input/);
  });
});
