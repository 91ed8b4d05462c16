import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsEscalationWorkflow } from '../../../../../lambdas/escalation/adapters/aws/step-functions-escalation-workflow.js';
import { escalationStart } from '../../../../../lambdas/escalation/core/escalation.js';
import { openedIncident, T0 } from '../../fixtures.js';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:vigil-prod-escalation';
const $metadata = {};

const sfn = mockClient(SFNClient);
let client: SFNClient;
let workflow: StepFunctionsEscalationWorkflow;

beforeEach(() => {
  sfn.reset();
  client = new SFNClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  workflow = new StepFunctionsEscalationWorkflow({ client, stateMachineArn: STATE_MACHINE_ARN });
});
afterEach(() => client.destroy());

describe('StepFunctionsEscalationWorkflow', () => {
  const incident = openedIncident();
  const input = escalationStart(incident, 'p0', T0);

  it('starts an execution under the escalation name with the input as JSON', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date(T0) });

    // Act
    await workflow.startExecution(`${incident.id}-0`, input);

    // Assess
    const [call] = sfn.commandCalls(StartExecutionCommand);
    assert.deepEqual(call!.args[0].input, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: `${incident.id}-0`,
      input: JSON.stringify(input),
    });
  });

  it('counts a start whose execution exists already as started (a retried start)', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata }));

    await assert.doesNotReject(workflow.startExecution(`${incident.id}-0`, input));
  });

  it('passes on every other start failure', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionLimitExceeded({ message: 'too many', $metadata }));

    await assert.rejects(workflow.startExecution(`${incident.id}-0`, input), {
      name: 'ExecutionLimitExceeded',
    });
  });

  it('sends the completion as the task output', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});

    const sent = await workflow.sendTaskSuccess('token-1', { outcome: 'acknowledged' });

    assert.equal(sent, true);
    assert.deepEqual(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input, {
      taskToken: 'token-1',
      output: '{"outcome":"acknowledged"}',
    });
  });

  for (const error of [
    new TaskTimedOut({ message: 'Task Timed Out', $metadata }),
    new TaskDoesNotExist({ message: 'Task does not exist', $metadata }),
    new InvalidToken({ message: 'Invalid Token', $metadata }),
  ]) {
    it(`treats ${error.name} as a wait that is over already`, async () => {
      sfn.on(SendTaskSuccessCommand).rejects(error);

      assert.equal(await workflow.sendTaskSuccess('token-1', { outcome: 'resolved' }), false);
    });
  }

  it('passes on a throttled SendTaskSuccess, after the SDK retries', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await assert.rejects(workflow.sendTaskSuccess('token-1', { outcome: 'resolved' }), {
      name: 'ThrottlingException',
    });
  });
});
