/*
 * The arithmetic of error budgets and burn rates from the Google SRE Workbook, chapter 5 "Alerting on SLOs"
 * (https://sre.google/workbook/alerting-on-slos/), as plain functions of numbers. Durations are ms; the
 * objective and error rates are fractions (0.999, 0.01).
 *
 * - The error budget of an SLO is the fraction of events allowed to fail, `1 - objective`; over a time
 *   window it is as much time at a 100 % error rate: 0.1 % of 30 days is 43.2 minutes.
 * - The burn rate is how fast the budget is spent relative to the rate that spends exactly all of it by the
 *   end of the SLO window: `errorRate / (1 - objective)`. At burn rate 1 the budget lasts the window; at 2
 *   it lasts half of it.
 * - An alert that fires when `budgetConsumed` of the budget is spent within `longWindow` must fire at the
 *   burn rate `budgetConsumed × sloWindow / longWindow`: 2 % in 1 hour of a 30-day window is 14.4.
 * - An error rate `e` above the alert's rate fills the long window to that rate after
 *   `(1 - objective) / e × longWindow × burnRate` (the Workbook's detection time): 51.84 s for a 100 %
 *   error rate against a 99.9 % objective with the 1 h / 14.4 alert.
 */

/** How many times faster than sustainable an error rate spends the budget of an objective. */
export function burnRate(errorRate: number, objective: number): number {
  return errorRate / (1 - objective);
}

/** The error rate at which a burn rate is reached: the alert's threshold on the error rate itself. */
export function errorRateAtBurnRate(burn: number, objective: number): number {
  return burn * (1 - objective);
}

/** The burn rate that spends `budgetConsumed` (a fraction) of the budget in `longWindowMs`. */
export function burnRateForBudget(budgetConsumed: number, sloWindowMs: number, longWindowMs: number): number {
  return (budgetConsumed * sloWindowMs) / longWindowMs;
}

/** The fraction of the budget a burn rate spends in `durationMs`. */
export function budgetConsumedAt(burn: number, durationMs: number, sloWindowMs: number): number {
  return (burn * durationMs) / sloWindowMs;
}

/**
 * How long until `remaining` (a fraction of the budget, 1 for all of it) is spent at a burn rate; 0 when
 * nothing remains, Infinity when nothing is being spent.
 */
export function timeToExhaustionMs(burn: number, sloWindowMs: number, remaining = 1): number {
  if (remaining <= 0) return 0;
  if (!(burn > 0)) return Number.POSITIVE_INFINITY;
  return (remaining * sloWindowMs) / burn;
}

/** The time a whole SLO window may spend at a 100 % error rate: 43.2 minutes for 99.9 % over 30 days. */
export function errorBudgetDurationMs(objective: number, sloWindowMs: number): number {
  return (1 - objective) * sloWindowMs;
}

/**
 * How long a constant error rate, starting after an error-free long window, takes to raise the long
 * window's burn rate above the alert's: `(1 - objective) / errorRate × longWindow × burnRate`. Infinity
 * when the error rate never gets there (at or below the alert's error rate).
 */
export function detectionTimeMs(
  objective: number,
  errorRate: number,
  longWindowMs: number,
  alertBurnRate: number,
): number {
  if (!(errorRate > errorRateAtBurnRate(alertBurnRate, objective))) return Number.POSITIVE_INFINITY;
  return ((1 - objective) / errorRate) * longWindowMs * alertBurnRate;
}
