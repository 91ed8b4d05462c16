import { ALERT_NAME_LABEL, type Alert, type Labels, type Severity } from '../../alerts/core/alert.js';
import { RESOLVED_RETENTION_MS } from '../../alerts/core/rule-evaluation.js';
import { compileTemplate } from '../../alerts/core/templates.js';
import { parseDuration } from '../../shared/time.js';
import {
  type ErrorBudget,
  type ExhaustionForecast,
  errorBudget,
  exhaustionForecast,
  type SliWindowCounts,
  sloBurnRate,
} from './error-budget.js';
import { type SloWindowCounts, sloCountWindows, windowEnd } from './sli-windows.js';
import {
  type AlertAction,
  type BurnRateAlertWindow,
  burnRateAlertWindows,
  SLO_ALERT_LABELS,
  type SliKind,
  type Slo,
  type SloWindow,
  sloWindowMs,
  windowPairKey,
} from './slo.js';

/*
 * One evaluation of an SLO at `at` from its counts over each window (sli-windows.ts): compliance and error
 * budget over the SLO window, the burn rate of every window, the exhaustion forecast, and each burn-rate
 * alert's state.
 *
 * Each window pair of the SLO's alert policy is one alert, with the Workbook's multiwindow semantics:
 *
 *   inactive --long AND short burn faster than the pair's rate--> firing
 *   firing --short window no longer faster than the rate--> resolved (kept as history)
 *   resolved --both faster again--> firing (a new alert, with a new firedAt)
 *
 * Only the short window decides the resolution: once an alert fires, it keeps firing while budget is
 * still burning fast now, even if a long window's average dips under the rate, and it resolves within a
 * short window of the errors stopping (the Workbook's point in pairing windows: the long window alone
 * would keep an alert firing for up to an hour after the fix). "Faster than" is strict, as in the
 * Workbook's `>` expressions, and a window without data (no events) burns at nothing, so traffic that
 * stops lets a firing alert resolve. A pair that disappears from the configuration resolves at once.
 *
 * The state is one plain object per SLO (one DynamoDB item): JSON-safe numbers and strings, undefined
 * fields left out, a version that grows by one at every evaluation for a conditional write, and the
 * firing alerts plus those resolved in the last 8 days (at most 100), which the weekly report lists.
 */

/** How often the SLO job evaluates every SLO (EventBridge Scheduler, DESIGN.md). */
export const SLO_EVALUATION_INTERVAL_MS = 5 * 60_000;
/** A firing SLO alert's `endsAt` lies four evaluations ahead, so it lapses if the job stops (as rules do). */
export const SLO_ALERT_LAPSE_MS = 4 * SLO_EVALUATION_INTERVAL_MS;
/** How long resolved alerts stay in the state: a week for the weekly report, and a day of slack. */
export const SLO_ALERT_HISTORY_MS = 8 * 86_400_000;
/** At most this many alerts stay in the state, so one flapping SLO cannot outgrow its DynamoDB item. */
export const MAX_SLO_ALERT_HISTORY = 100;

/** Where one window pair's alert is. */
export type SloAlertState = 'firing' | 'resolved';

/** One burn-rate alert of an SLO, as kept between evaluations. Times are epoch ms. */
export interface SloAlertInstance {
  readonly longWindow: string;
  readonly shortWindow: string;
  /** The severity it fired with; kept, so its labels (and fingerprint) stay the same while it fires. */
  readonly severity: Severity;
  readonly action: AlertAction;
  readonly state: SloAlertState;
  readonly firedAt: number;
  readonly resolvedAt?: number;
  /** The long window's burn rate at the last evaluation that saw the alert; absent without data. */
  readonly burnRate?: number;
  /** The short window's burn rate then. */
  readonly shortBurnRate?: number;
  readonly lastEvaluatedAt: number;
}

