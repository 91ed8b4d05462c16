/** The wait for an acknowledgement an escalation is in, as the workflow's `await` step stores it. */
export interface WaitingTask {
  readonly incidentId: string;
  /** The execution that waits. */
  readonly execution: string;
  /** The task token that completes the wait. */
  readonly token: string;
  /** The tier waited on, from 0, and the round, from 0. */
  readonly tier: number;
  readonly round: number;
  /** When the wait began and when it times out, epoch ms. */
  readonly since: number;
  readonly until: number;
}

/**
 * Keeps, per incident, the task token of the wait its escalation is in, so that acknowledging or resolving
 * the incident can complete it. A later wait replaces an earlier one.
 */
export interface TaskTokenStore {
  /** Stores the wait, replacing any earlier one of the incident. */
  put(task: WaitingTask): Promise<void>;
  /** The incident's current wait, if one is stored. */
  get(incidentId: string): Promise<WaitingTask | undefined>;
  /** Forgets the incident's wait if it still holds this token (a newer wait stays). */
  delete(incidentId: string, token: string): Promise<void>;
}
