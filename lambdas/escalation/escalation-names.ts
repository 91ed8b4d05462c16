/*
 * Names the escalation workflow's Lambdas and its infrastructure must agree on. This module imports nothing that
 * runs, so the CDK app can use it at synth time without loading the AWS SDK.
 */

/**
 * Environment variable with the ARN of the escalation state machine, given to the alerting functions, which start
 * an escalation when an incident opens and complete its waiting task when it is acknowledged or resolved.
 */
export const ESCALATION_STATE_MACHINE_ENV = 'VIGIL_ESCALATION_STATE_MACHINE_ARN';

/**
 * Environment variable with a JSON object from severity (`critical`, `high`, `warning`, `info`) to the ARN of that
 * severity's SNS topic, given to the escalation step function and the alerting functions.
 */
export const SEVERITY_TOPICS_ENV = 'VIGIL_SEVERITY_TOPIC_ARNS';

/**
 * Environment variable with the API's base URL (`https://abc123.execute-api.eu-west-1.amazonaws.com`), given to
 * the escalation step function and the alerting functions: incident notices link to the incident and to its
 * `/ack` route under it.
 */
export const API_URL_ENV = 'VIGIL_API_URL';

/**
 * What the one escalation step Lambda does, by the `action` in its input: notify the current tier, store the
 * task token of the wait for an acknowledgement, advance to the next tier or round, tell that nobody
 * acknowledged after the last tier, or tell that the escalation failed.
 */
export const ESCALATION_STEP_ACTIONS = ['notify', 'await', 'advance', 'unacknowledged', 'failed'] as const;

/** One action of the escalation step Lambda. */
export type EscalationStepAction = (typeof ESCALATION_STEP_ACTIONS)[number];
