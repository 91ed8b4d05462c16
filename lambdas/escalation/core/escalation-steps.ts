import { z } from 'zod';
import { appendTimelineEvents, type Incident, type TimelineEvent } from '../../alerts/core/incident.js';
import type { IncidentRepository } from '../../alerts/ports/incident-repository.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ESCALATION_STEP_ACTIONS } from '../escalation-names.js';
import type { IncidentNoticePublisher } from '../ports/notice-publisher.js';
import type { TaskTokenStore } from '../ports/task-token-store.js';
import {
  decideAdvance,
  decideExhausted,
  decideFailed,
  decideNotify,
  ESCALATION_STOPPED_ERROR,
  type EscalationState,
  hasStepEvent,
  type NoticeSettings,
  stopReason,
  tierTimeoutSeconds,
} from './escalation.js';
import type { EscalationConfig, EscalationPolicy } from './policy.js';

/*
 * The escalation step function: one entry point for every Task of the state machine, dispatching on
 * `action`, with the incident store, the task-token store and the notice publisher behind ports. The
 * pure decisions are in escalation.ts; this module reads, publishes and records.
 *
 * A step publishes before it records: a page that goes out matters more than its timeline entry, and a
 * retried step publishes the same notice id again (the formatter keeps receipts by id) and records its
 * entry once.
 */

/** What the step function needs. */
export interface EscalationStepDependencies {
  readonly incidents: IncidentRepository;
  readonly tokens: TaskTokenStore;
  readonly notices: IncidentNoticePublisher;
  readonly config: EscalationConfig;
  readonly settings: NoticeSettings;
  /** The current time, epoch ms. */
  readonly now: () => number;
}

const stateSchema = z.object({
  incidentId: z.string().min(1),
  reopenCount: z.int().nonnegative(),
  execution: z.string().min(1),
  policy: z.string().min(1),
  tier: z.int().nonnegative(),
  round: z.int().nonnegative(),
  startedAt: z.number(),
}) satisfies z.ZodType<EscalationState>;

/** The input of the step function, by action (what the state machine's `Payload` holds). */
export const escalationStepInputSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('notify'), state: stateSchema }),
  z.object({
    action: z.literal('await'),
    state: stateSchema,
    taskToken: z.string().min(1),
    timeoutSeconds: z.int().positive(),
  }),
  z.object({ action: z.literal('advance'), state: stateSchema }),
  z.object({ action: z.literal('unacknowledged'), state: stateSchema }),
  z.object({
    action: z.literal('failed'),
    state: stateSchema,
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  }),
]);

/** The input of the step function. */
export type EscalationStepInput = z.infer<typeof escalationStepInputSchema>;

/** What the step function returns, by action (what the state machine's `ResultSelector` picks from). */
export type EscalationStepOutput =
  | {
      readonly state: EscalationState;
      readonly outcome: 'notified' | 'skipped' | 'stopped';
      readonly timeoutSeconds: number;
    }
  | { readonly waiting: true }
  | { readonly state: EscalationState; readonly outcome: 'next' | 'exhausted' }
  | { readonly outcome: 'unacknowledged' | 'stopped' }
  | { readonly outcome: 'failed'; readonly notified: boolean };

