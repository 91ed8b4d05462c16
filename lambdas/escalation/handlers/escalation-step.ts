import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { awsEscalationStepDependencies } from '../adapters/aws/escalation-dependencies.js';
import {
  type EscalationStepDependencies,
  type EscalationStepOutput,
  parseEscalationStepInput,
  runEscalationStep,
} from '../core/escalation-steps.js';

/**
 * Builds the escalation step function, which every Task of the escalation state machine invokes with an
 * `action` (notify, await, advance, unacknowledged, failed) and the escalation's state. Errors are thrown
 * as they are: the state machine retries them and, after its retries, runs the failure step; the `await`
 * step's EscalationStopped ends the escalation.
 */
export function createEscalationStepHandler(
  dependencies: () => EscalationStepDependencies | Promise<EscalationStepDependencies>,
) {
  const lambdaHandler = async (event: unknown, _context: Context): Promise<EscalationStepOutput> => {
    const input = parseEscalationStepInput(event);
    const output = await runEscalationStep(input, await dependencies());
    const { execution, tier, round } = input.state;
    logger.info('escalation step done', { action: input.action, execution, tier, round, output });
    return output;
  };
  return middy(lambdaHandler).use(injectLambdaContext(logger));
}

/** The Lambda entry point (invoked by the escalation state machine). */
export const handler = createEscalationStepHandler(awsEscalationStepDependencies);