/** Everything one SLO remembers between evaluations. */
export interface SloState {
  /** The SLO's name. */
  readonly slo: string;
  /** 1 after the first evaluation, one more after each; write it only if the stored one is `version - 1`. */
  readonly version: number;
  readonly evaluatedAt: number;
  /** Firing alerts and recently resolved ones, oldest first. */
  readonly alerts: readonly SloAlertInstance[];
}

/** The burn rate over one window. */
export interface WindowBurnRate {
  /** The window's length, such as `1h`. */
  readonly window: string;
  readonly windowMs: number;
  readonly good: number;
  readonly total: number;
  /** Undefined without data. */
  readonly burnRate?: number;
}

/** One window pair's alert as `GET /api/v1/slos` shows it. */
export interface BurnRateAlertStatus {
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly action: AlertAction;
  readonly severity: Severity;
  /** The rate both windows must exceed. */
  readonly burnRateThreshold: number;
  /** The share of the budget the long window spends at that rate. */
  readonly budgetConsumed: number;
  readonly longBurnRate?: number;
  readonly shortBurnRate?: number;
  readonly firing: boolean;
  readonly firingSince?: number;
}

/** An SLO at one time: what `GET /api/v1/slos` answers for it. */
export interface SloStatus {
  readonly slo: string;
  readonly sli: SliKind;
  readonly model: string;
  readonly modelVersion?: string;
  readonly objective?: number;
  readonly window: SloWindow;
  readonly evaluatedAt: number;
  /** Where every window ends: the start of the evaluation's minute. */
  readonly windowEnd: number;
  /** The counts over the SLO window. */
  readonly counts: SliWindowCounts;
  readonly budget: ErrorBudget;
  readonly forecast: ExhaustionForecast;
  /** Every window read, longest first. */
  readonly burnRates: readonly WindowBurnRate[];
  readonly alerts: readonly BurnRateAlertStatus[];
}

/** A change of one window pair's alert. */
export interface SloAlertTransition {
  readonly slo: string;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly action: AlertAction;
  readonly severity: Severity;
  /** The state it went to: `firing` from inactive (or from resolved), `resolved` from firing. */
  readonly state: SloAlertState;
  readonly at: number;
  readonly burnRate?: number;
  readonly shortBurnRate?: number;
}

/** The outcome of one evaluation. */
export interface SloEvaluation {
  /** The state to store (the previous one, unchanged, when skipped). */
  readonly state: SloState;
  readonly status: SloStatus;
  /** What changed, in the order of the SLO's window pairs. */
  readonly transitions: readonly SloAlertTransition[];
  /** What to hand to the alert pipeline: firing alerts, and resolutions of the last 15 minutes. */
  readonly alerts: readonly Alert[];
  /** True when `at` was not after the previous evaluation: nothing changed and nothing is to be stored. */
  readonly skipped: boolean;
}

