import { type AckLinkSigner, ackLinkUrl } from '../../alerts/core/ack-links.js';
import {
  type Incident,
  SYSTEM_ACTOR,
  type TimelineEvent,
  type TimelineEventType,
} from '../../alerts/core/incident.js';
import {
  type IncidentNotice,
  incidentNotice,
  type IncidentEvent as NoticeEvent,
  type NoticeTier,
} from '../../notifications/core/message.js';
import type { NoticeAudience } from '../ports/notice-publisher.js';
import {
  type EscalationConfig,
  type EscalationPolicy,
  type EscalationTier,
  isTopicTarget,
  policyFor,
  policyTargets,
  SEVERITY_TOPIC_TARGET,
  tierHolds,
} from './policy.js';

/*
 * The escalation of one opening of an incident, step by step, as pure decisions: the state machine
 * (definition.ts) carries a small `EscalationState` from step to step, and each step reads the incident as
 * stored now and decides what to do.
 *
 * - notify: stop when the incident was acknowledged or resolved meanwhile (or reopened, which started a
 *   new escalation); skip the tier when its condition does not hold; otherwise notify its targets and
 *   wait for an acknowledgement for the tier's timeout;
 * - advance (after a wait timed out, or a skipped tier): the next tier, else the first tier of the next
 *   round while rounds are left, else exhausted;
 * - exhausted: an "unacknowledged" notice to every target of the policy, unless the incident stopped;
 * - failed: an "escalation-failed" notice, so that a broken escalation is never silent.
 *
 * Every step that does something adds an entry to the incident's timeline. A step may run again (the state
 * machine retries a failed Lambda), so notices get ids fixed by the execution and the step (a receiver
 * drops the repeat), and a step's timeline entry is recorded once (see `withStepEvent`).
 */

/** The error the `await` step fails with when the incident stopped before the wait began. */
export const ESCALATION_STOPPED_ERROR = 'EscalationStopped';

/** What the escalation carries from step to step (the state machine's `$.state`). Times are epoch ms. */
export interface EscalationState {
  readonly incidentId: string;
  /** The opening of the incident being escalated; a reopened incident gets an escalation of its own. */
  readonly reopenCount: number;
  /** The execution's name, which makes notice ids unique to it. */
  readonly execution: string;
  readonly policy: string;
  /** The current tier, from 0. */
  readonly tier: number;
  /** The current round through the tiers, from 0. */
  readonly round: number;
  readonly startedAt: number;
}

/** The input of an escalation execution. */
export interface EscalationStart {
  readonly state: EscalationState;
}

/** What notices say besides the incident: where they come from and the links in them. */
export interface NoticeSettings {
  readonly environment: string;
  /** The API's base URL, which the incident and acknowledge links start with. */
  readonly apiBaseUrl: string;
  readonly dashboardUrl?: string;
  /** Signs acknowledge links, which notices asking for an acknowledgement then carry. */
  readonly ackLinks?: AckLinkSigner;
}

/** A notice to publish and who it is for. */
export interface NoticeDelivery {
  readonly notice: IncidentNotice;
  readonly audience: NoticeAudience;
}

/** What the notify step decided. */
export type NotifyDecision =
  | { readonly outcome: 'stopped'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly event: TimelineEvent }
  | {
      readonly outcome: 'notified';
      readonly event: TimelineEvent;
      readonly delivery: NoticeDelivery;
      /** How long to wait for an acknowledgement, whole seconds (Step Functions' TimeoutSecondsPath). */
      readonly timeoutSeconds: number;
    };

/** What advancing after a tier decided. */
export interface AdvanceDecision {
  readonly outcome: 'next' | 'exhausted';
  readonly state: EscalationState;
}

/** What the exhausted step decided. */
export type ExhaustedDecision =
  | { readonly outcome: 'stopped'; readonly reason: string }
  | { readonly outcome: 'unacknowledged'; readonly event: TimelineEvent; readonly delivery: NoticeDelivery };