/** Reads the step function's input, failing with every problem listed by its path. */
export function parseEscalationStepInput(value: unknown): EscalationStepInput {
  const parsed = escalationStepInputSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `invalid escalation step input (expected an action of ${ESCALATION_STEP_ACTIONS.join(', ')}): ${describeIssues(parsed.error.issues, '(input)').join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * Raised by the `await` step when the incident was acknowledged or resolved before the wait began; the state
 * machine catches it by name and ends the escalation.
 */
export class EscalationStoppedError extends Error {
  override readonly name = ESCALATION_STOPPED_ERROR;
}

/** Attempts at recording a timeline entry while the pipeline or a person changes the incident. */
const MAX_RECORD_ATTEMPTS = 8;

function policyOf(dependencies: EscalationStepDependencies, state: EscalationState): EscalationPolicy {
  const policy = dependencies.config.policies[state.policy];
  if (!policy) {
    throw new Error(
      `escalation ${state.execution} follows policy "${state.policy}", which the config no longer has; the policies are ${Object.keys(dependencies.config.policies).join(', ')}`,
    );
  }
  return policy;
}

/**
 * Adds a step's entry to the incident's timeline once (see `hasStepEvent`), reloading and retrying when the
 * incident changed under it. Nothing happens when the incident is gone.
 */
export async function recordStepEvent(
  incidents: IncidentRepository,
  state: EscalationState,
  event: TimelineEvent,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_RECORD_ATTEMPTS; attempt++) {
    const incident: Incident | undefined = await incidents.get(state.incidentId);
    if (!incident || hasStepEvent(incident, event, state.startedAt)) return;
    if (await incidents.put(appendTimelineEvents(incident, [event]))) return;
  }
  throw new Error(
    `incident ${state.incidentId} kept changing under ${MAX_RECORD_ATTEMPTS} attempts to record "${event.message}"`,
  );
}

/** Runs one step of an escalation. */
export async function runEscalationStep(
  input: EscalationStepInput,
  dependencies: EscalationStepDependencies,
): Promise<EscalationStepOutput> {
  const { incidents, tokens, notices, settings, now, config } = dependencies;
  const { state } = input;
  switch (input.action) {
    case 'notify': {
      const policy = policyOf(dependencies, state);
      const incident = await incidents.get(state.incidentId);
      const decision = decideNotify(state, policy, incident, now(), settings, config);
      if (decision.outcome === 'notified') {
        await notices.publish(decision.delivery.notice, decision.delivery.audience);
      }
      if (decision.outcome !== 'stopped') await recordStepEvent(incidents, state, decision.event);
      return { state, outcome: decision.outcome, timeoutSeconds: tierTimeoutSeconds(state, policy) };
    }
    case 'await': {
      const since = now();
      await tokens.put({
        incidentId: state.incidentId,
        execution: state.execution,
        token: input.taskToken,
        tier: state.tier,
        round: state.round,
        since,
        until: since + input.timeoutSeconds * 1000,
      });
      // Read after storing: an acknowledgement stored before the token was either seen here or finds the
      // token (it reads the token after storing itself), so the wait can never miss it.
      const stopped = stopReason(state, await incidents.get(state.incidentId), config);
      if (stopped !== undefined) {
        await tokens.delete(state.incidentId, input.taskToken);
        throw new EscalationStoppedError(stopped);
      }
      return { waiting: true };
    }
    case 'advance': {
      const decision = decideAdvance(state, policyOf(dependencies, state));
      return { state: decision.state, outcome: decision.outcome };
    }
    case 'unacknowledged': {
      const policy = policyOf(dependencies, state);
      const incident = await incidents.get(state.incidentId);
      const decision = decideExhausted(state, policy, incident, now(), settings, config);
      if (decision.outcome === 'stopped') return { outcome: 'stopped' };
      await notices.publish(decision.delivery.notice, decision.delivery.audience);
      await recordStepEvent(incidents, state, decision.event);
      return { outcome: 'unacknowledged' };
    }
    case 'failed': {
      const policy = dependencies.config.policies[state.policy];
      const incident = await incidents.get(state.incidentId);
      // Once someone has the incident (or it is gone), a broken escalation leaves nobody waiting.
      if (!incident || stopReason(state, incident, config) !== undefined)
        return { outcome: 'failed', notified: false };
      const decision = decideFailed(state, policy, incident, input.error, now(), settings);
      await notices.publish(decision.delivery.notice, decision.delivery.audience);
      await recordStepEvent(incidents, state, decision.event);
      return { outcome: 'failed', notified: true };
    }
  }
}
