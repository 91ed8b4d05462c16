import type { Incident } from '../../alerts/core/incident.js';
import type { IncidentEvent } from '../../alerts/core/pipeline.js';
import type { IncidentRepository } from '../../alerts/ports/incident-repository.js';
import type { EscalationControl } from '../ports/escalation-control.js';
import type { IncidentNoticePublisher } from '../ports/notice-publisher.js';
import { type NoticeSettings, stopNotice } from './escalation.js';
import { type EscalationConfig, policyFor } from './policy.js';

/*
 * Escalations follow incidents: the alerting use cases call `onIncidentEvents` with every incident change
 * once it is stored. An incident that opens (or reopens, open again) starts the escalation of that
 * opening; one whose severity rose to another policy's (a warning joined by a critical alert) is escalated
 * again by that policy from its first tier, as a critical incident would have been from the start; one
 * acknowledged or resolved completes the escalation's wait and tells the policy's targets, so PagerDuty
 * acknowledges or resolves its incident too (the incident id is its dedup key).
 *
 * A failure is reported and the other events still go on; it does not fail the caller, whose change is
 * stored already and would not be told again on a retry. What is lost is bounded: every step of the
 * workflow reads the incident again, so an escalation whose wait was not completed stops at its next step.
 */

/** What incident escalations need. */
export interface IncidentEscalationsDependencies {
  readonly incidents: IncidentRepository;
  readonly control: EscalationControl;
  readonly notices: IncidentNoticePublisher;
  readonly config: EscalationConfig;
  readonly settings: NoticeSettings;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** Where failures are reported (a log line). */
  readonly onError: (message: string, error: unknown, details: Record<string, unknown>) => void;
}

/** What resuming escalations needs. */
export type EscalationResumerDependencies = Pick<
  IncidentEscalationsDependencies,
  'incidents' | 'control' | 'onError'
>;

/**
 * Starts the escalation of every open incident again, for the alert-rules job to run every minute: an
 * incident whose escalation could not start when it opened (the workflow engine unreachable, the function
 * stopped between storing the incident and starting it) is paged a minute later rather than never. Starting
 * is idempotent by the execution's name, so an escalation that runs, or ran and ended, is left as it is.
 * Answers how many open incidents were checked; a failure is reported and the others still go on.
 */
export function escalationResumer(dependencies: EscalationResumerDependencies): () => Promise<number> {
  const { incidents, control, onError } = dependencies;
  return async () => {
    const open = await incidents.list({ status: 'open' });
    for (const incident of open) {
      try {
        await control.start(incident);
      } catch (error) {
        onError(`could not resume the escalation of incident ${incident.id}`, error, {
          incidentId: incident.id,
        });
      }
    }
    return open.length;
  };
}

/** What to do about one incident event, by its type and the incident's status after it. */
function actionOf(event: IncidentEvent): 'start' | 'escalate' | 'acknowledge' | 'resolve' | undefined {
  const { type } = event.event;
  if ((type === 'opened' || type === 'reopened') && event.status === 'open') return 'start';
  if (type === 'severity-raised' && event.status === 'open') return 'escalate';
  if (type === 'acknowledged') return 'acknowledge';
  if (type === 'resolved') return 'resolve';
  return undefined;
}

/** The `onIncidentEvents` of the alerting use cases that starts and stops escalations. */
export function incidentEscalations(
  dependencies: IncidentEscalationsDependencies,
): (events: readonly IncidentEvent[]) => Promise<void> {
  const { incidents, control, notices, config, settings, now, onError } = dependencies;

  const handle = async (action: 'start' | 'escalate' | 'acknowledge' | 'resolve', incident: Incident) => {
    if (action === 'start') return control.start(incident);
    if (action === 'escalate') return control.escalate(incident);
    await control.complete(incident.id, action === 'acknowledge' ? 'acknowledged' : 'resolved');
    // Only an incident that was ever open was escalated; one closed while pending paged nobody.
    const chosen = policyFor(config, incident.severity);
    if (!chosen || incident.openedAt === undefined) return;
    const { notice, audience } = stopNotice(incident, action, chosen.policy, now(), settings);
    await notices.publish(notice, audience);
  };

  return async (events) => {
    for (const event of events) {
      const action = actionOf(event);
      if (!action) continue;
      try {
        const incident = await incidents.get(event.incidentId);
        if (incident) await handle(action, incident);
      } catch (error) {
        onError(`could not ${action} the escalation of incident ${event.incidentId}`, error, {
          incidentId: event.incidentId,
          event: event.event.type,
        });
      }
    }
  };
}