/** How a failed step reports itself: the state machine's error output (`{ Error, Cause }`). */
export interface StepFailure {
  readonly Error?: string;
  readonly Cause?: string;
}

/** What the failed step records and publishes. */
export interface FailedDecision {
  readonly event: TimelineEvent;
  readonly delivery: NoticeDelivery;
}

/**
 * The execution name of an incident's escalation by a policy, one per opening and policy
 * (`<incident id>-<reopen count>-<policy>`), so a retried start finds the execution it started before, and
 * an incident whose severity rose to another policy's gets an escalation of its own. Without a policy, the
 * name of the opening, which the notices about it (acknowledged, resolved) are named after. Step Functions
 * allows letters, digits, `-` and `_`, at most 80 characters.
 */
export function executionName(incident: Pick<Incident, 'id' | 'reopenCount'>, policy?: string): string {
  const safe = (text: string) => text.replace(/[^\w-]/g, '_');
  const suffix = `-${incident.reopenCount}${policy === undefined ? '' : `-${safe(policy)}`}`;
  return `${safe(incident.id).slice(0, 80 - suffix.length)}${suffix}`;
}

/** The input of the escalation of an incident's current opening by the named policy. */
export function escalationStart(incident: Incident, policy: string, at: number): EscalationStart {
  return {
    state: {
      incidentId: incident.id,
      reopenCount: incident.reopenCount,
      execution: executionName(incident, policy),
      policy,
      tier: 0,
      round: 0,
      startedAt: at,
    },
  };
}

/**
 * Why the escalation should stop now, or undefined while the incident still waits for someone. Given the
 * config, an escalation also stops once the incident's severity maps to another policy: the escalation by
 * that policy (started when the severity rose) takes over.
 */
export function stopReason(
  state: EscalationState,
  incident: Incident | undefined,
  config?: EscalationConfig,
): string | undefined {
  if (!incident) return `incident ${state.incidentId} no longer exists`;
  if (incident.reopenCount !== state.reopenCount) {
    return `incident ${incident.id} resolved and reopened since; the escalation of its reopening took over`;
  }
  switch (incident.status) {
    case 'acknowledged':
      return `acknowledged by ${incident.acknowledgedBy ?? 'someone'}`;
    case 'resolved':
      return `resolved by ${incident.resolvedBy ?? 'someone'}`;
    case 'pending':
      return `incident ${incident.id} is pending again`;
    case 'open': {
      const current = config && policyFor(config, incident.severity)?.name;
      if (current === undefined || current === state.policy) return undefined;
      return `the incident is ${incident.severity} now; the escalation by policy ${current} took over from ${state.policy}`;
    }
  }
}

/** A duration as people write it: `45s`, `5m`, `1h30m`, `2d`. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.round(ms / 1000) * 1000;
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length === 0 ? '0s' : parts.join('');
}

function tierOf(state: EscalationState, policy: EscalationPolicy): EscalationTier {
  const tier = policy.tiers[state.tier];
  if (!tier) {
    throw new Error(
      `policy ${state.policy} has ${policy.tiers.length} tier(s); escalation ${state.execution} is at tier ${state.tier + 1}`,
    );
  }
  return tier;
}

function noticeTier(state: EscalationState, policy: EscalationPolicy): NoticeTier {
  return { index: state.tier + 1, name: tierOf(state, policy).name, of: policy.tiers.length };
}

/** `tier 2 of 4 (manager)`, with the round when the policy repeats. */
function describeTier(state: EscalationState, policy: EscalationPolicy): string {
  const round = policy.repeat > 0 ? `, round ${state.round + 1} of ${policy.repeat + 1}` : '';
  return `tier ${state.tier + 1} of ${policy.tiers.length} (${tierOf(state, policy).name}${round})`;
}

