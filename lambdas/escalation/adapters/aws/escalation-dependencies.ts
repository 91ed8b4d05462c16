import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { awsAckLinkKey } from '../../../alerts/adapters/aws/ack-link-key.js';
import { DynamoDbIncidentRepository } from '../../../alerts/adapters/aws/dynamodb-incident-repository.js';
import { SEVERITIES, type Severity } from '../../../alerts/core/alert.js';
import type { IncidentEvent } from '../../../alerts/core/pipeline.js';
import type { IncidentRepository } from '../../../alerts/ports/incident-repository.js';
import { describeIssues } from '../../../ingest/core/otlp-json.js';
import { requiredEnv } from '../../../shared/adapters/aws/environment.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { awsIngestDashboardUrl } from '../../../shared/dashboard-links.js';
import { lazy } from '../../../shared/lazy.js';
import { logger } from '../../../shared/logger.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import { readEscalationConfig } from '../../core/escalation-config.js';
import { WorkflowEscalationControl } from '../../core/escalation-control.js';
import type { EscalationStepDependencies } from '../../core/escalation-steps.js';
import { escalationResumer, incidentEscalations } from '../../core/incident-escalations.js';
import { API_URL_ENV, ESCALATION_STATE_MACHINE_ENV, SEVERITY_TOPICS_ENV } from '../../escalation-names.js';
import { DynamoDbTaskTokenStore } from './dynamodb-task-token-store.js';
import { SnsIncidentNoticePublisher } from './sns-incident-notice-publisher.js';
import { StepFunctionsEscalationWorkflow } from './step-functions-escalation-workflow.js';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

const severityTopicsSchema = z.partialRecord(
  z.enum(SEVERITIES),
  z.string().regex(SNS_TOPIC_ARN, 'expected an SNS topic ARN (arn:aws:sns:...)'),
);

/** Reads `VIGIL_SEVERITY_TOPIC_ARNS` (JSON: severity -> topic ARN), failing with a message naming it. */
export function severityTopicsFromEnvironment(
  text: string = requiredEnv(SEVERITY_TOPICS_ENV),
): Partial<Record<Severity, string>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${SEVERITY_TOPICS_ENV} is not JSON (${(error as Error).message}); expected an object from severity to SNS topic ARN`,
    );
  }
  const parsed = severityTopicsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `invalid ${SEVERITY_TOPICS_ENV}: ${describeIssues(parsed.error.issues, '(topics)').join('; ')}`,
    );
  }
  return parsed.data;
}

/** What escalation shares in AWS: config, notice settings, the state table's waits and the severity topics. */
const awsEscalationBase = lazy(() => {
  const runtimeConfig = loadBundledRuntimeConfig();
  const { documentClient, tableName } = awsStateTable();
  return {
    config: readEscalationConfig(runtimeConfig),
    settings: {
      environment: runtimeConfig.environment,
      apiBaseUrl: requiredEnv(API_URL_ENV),
      dashboardUrl: awsIngestDashboardUrl(runtimeConfig.environment),
    },
    tokens: new DynamoDbTaskTokenStore({ client: documentClient, tableName }),
    notices: new SnsIncidentNoticePublisher({
      client: new SNSClient({}),
      topicArns: severityTopicsFromEnvironment(),
    }),
  };
});

const awsEscalationStepBase = lazy((): EscalationStepDependencies => {
  const { documentClient, tableName } = awsStateTable();
  return {
    ...awsEscalationBase(),
    incidents: new DynamoDbIncidentRepository({ client: documentClient, tableName }),
    now: Date.now,
  };
});

/**
 * The escalation step function in AWS: incidents and waits in the state table, notices to the severity topics,
 * with acknowledge links signed by the key in Secrets Manager when the function is given its secret.
 */
export async function awsEscalationStepDependencies(): Promise<EscalationStepDependencies> {
  const base = awsEscalationStepBase();
  const key = awsAckLinkKey();
  if (!key) return base;
  return { ...base, settings: { ...base.settings, ackLinks: { key: await key() } } };
}

/** The escalation hooks of the alerting use cases. */
export interface IncidentEscalationHooks {
  readonly onIncidentEvents?: (events: readonly IncidentEvent[]) => Promise<void>;
  readonly resumeEscalations?: () => Promise<number>;
}

/**
 * The escalation hooks of the alerting functions in AWS: escalations on the state machine named by
 * `VIGIL_ESCALATION_STATE_MACHINE_ARN`; none (said in one log line) when that is not set.
 */
export function awsIncidentEscalations(incidents: IncidentRepository): IncidentEscalationHooks {
  const stateMachineArn = process.env[ESCALATION_STATE_MACHINE_ENV];
  if (!stateMachineArn) {
    logger.info(`${ESCALATION_STATE_MACHINE_ENV} is not set: incidents do not escalate from this function`);
    return {};
  }
  const { config, settings, tokens, notices } = awsEscalationBase();
  const workflow = new StepFunctionsEscalationWorkflow({ client: new SFNClient({}), stateMachineArn });
  const control = new WorkflowEscalationControl({ workflow, tokens, config, now: Date.now });
  const onError = (message: string, error: unknown, details: Record<string, unknown>) =>
    logger.error(message, { ...details, error: error as Error });
  return {
    onIncidentEvents: incidentEscalations({
      incidents,
      control,
      notices,
      config,
      settings,
      now: Date.now,
      onError,
    }),
    resumeEscalations: escalationResumer({ incidents, control, onError }),
  };
}
