import type { Slo } from './slo.js';
import type { SloStatus } from './slo-evaluation.js';

/*
 * What `GET /api/v1/slos` answers for one SLO (DESIGN.md: "each SLO: SLI, error budget remaining and
 * consumed, burn rates per window, exhaustion forecast"): its definition and its status at the last
 * evaluation, times as ISO-8601. Optional fields may hold undefined, which JSON leaves out.
 */

/** One SLO as `GET /api/v1/slos` answers it. */
export interface SloView {
  readonly name: string;
  readonly description?: string;
  readonly model: string;
  readonly modelVersion?: string;
  readonly sli: Slo['sli'];
  readonly objective?: number;
  readonly window: Slo['window'];
  readonly evaluatedAt: string;
  /** Good / total over the window, for ratio SLIs with data. */
  readonly compliance?: number;
  readonly counts: SloStatus['counts'];
  readonly errorBudget: {
    /** Bad events (USD for cost SLOs) the window allows, and has spent. */
    readonly allowed: number;
    readonly spent: number;
    readonly consumed: number;
    readonly remaining: number;
  };
  readonly forecast: { readonly window: string; readonly burnRate?: number; readonly exhaustsAt?: string };
  readonly burnRates: ReadonlyArray<{
    readonly window: string;
    readonly burnRate?: number;
    readonly good: number;
    readonly total: number;
  }>;
  readonly alerts: ReadonlyArray<{
    readonly longWindow: string;
    readonly shortWindow: string;
    readonly severity: string;
    readonly burnRateThreshold: number;
    readonly longBurnRate?: number;
    readonly shortBurnRate?: number;
    readonly firing: boolean;
    readonly firingSince?: string;
  }>;
}

const iso = (at: number | undefined) => (at === undefined ? undefined : new Date(at).toISOString());

/** The API view of an SLO and its status. */
export function sloView(slo: Slo, status: SloStatus): SloView {
  const { budget, forecast } = status;
  return {
    name: slo.name,
    description: slo.description,
    model: slo.model,
    modelVersion: slo.modelVersion,
    sli: slo.sli,
    objective: slo.objective,
    window: slo.window,
    evaluatedAt: iso(status.evaluatedAt)!,
    compliance: budget.compliance,
    counts: status.counts,
    errorBudget: {
      allowed: budget.allowed,
      spent: budget.spent,
      consumed: budget.consumed,
      remaining: budget.remaining,
    },
    forecast: { window: forecast.window, burnRate: forecast.burnRate, exhaustsAt: iso(forecast.exhaustsAt) },
    burnRates: status.burnRates.map(({ window, burnRate, good, total }) => ({
      window,
      burnRate,
      good,
      total,
    })),
    alerts: status.alerts.map((alert) => ({
      longWindow: alert.longWindow,
      shortWindow: alert.shortWindow,
      severity: alert.severity,
      burnRateThreshold: alert.burnRateThreshold,
      longBurnRate: alert.longBurnRate,
      shortBurnRate: alert.shortBurnRate,
      firing: alert.firing,
      firingSince: iso(alert.firingSince),
    })),
  };
}
