import type { Incident } from '../../alerts/core/incident.js';
import type { EscalationControl, EscalationOutcome } from '../ports/escalation-control.js';
import type { EscalationWorkflow } from '../ports/escalation-workflow.js';
import type { TaskTokenStore } from '../ports/task-token-store.js';
import { escalationStart, executionName } from './escalation.js';
import { type EscalationConfig, policyFor } from './policy.js';

/** What `WorkflowEscalationControl` needs. */
export interface WorkflowEscalationControlProps {
  /** Step Functions in AWS, aws-local-stepfunctions locally. */
  readonly workflow: EscalationWorkflow;
  readonly tokens: TaskTokenStore;
  readonly config: EscalationConfig;
  /** The current time, epoch ms. */
  readonly now: () => number;
}

/**
 * Starts and stops escalations on a workflow engine: an escalation per opening of an incident, under a name
 * of its own (so a retried start is one execution), by the policy of the incident's severity; completing
 * one sends the task token its `await` step stored, and a token whose wait is over is no error.
 */
export class WorkflowEscalationControl implements EscalationControl {
  constructor(private readonly props: WorkflowEscalationControlProps) {}

  async start(incident: Incident): Promise<void> {
    const chosen = policyFor(this.props.config, incident.severity);
    if (!chosen) return;
    await this.props.workflow.startExecution(
      executionName(incident, chosen.name),
      escalationStart(incident, chosen.name, this.props.now()),
    );
  }

  async escalate(incident: Incident): Promise<void> {
    const chosen = policyFor(this.props.config, incident.severity);
    if (!chosen) return;
    const { tokens, workflow } = this.props;
    // The earlier escalation stops at its next step anyway (its policy is no longer the severity's); ending
    // its wait now keeps it from paging its next tier meanwhile. A wait of this policy's escalation stays.
    const waiting = await tokens.get(incident.id);
    if (waiting && waiting.execution !== executionName(incident, chosen.name)) {
      await workflow.sendTaskSuccess(waiting.token, { outcome: 'superseded' });
      await tokens.delete(incident.id, waiting.token);
    }
    await this.start(incident);
  }

  async complete(incidentId: string, outcome: EscalationOutcome): Promise<void> {
    const { tokens, workflow } = this.props;
    const waiting = await tokens.get(incidentId);
    if (!waiting) return;
    await workflow.sendTaskSuccess(waiting.token, { outcome });
    await tokens.delete(incidentId, waiting.token);
  }
}
