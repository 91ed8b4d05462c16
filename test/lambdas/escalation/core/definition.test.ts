import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  ESCALATION_STATES,
  escalationDefinition,
  LAMBDA_INVOKE,
  LAMBDA_INVOKE_WAIT,
} from '../../../../lambdas/escalation/core/definition.js';
import { ESCALATION_STEP_ACTIONS } from '../../../../lambdas/escalation/escalation-names.js';

/** asl-validator 3 (a dependency of aws-local-stepfunctions): JSON schemas of the Amazon States Language. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const STEP_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:vigil-prod-escalation-step';

type State = Record<string, unknown> & {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Parameters?: { FunctionName: string; Payload: Record<string, unknown> };
};

const definition = escalationDefinition({ stepFunctionArn: STEP_ARN });
const states = definition.States as Record<string, State>;
const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');

describe('escalationDefinition', () => {
  it('is valid Amazon States Language, ARNs and paths included', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });

    assert.equal(result.isValid, true, result.errorsText('\n'));
  });

  it('is caught by the validator when a transition names no state (the test can fail)', () => {
    const broken = {
      ...definition,
      States: { ...definition.States, [ESCALATION_STATES.nextTier]: { ...states.NextTier, Next: 'Nowhere' } },
    };

    assert.equal(aslValidator(broken).isValid, false);
  });

  it('reaches every state from StartAt, and only ends in Succeed or Fail states', () => {
    // Prepare
    const seen = new Set<string>();
    const pending = [definition.StartAt];

    // Act: follow every Next, Default, choice and catcher.
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const state = states[name];
      assert.ok(state, `state ${name} exists`);
      pending.push(
        ...[state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next)].filter(
          (next): next is string => !!next,
        ),
        ...(state.Catch ?? []).map((catcher) => catcher.Next),
      );
    }

    // Assess
    assert.deepEqual([...seen].sort(), Object.keys(states).sort());
    const terminal = Object.entries(states).filter(([, state]) => !state.Next && state.Type !== 'Choice');
    assert.deepEqual(terminal.map(([name, state]) => [name, state.Type]).sort(), [
      ['Failed', 'Fail'],
      ['GaveUp', 'Succeed'],
      ['Stopped', 'Succeed'],
    ]);
  });

  it('invokes the one step function from every Task, with an action it knows', () => {
    assert.deepEqual(
      tasks.map(([name, state]) => [name, state.Resource, state.Parameters?.Payload.action]),
      [
        ['NotifyTier', LAMBDA_INVOKE, 'notify'],
        ['WaitForAck', LAMBDA_INVOKE_WAIT, 'await'],
        ['NextTier', LAMBDA_INVOKE, 'advance'],
        ['Unacknowledged', LAMBDA_INVOKE, 'unacknowledged'],
        ['EscalationFailed', LAMBDA_INVOKE, 'failed'],
      ],
    );
    for (const [, state] of tasks) {
      assert.equal(state.Parameters?.FunctionName, STEP_ARN);
      assert.ok(ESCALATION_STEP_ACTIONS.includes(state.Parameters?.Payload.action as never));
    }
  });

  it('retries Lambda errors with backoff and sends everything left to the failure step', () => {
    for (const [name, state] of tasks) {
      const retrier = state.Retry?.find((each) => each.ErrorEquals.includes('Lambda.ServiceException'));
      assert.ok(retrier, `${name} retries Lambda service errors`);
      assert.deepEqual([...retrier.ErrorEquals].sort(), [
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'States.TaskFailed',
      ]);
      assert.ok((retrier as { BackoffRate?: number }).BackoffRate! > 1, `${name} backs off`);
      const last = state.Catch?.at(-1);
      assert.deepEqual(last?.ErrorEquals, ['States.ALL'], `${name} has a catch-all, last`);
      assert.equal(last?.Next, name === 'EscalationFailed' ? 'Failed' : 'EscalationFailed');
    }
  });

  it('waits for the task token with the tier timeout, and goes on to the next tier when it runs out', () => {
    const wait = states.WaitForAck!;

    assert.equal(wait.TimeoutSecondsPath, '$.timeoutSeconds');
    assert.equal(wait.Parameters?.Payload['taskToken.$'], '$$.Task.Token');
    assert.deepEqual(wait.Catch?.[0], {
      ErrorEquals: ['States.Timeout'],
      ResultPath: null,
      Next: 'NextTier',
    });
    assert.equal(wait.Next, 'Stopped', 'SendTaskSuccess (acknowledged or resolved) ends the escalation');
    assert.deepEqual(wait.Retry?.[0], { ErrorEquals: ['EscalationStopped'], MaxAttempts: 0 });
    assert.ok(
      wait.Retry?.every(
        (retrier) => !retrier.ErrorEquals.some((error) => ['States.ALL', 'States.Timeout'].includes(error)),
      ),
      'no retrier matches the timeout',
    );
  });

  it('keeps the state small: each Lambda answer is cut down by ResultSelector', () => {
    for (const [name, state] of tasks.filter(([, each]) => each.Resource === LAMBDA_INVOKE)) {
      const selector = state.ResultSelector as Record<string, string> | undefined;
      assert.ok(selector, `${name} selects from the invoke result`);
      assert.ok(Object.values(selector).every((path) => path.startsWith('$.Payload.')));
    }
  });
});
