import type { Incident } from '../../core/incident.js';
import type { IncidentQuery, IncidentRepository } from '../../ports/incident-repository.js';
import { type ItemFilter, type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of incidents (`sk` is the incident's id). */
export const INCIDENT_PARTITION = 'INCIDENT';

/** How long a resolved incident is kept for the API and the statistics: 90 days. */
export const DEFAULT_INCIDENT_RETENTION_MS = 90 * 86_400_000;

/** Properties of `DynamoDbIncidentRepository`. */
export interface DynamoDbIncidentRepositoryProps extends StateTableRepositoryProps {
  /** How long a resolved incident is kept after it resolved, ms. @default 90 days */
  readonly incidentRetentionMs?: number;
}

/** Newest first; the id breaks ties so the order is stable. */
const newestFirst = (a: Incident, b: Incident) => b.createdAt - a.createdAt || a.id.localeCompare(b.id);

/**
 * Incidents in the state table's `INCIDENT` partition, with `status`, `createdAt` and `resolvedAt` beside
 * each for filters. A resolved incident expires (TTL) a retention after it resolved; reopening it clears
 * the expiry, as the write replaces the whole item.
 */
export class DynamoDbIncidentRepository implements IncidentRepository {
  private readonly items: VersionedItems<Incident>;
  private readonly retentionMs: number;

  constructor(props: DynamoDbIncidentRepositoryProps) {
    this.items = new VersionedItems(INCIDENT_PARTITION, props);
    this.retentionMs = props.incidentRetentionMs ?? DEFAULT_INCIDENT_RETENTION_MS;
    if (!(this.retentionMs >= 0)) {
      throw new Error(`incidentRetentionMs must be a duration of 0 ms or more, got ${this.retentionMs}`);
    }
  }

  get(id: string): Promise<Incident | undefined> {
    return this.items.get(id);
  }

  listLive(resolvedSince: number): Promise<Incident[]> {
    return this.items.query({
      expression: '#status <> :resolved OR #resolvedAt >= :resolvedSince',
      names: { '#status': 'status', '#resolvedAt': 'resolvedAt' },
      values: { ':resolved': 'resolved', ':resolvedSince': resolvedSince },
    });
  }

  async list(query: IncidentQuery): Promise<Incident[]> {
    const incidents = await this.items.query(filterOf(query));
    incidents.sort(newestFirst);
    return query.limit === undefined ? incidents : incidents.slice(0, query.limit);
  }

  put(incident: Incident): Promise<boolean> {
    const resolvedAt = incident.status === 'resolved' ? incident.resolvedAt : undefined;
    return this.items.put({
      key: incident.id,
      version: incident.version,
      record: incident,
      attributes: { status: incident.status, createdAt: incident.createdAt, resolvedAt },
      expiresAtMs: resolvedAt === undefined ? undefined : resolvedAt + this.retentionMs,
    });
  }
}

/** The FilterExpression of a list query: status, and creation in [from, to). */
function filterOf(query: IncidentQuery): ItemFilter | undefined {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.status !== undefined) {
    conditions.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  if (query.from !== undefined) {
    conditions.push('#createdAt >= :from');
    names['#createdAt'] = 'createdAt';
    values[':from'] = query.from;
  }
  if (query.to !== undefined) {
    conditions.push('#createdAt < :to');
    names['#createdAt'] = 'createdAt';
    values[':to'] = query.to;
  }
  return conditions.length === 0 ? undefined : { expression: conditions.join(' AND '), names, values };
}