function describeTargets(targets: readonly string[], incident: Incident): string {
  return targets
    .map((target) =>
      target === SEVERITY_TOPIC_TARGET
        ? `the ${incident.severity} topic`
        : isTopicTarget(target)
          ? `the topic ${target.slice(target.lastIndexOf(':') + 1)}`
          : target,
    )
    .join(', ');
}

/**
 * Who a notice to these targets is for: everyone on the severity topic when it is among them, else the
 * channels named, through the severity topic; and the topics named by ARN, which get it as it is.
 */
export function audienceOf(targets: readonly string[]): NoticeAudience {
  const topics = targets.filter(isTopicTarget);
  const channels = targets.filter((target) => !isTopicTarget(target) && target !== SEVERITY_TOPIC_TARGET);
  const extra = topics.length > 0 ? { topics } : {};
  if (targets.includes(SEVERITY_TOPIC_TARGET)) return extra;
  if (channels.length > 0) return { channels, ...extra };
  return { ...extra, severityTopic: false };
}

function systemEvent(type: TimelineEventType, at: number, message: string): TimelineEvent {
  return { at, type, actor: SYSTEM_ACTOR, message };
}

function notice(
  incident: Incident,
  event: NoticeEvent,
  settings: NoticeSettings,
  at: number,
  id: string,
  extra: { tier?: NoticeTier; reason?: string } = {},
): IncidentNotice {
  // Only a notice that asks for an acknowledgement links one; the others tell that the incident was taken.
  const asksForAck = event === 'trigger' || event === 'unacknowledged' || event === 'escalation-failed';
  return incidentNotice(incident, event, {
    environment: settings.environment,
    apiBaseUrl: settings.apiBaseUrl,
    dashboardUrl: settings.dashboardUrl,
    acknowledgeLink:
      asksForAck && settings.ackLinks
        ? ackLinkUrl(settings.apiBaseUrl, incident.id, settings.ackLinks, at)
        : undefined,
    at,
    id,
    ...extra,
  });
}

/** The notify step: stop, skip the current tier, or notify its targets and wait. */
export function decideNotify(
  state: EscalationState,
  policy: EscalationPolicy,
  incident: Incident | undefined,
  at: number,
  settings: NoticeSettings,
  config?: EscalationConfig,
): NotifyDecision {
  const stopped = stopReason(state, incident, config);
  // stopReason always has a reason for a missing incident; the check on it is for the type.
  if (stopped !== undefined || !incident) return { outcome: 'stopped', reason: stopped ?? 'no incident' };
  const tier = tierOf(state, policy);
  if (!tierHolds(tier, at)) {
    const condition = tier.condition!;
    const windows = condition.windows
      .map((window) => `${window.days.join(',')} ${window.start}-${window.end}`)
      .join('; ');
    return {
      outcome: 'skipped',
      event: systemEvent(
        'escalation-skipped',
        at,
        `skipped ${describeTier(state, policy)}: it holds only ${condition.when} ${windows} (${condition.timeZone})`,
      ),
    };
  }
  const wait = formatDuration(tier.timeoutMs);
  return {
    outcome: 'notified',
    event: systemEvent(
      'escalated',
      at,
      `notified ${describeTier(state, policy)}: ${describeTargets(tier.targets, incident)}; waiting ${wait} for an acknowledgement`,
    ),
    delivery: {
      notice: notice(
        incident,
        'trigger',
        settings,
        at,
        `${state.execution}:trigger:${state.tier + 1}:${state.round + 1}`,
        { tier: noticeTier(state, policy) },
      ),
      audience: audienceOf(tier.targets),
    },
    timeoutSeconds: tierTimeoutSeconds(state, policy),
  };
}

/** The tier's timeout in whole seconds, as the wait state takes it. */
export function tierTimeoutSeconds(state: EscalationState, policy: EscalationPolicy): number {
  return Math.ceil(tierOf(state, policy).timeoutMs / 1000);
}

