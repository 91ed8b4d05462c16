import type { Incident } from '../../../lambdas/alerts/core/incident.js';
import type { IncidentQuery, IncidentRepository } from '../../../lambdas/alerts/ports/incident-repository.js';
import type { NoticeDelivery, NoticeSettings } from '../../../lambdas/escalation/core/escalation.js';
import type {
  IncidentNoticePublisher,
  NoticeAudience,
} from '../../../lambdas/escalation/ports/notice-publisher.js';
import type { TaskTokenStore, WaitingTask } from '../../../lambdas/escalation/ports/task-token-store.js';
import type { IncidentNotice } from '../../../lambdas/notifications/core/message.js';
import { firstArrival, ruleAlert, T0 } from '../alerts/adapters/aws/fixtures.js';

export { MINUTE, T0 } from '../alerts/adapters/aws/fixtures.js';

/** What notices say in the tests besides the incident. */
export const SETTINGS: NoticeSettings = { environment: 'test', apiBaseUrl: 'https://api.vigil.example' };

/** The incident the alert pipeline opens (version 1, status open) when a critical alert about `model` arrives. */
export function openedIncident(model = 'fraud-detector', at: number = T0): Incident {
  const [incident] = firstArrival(ruleAlert({ model, startsAt: at }), at).incidents;
  if (incident?.status !== 'open') throw new Error('the pipeline opens an incident for a new alert');
  return incident;
}

/** Records what is published; `fail` makes chosen publishes throw, each attempt counted. */
export class RecordingPublisher implements IncidentNoticePublisher {
  readonly published: NoticeDelivery[] = [];
  attempts = 0;
  constructor(private readonly fail: (notice: IncidentNotice) => boolean = () => false) {}

  async publish(notice: IncidentNotice, audience: NoticeAudience): Promise<void> {
    this.attempts += 1;
    if (this.fail(notice)) throw new Error(`the topic refused ${notice.id}`);
    this.published.push({ notice, audience });
  }

  /** The published notices as `[event, tier index or '-']`, in order. */
  events(): [string, number | '-'][] {
    return this.published.map(({ notice }) => [notice.event, notice.tier?.index ?? '-']);
  }
}

/** Waits in memory. */
export class MemoryTokenStore implements TaskTokenStore {
  readonly tasks = new Map<string, WaitingTask>();

  async put(task: WaitingTask): Promise<void> {
    this.tasks.set(task.incidentId, task);
  }

  async get(incidentId: string): Promise<WaitingTask | undefined> {
    return this.tasks.get(incidentId);
  }

  async delete(incidentId: string, token: string): Promise<void> {
    if (this.tasks.get(incidentId)?.token === token) this.tasks.delete(incidentId);
  }
}

/** Incidents in memory, with the repository's conditional-write contract. */
export class MemoryIncidentRepository implements IncidentRepository {
  readonly incidents = new Map<string, Incident>();

  constructor(...incidents: Incident[]) {
    for (const incident of incidents) this.incidents.set(incident.id, incident);
  }

  async get(id: string): Promise<Incident | undefined> {
    return this.incidents.get(id);
  }

  async listLive(resolvedSince: number): Promise<Incident[]> {
    return [...this.incidents.values()].filter(
      (incident) => incident.status !== 'resolved' || (incident.resolvedAt ?? 0) >= resolvedSince,
    );
  }

  async list(query: IncidentQuery): Promise<Incident[]> {
    return [...this.incidents.values()].filter(
      (incident) => !query.status || incident.status === query.status,
    );
  }

  async put(incident: Incident): Promise<boolean> {
    const stored = this.incidents.get(incident.id)?.version ?? 0;
    if (stored !== incident.version - 1) return false;
    this.incidents.set(incident.id, incident);
    return true;
  }
}
