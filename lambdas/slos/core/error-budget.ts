import { burnRate, timeToExhaustionMs } from './burn-rate.js';
import { type SlaCredit, type Slo, sloWindowMs } from './slo.js';

/*
 * An SLO's error budget and burn rates from its SLI counts over a window (see slo.ts for the SLI kinds).
 *
 * Ratio SLIs (availability, latency, accuracy) spend their budget in bad events: over a window with `good`
 * of `total` events the error rate is `(total - good) / total`, the burn rate is that over `1 - objective`,
 * and the budget over the SLO window is `(1 - objective) × total` bad events, so the share consumed is the
 * window's burn rate. A window without events has no error rate (no data), and its budget is untouched.
 *
 * Cost SLIs spend their budget in dollars: `total` is the spend (USD) and `good` is unused. The budget is
 * `budgetUsd` per SLO window, a window of length w may spend `budgetUsd × w / sloWindow` at burn rate 1,
 * and a window without spend burns at 0.
 *
 * The exhaustion forecast extrapolates the burn rate of the SLO's `projectionWindow` (1 h by default, the
 * long window of the fastest page, so the forecast on-call sees matches the rate that paged them) from the
 * evaluation time: remaining share × SLO window / burn rate. It ignores that old errors will leave the
 * rolling window meanwhile, so it errs early, which is the safe side for a forecast. With nothing being
 * spent there is no forecast; with the budget already spent, it is exhausted now.
 */

/** Good and total events of an SLI over a window; for cost SLOs `total` is the spend in USD. */
export interface SliWindowCounts {
  readonly good: number;
  readonly total: number;
}

/** Counts of a window without events. */
export const NO_COUNTS: SliWindowCounts = { good: 0, total: 0 };

/** The error rate of a ratio SLI's counts; undefined without events. */
export function errorRate(counts: SliWindowCounts): number | undefined {
  if (!(counts.total > 0)) return undefined;
  return Math.min(Math.max((counts.total - counts.good) / counts.total, 0), 1);
}

/** Good events / all events of a ratio SLI; undefined without events, and for cost SLOs. */
export function sloCompliance(slo: Pick<Slo, 'sli'>, counts: SliWindowCounts): number | undefined {
  if (slo.sli.kind === 'cost') return undefined;
  const rate = errorRate(counts);
  return rate === undefined ? undefined : 1 - rate;
}

/** The SLO's burn rate over a window of `windowMs` with these counts; undefined without data. */
export function sloBurnRate(
  slo: Pick<Slo, 'sli' | 'objective' | 'window'>,
  counts: SliWindowCounts,
  windowMs: number,
): number | undefined {
  if (slo.sli.kind === 'cost') {
    const allowance = (slo.sli.budgetUsd * windowMs) / sloWindowMs(slo);
    return Math.max(counts.total, 0) / allowance;
  }
  const rate = errorRate(counts);
  return rate === undefined ? undefined : burnRate(rate, slo.objective!);
}

/** An SLO's error budget over its window. */
export interface ErrorBudget {
  /** What the window may spend: bad events for ratio SLIs, USD for cost SLIs. */
  readonly allowed: number;
  /** What it has spent, in the same unit. */
  readonly spent: number;
  /** spent / allowed: 1 when the budget is gone, more when overspent. */
  readonly consumed: number;
  /** 1 - consumed: negative when overspent. */
  readonly remaining: number;
  /** Good / total for ratio SLIs with events. */
  readonly compliance?: number;
}

/** The error budget of an SLO from its counts over the whole SLO window. */
export function errorBudget(slo: Pick<Slo, 'sli' | 'objective'>, windowCounts: SliWindowCounts): ErrorBudget {
  if (slo.sli.kind === 'cost') {
    const spent = Math.max(windowCounts.total, 0);
    const consumed = spent / slo.sli.budgetUsd;
    return { allowed: slo.sli.budgetUsd, spent, consumed, remaining: 1 - consumed };
  }
  const total = Math.max(windowCounts.total, 0);
  const spent = Math.min(Math.max(total - windowCounts.good, 0), total);
  const allowed = (1 - slo.objective!) * total;
  const consumed = total > 0 ? spent / allowed : 0;
  const compliance = sloCompliance(slo, windowCounts);
  return {
    allowed,
    spent,
    consumed,
    remaining: 1 - consumed,
    ...(compliance === undefined ? {} : { compliance }),
  };
}

/** When the budget runs out at the recent burn rate. */
export interface ExhaustionForecast {
  /** The window the burn rate was read from, such as `1h`. */
  readonly window: string;
  /** Its burn rate; undefined without data. */
  readonly burnRate?: number;
  /** When the remaining budget is gone at that rate (the evaluation time if it already is); undefined when nothing is spent. */
  readonly exhaustsAt?: number;
}

/** Extrapolates the projection window's burn rate from `at` until the remaining budget is gone. */
export function exhaustionForecast(
  slo: Pick<Slo, 'window' | 'projectionWindow'>,
  budget: Pick<ErrorBudget, 'remaining'>,
  projectionBurnRate: number | undefined,
  at: number,
): ExhaustionForecast {
  const base = { window: slo.projectionWindow };
  const withRate = projectionBurnRate === undefined ? base : { ...base, burnRate: projectionBurnRate };
  if (budget.remaining <= 0) return { ...withRate, exhaustsAt: at };
  const untilMs = timeToExhaustionMs(projectionBurnRate ?? 0, sloWindowMs(slo), budget.remaining);
  return Number.isFinite(untilMs) ? { ...withRate, exhaustsAt: at + untilMs } : withRate;
}

/** The credit an SLA grants for a compliance: the deepest breached threshold's, or 0. */
export function slaCredit(
  compliance: number | undefined,
  credits: readonly SlaCredit[],
): { readonly creditPercent: number; readonly breached?: SlaCredit } {
  if (compliance === undefined) return { creditPercent: 0 };
  const breached = credits
    .filter((credit) => compliance < credit.below)
    .sort((a, b) => a.below - b.below || b.creditPercent - a.creditPercent)[0];
  return breached ? { creditPercent: breached.creditPercent, breached } : { creditPercent: 0 };
}
