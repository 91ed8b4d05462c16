import type { Incident } from './incident.js';
import type { PipelineCounters } from './pipeline-state.js';

/** The alert-fatigue figures of `GET /api/v1/incidents/stats`. */
export interface IncidentStats {
  readonly alertsReceived: number;
  readonly deduplicated: number;
  readonly silenced: number;
  readonly inhibited: number;
  readonly fatigueSuppressed: number;
  readonly notificationsSent: number;
  /** Incidents that opened (pending incidents that never opened are left out). */
  readonly incidents: number;
  /** Alerts per opened incident: mean and median; undefined without incidents. */
  readonly alertsPerIncident: { readonly mean: number; readonly median: number } | undefined;
  /** From opening to the first acknowledgement, over acknowledged incidents, ms. */
  readonly timeToAcknowledge:
    | { readonly count: number; readonly meanMs: number; readonly medianMs: number }
    | undefined;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The alert-fatigue statistics from the pipeline's counters and the incidents of the same period. */
export function incidentStats(counters: PipelineCounters, incidents: Iterable<Incident>): IncidentStats {
  const opened = [...incidents].filter((incident) => incident.openedAt !== undefined);
  const alertCounts = opened.map((incident) => incident.alerts.length);
  const acknowledgeTimes = opened.flatMap((incident) =>
    incident.firstAcknowledgedAt === undefined ? [] : [incident.firstAcknowledgedAt - incident.openedAt!],
  );
  return {
    alertsReceived: counters.alertsReceived,
    deduplicated: counters.deduplicated,
    silenced: counters.silenced,
    inhibited: counters.inhibited,
    fatigueSuppressed: counters.fatigueSuppressed,
    notificationsSent: counters.notificationsSent,
    incidents: opened.length,
    alertsPerIncident:
      alertCounts.length > 0 ? { mean: mean(alertCounts), median: median(alertCounts) } : undefined,
    timeToAcknowledge:
      acknowledgeTimes.length > 0
        ? {
            count: acknowledgeTimes.length,
            meanMs: mean(acknowledgeTimes),
            medianMs: median(acknowledgeTimes),
          }
        : undefined,
  };
}
