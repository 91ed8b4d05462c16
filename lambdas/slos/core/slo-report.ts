import type { Severity } from '../../alerts/core/alert.js';
import { minuteOf } from '../../metrics/core/rollup.js';
import { errorBudget, type SliWindowCounts, slaCredit, sloBurnRate, sloCompliance } from './error-budget.js';
import { type Slo, type SloWindow, sloWindowMs } from './slo.js';
import type { SloState } from './slo-evaluation.js';

/*
 * The weekly SLO report, as JSON and as Markdown: per SLO, compliance over the week and over the SLO window
 * ending with it, the budget remaining, the burn-rate alerts fired during the week (from the SLO's state,
 * which keeps 8 days of them), and the SLA credit owed.
 *
 * - A period is met when its burn rate is at most 1: compliance at or above the objective for ratio
 *   SLIs, spend within the budget pro rata for cost SLIs. No data is neither met nor missed.
 * - `week.budgetConsumed` is the share of the window's budget spent during the week (bad events of the
 *   week / bad events the window allows; the week's spend / budgetUsd for cost SLOs), so four weeks of a
 *   28-day window add up to the window's consumption.
 * - SLA credits come from the compliance over the SLO window (a rolling month, for the 28- and 30-day
 *   windows SLAs are usually written for) and the SLO's `sla.credits`; SLOs without `sla` owe none.
 */

/** The length of a report period: a week. */
export const SLO_REPORT_PERIOD_MS = 7 * 86_400_000;

/** What the report needs of one SLO, read by the job. */
export interface SloReportInput {
  readonly slo: Slo;
  /** Counts over the report's period, `sloReportWindows(slo, to).week`. */
  readonly week: SliWindowCounts;
  /** Counts over the SLO window ending with the period, `sloReportWindows(slo, to).window`. */
  readonly window: SliWindowCounts;
  /** The SLO's state, whose alerts fired during the period are listed. */
  readonly state?: SloState;
}

/** The ranges a report ending at `to` reads for an SLO, both ending at the start of `to`'s minute. */
export function sloReportWindows(
  slo: Pick<Slo, 'window'>,
  to: number,
  periodMs = SLO_REPORT_PERIOD_MS,
): { readonly week: { from: number; to: number }; readonly window: { from: number; to: number } } {
  const end = minuteOf(to);
  return { week: { from: end - periodMs, to: end }, window: { from: end - sloWindowMs(slo), to: end } };
}

/** Counts and compliance over one period. */
export interface SloReportPeriod {
  readonly good: number;
  /** All events; for cost SLOs the spend in USD. */
  readonly total: number;
  readonly compliance?: number;
  /** The share of the window's budget spent in this period. */
  readonly budgetConsumed: number;
  /** Whether the period burned at most its share of the budget; absent without data. */
  readonly met?: boolean;
}

/** An alert that fired during the period. */
export interface SloReportAlert {
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly severity: Severity;
  readonly firedAt: string;
  readonly resolvedAt?: string;
}

/** One SLO in the report. */
export interface SloReportEntry {
  readonly slo: string;
  readonly description?: string;
  readonly sli: Slo['sli']['kind'];
  readonly model: string;
  readonly modelVersion?: string;
  readonly objective?: number;
  readonly budgetUsd?: number;
  readonly window: SloWindow;
  readonly week: SloReportPeriod;
  readonly windowToDate: SloReportPeriod & { readonly budgetRemaining: number };
  readonly alerts: {
    readonly fired: number;
    readonly bySeverity: Readonly<Partial<Record<Severity, number>>>;
    readonly list: readonly SloReportAlert[];
  };
  /** For SLOs with an SLA: the compliance it was judged on, and the credit owed. */
  readonly sla?: {
    readonly compliance?: number;
    readonly creditPercent: number;
    readonly breachedBelow?: number;
  };
}

/** The weekly report. */
export interface SloReport {
  readonly from: string;
  readonly to: string;
  readonly slos: readonly SloReportEntry[];
  readonly totals: {
    readonly slos: number;
    /** SLOs that met their objective over the week. */
    readonly metThisWeek: number;
    /** SLOs that missed it. */
    readonly missedThisWeek: number;
    readonly alertsFired: number;
    /** SLOs owing an SLA credit. */
    readonly slaBreaches: number;
  };
}

const iso = (at: number) => new Date(at).toISOString();

function period(input: SloReportInput, counts: SliWindowCounts, periodMs: number): SloReportPeriod {
  const { slo } = input;
  const windowBudget = errorBudget(slo, input.window);
  const spent = errorBudget(slo, counts).spent;
  const budgetConsumed = windowBudget.allowed > 0 ? spent / windowBudget.allowed : 0;
  const burn = sloBurnRate(slo, counts, periodMs);
  const compliance = sloCompliance(slo, counts);
  return {
    good: counts.good,
    total: counts.total,
    ...(compliance === undefined ? {} : { compliance }),
    budgetConsumed,
    ...(burn === undefined ? {} : { met: burn <= 1 }),
  };
}

