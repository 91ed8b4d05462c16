import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executionName } from '../../../../lambdas/escalation/core/escalation.js';
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
        `${critical.id}-0-p0`,
        {
          state: {
            incidentId: critical.id,
            reopenCount: 0,
            execution: `${critical.id}-0-p0`,
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

  describe('escalate, after the severity rose', () => {
    async function waitingBy(policy: string) {
      const workflow = new RecordingWorkflow();
      const tokens = new MemoryTokenStore();
      const control = new WorkflowEscalationControl({
        workflow,
        tokens,
        config: DEFAULT_ESCALATION_CONFIG,
        now: () => T0,
      });
      const incident = openedIncident('fraud');
      await tokens.put({
        incidentId: incident.id,
        execution: executionName(incident, policy),
        token: `token-${policy}`,
        tier: 1,
        round: 0,
        since: T0,
        until: T0 + 30 * MINUTE,
      });
      return { workflow, tokens, control, incident };
    }

    it("ends the wait of the earlier policy's escalation and starts the new policy's from tier 1", async () => {
      // Prepare: a warning escalating by p2, now critical (p0).
      const { workflow, tokens, control, incident } = await waitingBy('p2');

      // Act
      await control.escalate(incident);

      // Assess
      assert.deepEqual(workflow.sent, [['token-p2', { outcome: 'superseded' }]]);
      assert.equal(await tokens.get(incident.id), undefined);
      assert.deepEqual(
        workflow.started.map(([name]) => name),
        [executionName(incident, 'p0')],
      );
    });

    it('leaves an escalation by the same policy waiting (high and critical may share one)', async () => {
      // Prepare
      const { workflow, tokens, control, incident } = await waitingBy('p0');

      // Act
      await control.escalate(incident);

      // Assess: the start is a retried one by name, which the workflow engine keeps as one execution.
      assert.deepEqual(workflow.sent, []);
      assert.equal((await tokens.get(incident.id))?.token, 'token-p0');
      assert.deepEqual(
        workflow.started.map(([name]) => name),
        [executionName(incident, 'p0')],
      );
    });
  });
});
