import type { EscalationStart } from '../core/escalation.js';
import type { EscalationOutcome } from './escalation-control.js';

/** What a completed wait for an acknowledgement hands back to the workflow. */
export interface WaitCompletion {
  readonly outcome: EscalationOutcome;
}

/**
 * The engine that runs the escalation state machine: AWS Step Functions, or aws-local-stepfunctions on the
 * local platform.
 */
export interface EscalationWorkflow {
  /**
   * Starts an execution under a name unique to the escalation; an execution of that name that exists
   * already (a retried start) counts as started.
   */
  startExecution(name: string, input: EscalationStart): Promise<void>;
  /**
   * Completes the wait that handed out `token`; false when that wait is over already (timed out, completed,
   * or its execution ended), which is no error.
   */
  sendTaskSuccess(token: string, completion: WaitCompletion): Promise<boolean>;
}