/** Advancing after a tier: the next tier, the first tier of the next round, or exhausted. */
export function decideAdvance(state: EscalationState, policy: EscalationPolicy): AdvanceDecision {
  if (state.tier + 1 < policy.tiers.length)
    return { outcome: 'next', state: { ...state, tier: state.tier + 1 } };
  if (state.round < policy.repeat)
    return { outcome: 'next', state: { ...state, tier: 0, round: state.round + 1 } };
  return { outcome: 'exhausted', state };
}

/** After the last tier of the last round: tell every target nobody acknowledged, unless it stopped. */
export function decideExhausted(
  state: EscalationState,
  policy: EscalationPolicy,
  incident: Incident | undefined,
  at: number,
  settings: NoticeSettings,
  config?: EscalationConfig,
): ExhaustedDecision {
  const stopped = stopReason(state, incident, config);
  // stopReason always has a reason for a missing incident; the check on it is for the type.
  if (stopped !== undefined || !incident) return { outcome: 'stopped', reason: stopped ?? 'no incident' };
  const rounds = policy.repeat + 1;
  const reason = `nobody acknowledged after ${policy.tiers.length} tier(s)${rounds > 1 ? ` and ${rounds} rounds` : ''}`;
  return {
    outcome: 'unacknowledged',
    event: systemEvent('escalation-exhausted', at, `${reason}; the escalation gave up`),
    delivery: {
      notice: notice(incident, 'unacknowledged', settings, at, `${state.execution}:unacknowledged`, {
        reason,
      }),
      audience: audienceOf(policyTargets(policy)),
    },
  };
}

/** A step failure in one line: the error name and the Lambda's error message when the cause carries one. */
export function describeFailure(failure: StepFailure | undefined): string {
  const name = failure?.Error || 'an unknown error';
  const cause = failure?.Cause;
  if (!cause) return name;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return `${name}: ${parsed.errorMessage}`;
  } catch {
    // A cause that is not a Lambda error document is shown as it is.
  }
  return `${name}: ${cause}`;
}

/**
 * The failed step: an `escalation-failed` entry, and a notice to every target of the policy (to everyone
 * on the severity topic when the policy is unknown), so that nobody assumes someone is being paged.
 */
export function decideFailed(
  state: EscalationState,
  policy: EscalationPolicy | undefined,
  incident: Incident,
  failure: StepFailure | undefined,
  at: number,
  settings: NoticeSettings,
): FailedDecision {
  const where = policy?.tiers[state.tier] ? ` at ${describeTier(state, policy)}` : '';
  const reason = `escalation failed${where}: ${describeFailure(failure)}`;
  return {
    event: systemEvent('escalation-failed', at, `${reason}; nobody is being paged for this incident now`),
    delivery: {
      notice: notice(incident, 'escalation-failed', settings, at, `${state.execution}:escalation-failed`, {
        tier: policy?.tiers[state.tier] ? noticeTier(state, policy) : undefined,
        reason,
      }),
      audience: policy ? audienceOf(policyTargets(policy)) : {},
    },
  };
}

/** The notice that an incident was acknowledged or resolved, for the targets of its policy. */
export function stopNotice(
  incident: Incident,
  event: 'acknowledge' | 'resolve',
  policy: EscalationPolicy,
  at: number,
  settings: NoticeSettings,
): NoticeDelivery {
  return {
    notice: notice(incident, event, settings, at, `${executionName(incident)}:${event}`),
    audience: audienceOf(policyTargets(policy)),
  };
}

/**
 * Whether a step's timeline entry is on the incident already: the same kind of entry with the same
 * message since the escalation started. A step that recorded its entry and then failed runs again; it must
 * not record it twice. Messages name the tier and round, so two steps of one execution never match.
 */
export function hasStepEvent(incident: Incident, event: TimelineEvent, since: number): boolean {
  return incident.timeline.some(
    (entry) => entry.at >= since && entry.type === event.type && entry.message === event.message,
  );
}
