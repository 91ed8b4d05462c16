import type { Incident, IncidentStatus } from '../core/incident.js';

/** Which incidents `IncidentRepository.list` returns. */
export interface IncidentQuery {
  readonly status?: IncidentStatus;
  /** Created at or after, epoch ms. */
  readonly from?: number;
  /** Created before, epoch ms. */
  readonly to?: number;
  /** At most this many, newest first. */
  readonly limit?: number;
}

/**
 * Keeps incidents with their timelines. Writes are optimistic: `put` stores an incident only if the
 * stored version is `incident.version - 1` (none when it is 1), else returns false and stores nothing;
 * an acknowledgement racing the pipeline then reloads and tries again, so neither change is lost.
 */
export interface IncidentRepository {
  /** The incident with this id, if it exists. */
  get(id: string): Promise<Incident | undefined>;
  /**
   * The incidents alerts may still join: every one not resolved, and those resolved at or after
   * `resolvedSince` (now minus the reopen window).
   */
  listLive(resolvedSince: number): Promise<Incident[]>;
  /** Incidents for `GET /api/v1/incidents` and the statistics. */
  list(query: IncidentQuery): Promise<Incident[]>;
  /** Stores the incident if the stored version is `incident.version - 1`. */
  put(incident: Incident): Promise<boolean>;
}
