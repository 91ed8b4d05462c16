import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EscalationStart } from '../../core/escalation.js';
import type { EscalationWorkflow, WaitCompletion } from '../../ports/escalation-workflow.js';

/** The errors SendTaskSuccess answers for a token whose wait is over: timed out, finished, or unknown. */
export const FINISHED_TASK_ERRORS: readonly string[] = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'];

/** Properties of `StepFunctionsEscalationWorkflow`. */
export interface StepFunctionsEscalationWorkflowProps {
  /** The client to call Step Functions with; its retry settings are the adapter's. */
  readonly client: SFNClient;
  /** The escalation state machine (a STANDARD workflow). */
  readonly stateMachineArn: string;
}

/**
 * Escalations on AWS Step Functions: StartExecution under the escalation's name, where an execution of that
 * name existing already (ExecutionAlreadyExists: a retried start, whose input differs by its start time)
 * counts as started, since names are unique per state machine for 90 days after an execution ends; and
 * SendTaskSuccess, where a wait that is over already is no error.
 */
export class StepFunctionsEscalationWorkflow implements EscalationWorkflow {
  constructor(private readonly props: StepFunctionsEscalationWorkflowProps) {}

  async startExecution(name: string, input: EscalationStart): Promise<void> {
    try {
      await this.props.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.props.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if ((error as Error | undefined)?.name !== 'ExecutionAlreadyExists') throw error;
    }
  }

  async sendTaskSuccess(token: string, completion: WaitCompletion): Promise<boolean> {
    try {
      await this.props.client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(completion) }),
      );
      return true;
    } catch (error) {
      if (FINISHED_TASK_ERRORS.includes((error as Error | undefined)?.name ?? '')) return false;
      throw error;
    }
  }
}
