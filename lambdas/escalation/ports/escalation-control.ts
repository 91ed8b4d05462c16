import type { Incident } from '../../alerts/core/incident.js';

/**
 * How an escalation stopped from outside: someone acknowledged the incident, it resolved, or its severity
 * rose to another policy's, whose escalation took over.
 */
export type EscalationOutcome = 'acknowledged' | 'resolved' | 'superseded';

/**
 * Starts and stops incident escalations (the Step Functions workflow in AWS, aws-local-stepfunctions
 * locally). Both are idempotent: starting the same opening of an incident twice runs one escalation, and
 * completing one that already finished changes nothing.
 */
export interface EscalationControl {
  /** Starts the escalation of this opening of the incident, by the policy of its severity (if it has one). */
  start(incident: Incident): Promise<void>;
  /** Ends the wait for an acknowledgement of the incident's escalation, if one is waiting. */
  complete(incidentId: string, outcome: EscalationOutcome): Promise<void>;
  /**
   * After the incident's severity rose: when its severity now maps to another policy, ends the wait of the
   * escalation by the earlier policy and starts one by the new policy from its first tier; else nothing.
   */
  escalate(incident: Incident): Promise<void>;
}
