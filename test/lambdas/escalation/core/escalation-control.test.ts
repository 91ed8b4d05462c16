import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowEscalationControl } from '../../../../lambdas/escalation/core/escalation-control.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../lambdas/escalation/core/policy.js';
import type {
  EscalationWorkflow,
  WaitCompletion,
} from '../../../../lambdas/escalation/ports/escalation-workflow.js';
import { MemoryTokenStore, MINUTE, openedIncident, T0 } from '../fixtures.js';

describe('WorkflowEscalationControl', () => {
  class RecordingWorkflow implements EscalationWorkflow {
    readonly started: [string, unknown][] = [];
    readonly sent: [string, WaitCompletion][] = [];
    constructor(private readonly waiting = true) {}
    async startExecution(name: string, input: unknown): Promise<void> {
      this.started.push([name, input]);
    }
    async sendTaskSuccess(token: string, completion: WaitCompletion): Promise<boolean> {
      this.sent.push([token, completion]);
      return this.waiting;
    }
  }

  it('starts by the policy of the severity, and not at all for a severity without one', async () => {
    const workflow = new RecordingWorkflow();
    const control = new WorkflowEscalationControl({
      workflow,
      tokens: new MemoryTokenStore(),
      config: DEFAULT_ESCALATION_CONFIG,
      now: () => T0,
    });
    const critical = openedIncident('fraud');

    await control.start(critical);
    await control.start({ ...openedIncident('ranker'), severity: 'info' });

    assert.deepEqual(workflow.started, [
      [
        `${critical.id}-0`,
        {
          state: {
            incidentId: critical.id,
            reopenCount: 0,
            execution: `${critical.id}-0`,
            policy: 'p0',
            tier: 0,
            round: 0,
            startedAt: T0,
          },
        },
      ],
    ]);
  });

  it('completes the stored wait with its token and forgets it; without a wait it does nothing', async () => {
    // Prepare
    const workflow = new RecordingWorkflow();
    const tokens = new MemoryTokenStore();
    const control = new WorkflowEscalationControl({
      workflow,
      tokens,
      config: DEFAULT_ESCALATION_CONFIG,
      now: () => T0,
    });
    await tokens.put({
      incidentId: 'inc-1',
      execution: 'inc-1-0',
      token: 'token-1',
      tier: 0,
      round: 0,
      since: T0,
      until: T0 + 5 * MINUTE,
    });

    // Act
    await control.complete('inc-1', 'acknowledged');
    await control.complete('inc-1', 'resolved');

    // Assess
    assert.deepEqual(workflow.sent, [['token-1', { outcome: 'acknowledged' }]]);
    assert.equal(await tokens.get('inc-1'), undefined);
  });
});
