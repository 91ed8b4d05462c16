import type { EscalationStepAction } from '../escalation-names.js';
import { ESCALATION_STOPPED_ERROR } from './escalation.js';

/*
 * The escalation state machine in the Amazon States Language, for a STANDARD workflow (waits last minutes
 * to hours; Express workflows end after five minutes):
 *
 *   NotifyTier -> TierOutcome -- stopped --------------------------------------------> Stopped
 *                             -- skipped --------------------------------> NextTier
 *                             -- notified -> WaitForAck -- completed (ack/resolve) --> Stopped
 *                                                       -- EscalationStopped -------> Stopped
 *                                                       -- States.Timeout -> NextTier
 *   NextTier -> ChainOutcome -- next -> NotifyTier
 *                            -- exhausted -> Unacknowledged -> GaveUp
 *   any Task -- every other error, after retries --> EscalationFailed -> Failed
 *
 * Every Task invokes the one step Lambda through the optimized Lambda integration, with the action in its
 * `Payload`; `ResultSelector` keeps only the step's answer, so the state stays a few hundred bytes. The
 * wait is `lambda:invoke.waitForTaskToken`: its `await` step stores the task token with the incident, and
 * acknowledging or resolving the incident sends SendTaskSuccess with it; the tier's timeout comes from the
 * notify step through `TimeoutSecondsPath`.
 *
 * The wait's retriers never match `States.Timeout` (`States.TaskFailed` does not, by the spec), and
 * `EscalationStopped` is listed first with no attempts, since retrying it would only fail the same way.
 */

/** The names of the states, which the local runner overrides by name. */
export const ESCALATION_STATES = {
  notifyTier: 'NotifyTier',
  tierOutcome: 'TierOutcome',
  waitForAck: 'WaitForAck',
  nextTier: 'NextTier',
  chainOutcome: 'ChainOutcome',
  unacknowledged: 'Unacknowledged',
  escalationFailed: 'EscalationFailed',
  stopped: 'Stopped',
  gaveUp: 'GaveUp',
  failed: 'Failed',
} as const;

/** The Lambda invoke integration, and its wait-for-callback form. */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
/** The Lambda invoke integration that waits for SendTaskSuccess with the task token. */
export const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** How long one step Lambda invocation may take before Step Functions gives up on it, s. */
export const STEP_TIMEOUT_SECONDS = 60;

/** The errors every Task retries, with backoff: the Lambda service's transient ones and the step's own. */
export const STEP_RETRIER = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'States.TaskFailed',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
} as const;

/** The properties of `escalationDefinition`. */
export interface EscalationDefinitionProps {
  /** The step Lambda's ARN (a CDK token in the stack; a made-up ARN locally, where every Task is overridden). */
  readonly stepFunctionArn: string;
}

/** An ASL state, as plain JSON. */
export type AslState = Readonly<Record<string, unknown>>;

/** The escalation state machine, as plain JSON. */
export interface EscalationDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

const S = ESCALATION_STATES;

/** Catches everything left after retries and hands it, with the state, to the failure step. */
const CATCH_ALL = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: S.escalationFailed } as const;

/** The escalation state machine for the given step Lambda. */
export function escalationDefinition(props: EscalationDefinitionProps): EscalationDefinition {
  const invoke = (action: EscalationStepAction, payload: Record<string, string> = {}) => ({
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: {
      FunctionName: props.stepFunctionArn,
      Payload: { action, 'state.$': '$.state', ...payload },
    },
    TimeoutSeconds: STEP_TIMEOUT_SECONDS,
    Retry: [STEP_RETRIER],
  });
  return {
    Comment:
      'Vigil incident escalation: notify a tier, wait for an acknowledgement for its timeout, go on to the next tier; give up with an unacknowledged notice after the last one.',
    StartAt: S.notifyTier,
    States: {
      [S.notifyTier]: {
        ...invoke('notify'),
        Comment:
          "Notifies the current tier, unless the incident stopped or the tier's condition does not hold.",
        ResultSelector: {
          'state.$': '$.Payload.state',
          'outcome.$': '$.Payload.outcome',
          'timeoutSeconds.$': '$.Payload.timeoutSeconds',
        },
        Catch: [CATCH_ALL],
        Next: S.tierOutcome,
      },
      [S.tierOutcome]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.outcome', StringEquals: 'stopped', Next: S.stopped },
          { Variable: '$.outcome', StringEquals: 'skipped', Next: S.nextTier },
        ],
        Default: S.waitForAck,
      },
      [S.waitForAck]: {
        Type: 'Task',
        Comment:
          'Stores the task token with the incident; acknowledging or resolving it sends SendTaskSuccess.',
        Resource: LAMBDA_INVOKE_WAIT,
        Parameters: {
          FunctionName: props.stepFunctionArn,
          Payload: {
            action: 'await' satisfies EscalationStepAction,
            'state.$': '$.state',
            'timeoutSeconds.$': '$.timeoutSeconds',
            'taskToken.$': '$$.Task.Token',
          },
        },
        TimeoutSecondsPath: '$.timeoutSeconds',
        ResultPath: '$.completion',
        Retry: [{ ErrorEquals: [ESCALATION_STOPPED_ERROR], MaxAttempts: 0 }, STEP_RETRIER],
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: S.nextTier },
          { ErrorEquals: [ESCALATION_STOPPED_ERROR], ResultPath: null, Next: S.stopped },
          CATCH_ALL,
        ],
        Next: S.stopped,
      },
      [S.nextTier]: {
        ...invoke('advance'),
        Comment:
          'Moves to the next tier, or the first tier of the next round, or says the chain is exhausted.',
        ResultSelector: { 'state.$': '$.Payload.state', 'outcome.$': '$.Payload.outcome' },
        Catch: [CATCH_ALL],
        Next: S.chainOutcome,
      },
      [S.chainOutcome]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.outcome', StringEquals: 'exhausted', Next: S.unacknowledged }],
        Default: S.notifyTier,
      },
      [S.unacknowledged]: {
        ...invoke('unacknowledged'),
        Comment: 'Tells every target of the policy that nobody acknowledged.',
        ResultSelector: { 'outcome.$': '$.Payload.outcome' },
        Catch: [CATCH_ALL],
        Next: S.gaveUp,
      },
      [S.escalationFailed]: {
        ...invoke('failed', { 'error.$': '$.error' }),
        Comment:
          'Tells every target of the policy that the escalation failed, and records it on the timeline.',
        ResultSelector: { 'outcome.$': '$.Payload.outcome' },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: S.failed }],
        Next: S.failed,
      },
      [S.stopped]: { Type: 'Succeed', Comment: 'Acknowledged or resolved.' },
      [S.gaveUp]: { Type: 'Succeed', Comment: 'Nobody acknowledged after every tier and round.' },
      [S.failed]: {
        Type: 'Fail',
        Error: 'EscalationFailed',
        Cause: 'a step of the escalation failed after its retries; see the incident timeline',
      },
    },
  };
}