function reportEntry(input: SloReportInput, from: number, to: number): SloReportEntry {
  const { slo } = input;
  const windowMs = sloWindowMs(slo);
  const budget = errorBudget(slo, input.window);
  const list = (input.state?.alerts ?? [])
    .filter((alert) => alert.firedAt >= from && alert.firedAt < to)
    .map(
      (alert): SloReportAlert => ({
        longWindow: alert.longWindow,
        shortWindow: alert.shortWindow,
        severity: alert.severity,
        firedAt: iso(alert.firedAt),
        ...(alert.resolvedAt === undefined ? {} : { resolvedAt: iso(alert.resolvedAt) }),
      }),
    );
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const alert of list) bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
  const windowPeriod = period(input, input.window, windowMs);
  let sla: SloReportEntry['sla'];
  if (slo.sla) {
    const credit = slaCredit(windowPeriod.compliance, slo.sla.credits);
    sla = {
      ...(windowPeriod.compliance === undefined ? {} : { compliance: windowPeriod.compliance }),
      creditPercent: credit.creditPercent,
      ...(credit.breached ? { breachedBelow: credit.breached.below } : {}),
    };
  }
  return {
    slo: slo.name,
    ...(slo.description === undefined ? {} : { description: slo.description }),
    sli: slo.sli.kind,
    model: slo.model,
    ...(slo.modelVersion === undefined ? {} : { modelVersion: slo.modelVersion }),
    ...(slo.objective === undefined ? {} : { objective: slo.objective }),
    ...(slo.sli.kind === 'cost' ? { budgetUsd: slo.sli.budgetUsd } : {}),
    window: slo.window,
    week: period(input, input.week, to - from),
    windowToDate: { ...windowPeriod, budgetRemaining: budget.remaining },
    alerts: { fired: list.length, bySeverity, list },
    ...(sla ? { sla } : {}),
  };
}

/** Builds the report of the period ending at `to` (the start of its minute); a week by default. */
export function buildSloReport(
  inputs: readonly SloReportInput[],
  to: number,
  periodMs = SLO_REPORT_PERIOD_MS,
): SloReport {
  const end = minuteOf(to);
  const from = end - periodMs;
  const slos = inputs.map((input) => reportEntry(input, from, end));
  return {
    from: iso(from),
    to: iso(end),
    slos,
    totals: {
      slos: slos.length,
      metThisWeek: slos.filter((entry) => entry.week.met === true).length,
      missedThisWeek: slos.filter((entry) => entry.week.met === false).length,
      alertsFired: slos.reduce((sum, entry) => sum + entry.alerts.fired, 0),
      slaBreaches: slos.filter((entry) => (entry.sla?.creditPercent ?? 0) > 0).length,
    },
  };
}

const percent = (value: number | undefined, digits: number) =>
  value === undefined ? 'no data' : `${(value * 100).toFixed(digits)} %`;
const usd = (value: number) => `${value.toFixed(2)} USD`;

function periodText(entry: SloReportEntry, reportPeriod: SloReportPeriod): string {
  const value = entry.sli === 'cost' ? usd(reportPeriod.total) : percent(reportPeriod.compliance, 3);
  if (reportPeriod.met === undefined) return value;
  return `${value} ${reportPeriod.met ? '(met)' : '(missed)'}`;
}

function targetText(entry: SloReportEntry): string {
  return entry.budgetUsd !== undefined
    ? `${usd(entry.budgetUsd)} / ${entry.window}`
    : `${percent(entry.objective, 3)} / ${entry.window}`;
}

function alertsText(entry: SloReportEntry): string {
  const parts = Object.entries(entry.alerts.bySeverity).map(([severity, count]) => `${count} ${severity}`);
  return parts.length === 0 ? '0' : `${entry.alerts.fired} (${parts.join(', ')})`;
}

/**
 * The subject people see the report under: `Vigil <environment> SLO report, week ending <date>`, the date
 * being the last day the report covers (a report ending at Monday 00:00 UTC ends the week on Sunday).
 */
export function sloReportSubject(report: Pick<SloReport, 'to'>, environment: string): string {
  const lastDay = new Date(Date.parse(report.to) - 1).toISOString().slice(0, 10);
  return `Vigil ${environment} SLO report, week ending ${lastDay}`;
}

/** The report as Markdown: a summary table, then each SLO's alerts. */
export function sloReportMarkdown(report: SloReport): string {
  const lines = [
    `# SLO report ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}`,
    '',
    `${report.totals.slos} SLOs: ${report.totals.metThisWeek} met the week's objective, ${report.totals.missedThisWeek} missed it; ` +
      `${report.totals.alertsFired} burn-rate alerts fired; ${report.totals.slaBreaches} SLA credits owed.`,
    '',
    '| SLO | SLI | Model | Objective | Week | Window to date | Budget remaining | Alerts fired | SLA credit |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const entry of report.slos) {
    const model = entry.modelVersion === undefined ? entry.model : `${entry.model} ${entry.modelVersion}`;
    const credit = entry.sla === undefined ? 'no SLA' : `${entry.sla.creditPercent} %`;
    lines.push(
      `| ${entry.slo} | ${entry.sli} | ${model} | ${targetText(entry)} | ${periodText(entry, entry.week)} | ` +
        `${periodText(entry, entry.windowToDate)} | ${percent(entry.windowToDate.budgetRemaining, 1)} | ${alertsText(entry)} | ${credit} |`,
    );
  }
  for (const entry of report.slos) {
    if (entry.alerts.list.length === 0) continue;
    lines.push('', `## ${entry.slo}`, '');
    for (const alert of entry.alerts.list) {
      const resolved = alert.resolvedAt === undefined ? 'still firing' : `resolved ${alert.resolvedAt}`;
      lines.push(
        `- ${alert.severity}: burn rate over ${alert.longWindow} and ${alert.shortWindow}, fired ${alert.firedAt}, ${resolved}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