/** Tuning of the evaluation, for tests and backtests. */
export interface SloEvaluationOptions {
  /** How long after its resolution an alert is still sent as resolved; 15 minutes, as for rules. */
  readonly resolvedRetentionMs?: number;
  /** How long resolved alerts stay in the state; SLO_ALERT_HISTORY_MS by default. */
  readonly historyMs?: number;
  /** How far past the evaluation a firing alert's `endsAt` lies; SLO_ALERT_LAPSE_MS by default. */
  readonly lapseAfterMs?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A window's length as text: `30d`, `6h`, `5m`. */
export function formatWindow(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  return `${ms / 60_000}m`;
}

/** The object without its undefined fields, so it stores and compares as plain JSON. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

function countsOf(counts: SloWindowCounts, windowMs: number): SliWindowCounts {
  const found = counts.get(windowMs);
  if (!found) {
    throw new Error(
      `no counts for the ${formatWindow(windowMs)} window; read every window sloCountWindows lists`,
    );
  }
  return found;
}

function burnRatesOf(slo: Slo, counts: SloWindowCounts, at: number): Map<number, WindowBurnRate> {
  return new Map(
    sloCountWindows(slo, at).map(({ windowMs }) => {
      const windowCounts = countsOf(counts, windowMs);
      const burnRate = sloBurnRate(slo, windowCounts, windowMs);
      const entry = defined<WindowBurnRate>({
        window: formatWindow(windowMs),
        windowMs,
        good: windowCounts.good,
        total: windowCounts.total,
        burnRate,
      });
      return [windowMs, entry];
    }),
  );
}

const above = (burnRate: number | undefined, threshold: number) =>
  burnRate !== undefined && burnRate > threshold;

/**
 * The SLO's status at `at` from its window counts. With a state, alerts show as firing when the state says
 * so; without one, when both windows of the pair burn faster than its rate.
 */
export function sloStatus(slo: Slo, counts: SloWindowCounts, at: number, state?: SloState): SloStatus {
  const burnRates = burnRatesOf(slo, counts, at);
  const windowCounts = countsOf(counts, sloWindowMs(slo));
  const budget = errorBudget(slo, windowCounts);
  const projection = burnRates.get(parseDuration(slo.projectionWindow))?.burnRate;
  const firingByKey = new Map(
    (state?.alerts ?? [])
      .filter((alert) => alert.state === 'firing')
      .map((alert) => [windowPairKey(alert), alert]),
  );
  const alerts = burnRateAlertWindows(slo).map((pair) => {
    const longBurnRate = burnRates.get(pair.longWindowMs)?.burnRate;
    const shortBurnRate = burnRates.get(pair.shortWindowMs)?.burnRate;
    const instance = firingByKey.get(windowPairKey(pair));
    const firing = state
      ? instance !== undefined
      : above(longBurnRate, pair.burnRate) && above(shortBurnRate, pair.burnRate);
    return defined<BurnRateAlertStatus>({
      longWindow: pair.longWindow,
      shortWindow: pair.shortWindow,
      action: pair.action,
      severity: pair.severity,
      burnRateThreshold: pair.burnRate,
      budgetConsumed: pair.budgetConsumed,
      longBurnRate,
      shortBurnRate,
      firing,
      firingSince: instance?.firedAt,
    });
  });
  return defined<SloStatus>({
    slo: slo.name,
    sli: slo.sli.kind,
    model: slo.model,
    modelVersion: slo.modelVersion,
    objective: slo.objective,
    window: slo.window,
    evaluatedAt: at,
    windowEnd: windowEnd(at),
    counts: windowCounts,
    budget,
    forecast: exhaustionForecast(slo, budget, projection, at),
    burnRates: [...burnRates.values()],
    alerts,
  });
}

/** The history kept: resolved alerts within `historyMs`, and at most MAX_SLO_ALERT_HISTORY alerts in all. */
function prune(alerts: SloAlertInstance[], at: number, historyMs: number): SloAlertInstance[] {
  const kept = alerts.filter((alert) => alert.state === 'firing' || at - alert.resolvedAt! <= historyMs);
  const key = (alert: SloAlertInstance) => windowPairKey(alert);
  kept.sort((a, b) => a.firedAt - b.firedAt || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let excess = kept.length - MAX_SLO_ALERT_HISTORY;
  return kept.filter((alert) => {
    if (excess > 0 && alert.state === 'resolved') {
      excess--;
      return false;
    }
    return true;
  });
}

/**
 * Evaluates an SLO at `at` (epoch ms) from its counts over every window `sloCountWindows(slo, at)` lists
 * and its previous state (undefined before the first evaluation).
 */
export function evaluateSlo(
  slo: Slo,
  counts: SloWindowCounts,
  previous: SloState | undefined,
  at: number,
  options: SloEvaluationOptions = {},
): SloEvaluation {
  if (previous && at <= previous.evaluatedAt) {
    return {
      state: previous,
      status: sloStatus(slo, counts, at, previous),
      transitions: [],
      alerts: [],
      skipped: true,
    };
  }
  const burnRates = burnRatesOf(slo, counts, at);
  const firingByKey = new Map<string, SloAlertInstance>();
  const alerts: SloAlertInstance[] = [];
  for (const alert of previous?.alerts ?? []) {
    if (alert.state === 'firing') firingByKey.set(windowPairKey(alert), alert);
    else alerts.push(alert);
  }
  const transitions: SloAlertTransition[] = [];
  const record = (instance: SloAlertInstance) => {
    alerts.push(instance);
    transitions.push(
      defined<SloAlertTransition>({
        slo: slo.name,
        longWindow: instance.longWindow,
        shortWindow: instance.shortWindow,
        action: instance.action,
        severity: instance.severity,
        state: instance.state,
        at,
        burnRate: instance.burnRate,
        shortBurnRate: instance.shortBurnRate,
      }),
    );
  };
  for (const pair of burnRateAlertWindows(slo)) {
    const burnRate = burnRates.get(pair.longWindowMs)?.burnRate;
    const shortBurnRate = burnRates.get(pair.shortWindowMs)?.burnRate;
    const key = windowPairKey(pair);
    const firing = firingByKey.get(key);
    firingByKey.delete(key);
    const seen = { burnRate, shortBurnRate, lastEvaluatedAt: at };
    if (firing && above(shortBurnRate, pair.burnRate)) {
      alerts.push(defined<SloAlertInstance>({ ...firing, ...seen }));
    } else if (firing) {
      record(defined<SloAlertInstance>({ ...firing, ...seen, state: 'resolved', resolvedAt: at }));
    } else if (above(burnRate, pair.burnRate) && above(shortBurnRate, pair.burnRate)) {
      record(
        defined<SloAlertInstance>({
          longWindow: pair.longWindow,
          shortWindow: pair.shortWindow,
          severity: pair.severity,
          action: pair.action,
          state: 'firing',
          firedAt: at,
          ...seen,
        }),
      );
    }
  }
  // Pairs no longer configured (or alerting turned off) resolve rather than fire forever.
  for (const orphan of firingByKey.values()) {
    record(defined<SloAlertInstance>({ ...orphan, state: 'resolved', resolvedAt: at, lastEvaluatedAt: at }));
  }
  const state: SloState = {
    slo: slo.name,
    version: (previous?.version ?? 0) + 1,
    evaluatedAt: at,
    alerts: prune(alerts, at, options.historyMs ?? SLO_ALERT_HISTORY_MS),
  };
  const status = sloStatus(slo, counts, at, state);
  return { state, status, transitions, alerts: sloAlerts(slo, state, status, options), skipped: false };
}

/** The labels of an SLO's alert for one window pair (without `alertname`, which the alert's name carries). */
export function sloAlertLabels(
  slo: Slo,
  pair: Pick<SloAlertInstance, 'longWindow' | 'shortWindow' | 'severity'>,
): Labels {
  return defined<Record<string, string | undefined>>({
    ...slo.alerting.labels,
    [SLO_ALERT_LABELS.slo]: slo.name,
    [SLO_ALERT_LABELS.sli]: slo.sli.kind,
    // `*` is not a model: an SLO over all models together carries no model label.
    [SLO_ALERT_LABELS.model]: slo.model === '*' ? undefined : slo.model,
    [SLO_ALERT_LABELS.modelVersion]: slo.modelVersion,
    [SLO_ALERT_LABELS.severity]: pair.severity,
    [SLO_ALERT_LABELS.longWindow]: pair.longWindow,
    [SLO_ALERT_LABELS.shortWindow]: pair.shortWindow,
  }) as Labels;
}

const rate = (value: number | undefined) =>
  value === undefined ? 'no data' : `${Number(value.toPrecision(3))}x`;
const percent = (value: number) => `${Number((value * 100).toFixed(2))} %`;

function sliText(slo: Slo): string {
  const subject =
    slo.model === '*' ? 'all models' : `${slo.model}${slo.modelVersion ? ` ${slo.modelVersion}` : ''}`;
  switch (slo.sli.kind) {
    case 'availability':
      return `availability of ${subject} (predictions with status ok), objective ${percent(slo.objective!)} over ${slo.window}`;
    case 'latency':
      return `latency of ${subject} (predictions within ${slo.sli.thresholdMs} ms), objective ${percent(slo.objective!)} over ${slo.window}`;
    case 'accuracy':
      return `accuracy of ${subject} (labels matching predictions), objective ${percent(slo.objective!)} over ${slo.window}`;
    case 'cost':
      return `spend of ${subject}, budget ${slo.sli.budgetUsd} USD per ${slo.window}`;
  }
}

function defaultAnnotations(
  slo: Slo,
  alert: SloAlertInstance,
  pair: BurnRateAlertWindow | undefined,
  status: SloStatus,
): Record<string, string> {
  const summary = `SLO ${slo.name} is burning its ${slo.sli.kind === 'cost' ? 'spend budget' : 'error budget'} at ${rate(alert.burnRate)} over ${alert.longWindow}`;
  const threshold = pair
    ? `, faster than ${rate(pair.burnRate)}, the rate that spends ${percent(pair.budgetConsumed)} of the budget in ${pair.longWindow}`
    : '';
  const { forecast, budget } = status;
  const exhaustion =
    forecast.exhaustsAt === undefined
      ? ''
      : forecast.exhaustsAt <= status.evaluatedAt
        ? ' The budget is spent.'
        : ` At the ${forecast.window} rate it runs out at ${new Date(forecast.exhaustsAt).toISOString()}.`;
  const description =
    `${sliText(slo)}. Burn rate ${rate(alert.burnRate)} over ${alert.longWindow} and ${rate(alert.shortBurnRate)} over ${alert.shortWindow}${threshold}. ` +
    `Budget remaining: ${percent(budget.remaining)}.${exhaustion}`;
  return { summary, description };
}

function toAlert(
  slo: Slo,
  alert: SloAlertInstance,
  pair: BurnRateAlertWindow | undefined,
  status: SloStatus,
  evaluatedAt: number,
  lapseAfterMs: number,
): Alert {
  const labels = sloAlertLabels(slo, alert);
  const annotations = defaultAnnotations(slo, alert, pair, status);
  const data = { labels: { ...labels, [ALERT_NAME_LABEL]: slo.alerting.name }, value: alert.burnRate };
  for (const [name, template] of Object.entries(slo.alerting.annotations)) {
    if (template === undefined) continue;
    annotations[name === 'runbookUrl' ? 'runbook_url' : name] = compileTemplate(template).render(data);
  }
  const resolved = alert.state === 'resolved';
  return {
    name: slo.alerting.name,
    labels,
    annotations,
    source: 'slo',
    status: resolved ? 'resolved' : 'firing',
    startsAt: alert.firedAt,
    endsAt: resolved ? alert.resolvedAt! : evaluatedAt + lapseAfterMs,
  };
}

/**
 * The alerts to hand to the alert pipeline after an evaluation: every firing alert (sent again at each
 * evaluation; the pipeline deduplicates by fingerprint) and every alert resolved in the last 15 minutes
 * (so a lost resolution is sent again). Annotations read the status (budget remaining, forecast).
 */
export function sloAlerts(
  slo: Slo,
  state: SloState,
  status: SloStatus,
  options: Pick<SloEvaluationOptions, 'resolvedRetentionMs' | 'lapseAfterMs'> = {},
): Alert[] {
  const retention = options.resolvedRetentionMs ?? RESOLVED_RETENTION_MS;
  const lapseAfterMs = options.lapseAfterMs ?? SLO_ALERT_LAPSE_MS;
  const pairs = new Map(burnRateAlertWindows(slo).map((pair) => [windowPairKey(pair), pair]));
  return state.alerts
    .filter((alert) => alert.state === 'firing' || state.evaluatedAt - alert.resolvedAt! <= retention)
    .map((alert) =>
      toAlert(slo, alert, pairs.get(windowPairKey(alert)), status, state.evaluatedAt, lapseAfterMs),
    );
}
