import { alertSeverity, severityRank } from '../../alerts/core/alert.js';
import { type AlertingContext, pipelineRunner } from '../../alerts/core/alerting.js';
import type { ReceiveSummary } from '../../alerts/core/pipeline-runner.js';
import type { MetricReader } from '../../metrics/ports/metric-store.js';
import type { SloReportPublisher } from '../ports/slo-report-publisher.js';
import type { SloStateRepository } from '../ports/slo-state-repository.js';
import type { SliWindowCounts } from './error-budget.js';
import type { Slo } from './slo.js';
import { readSloCounts, readSloRangeCounts } from './slo-counts-reader.js';
import { evaluateSlo, type SloAlertTransition, sloStatus } from './slo-evaluation.js';
import { buildSloReport, type SloReport, sloReportWindows } from './slo-report.js';
import { type SloView, sloView } from './slo-views.js';

/*
 * The SLO use cases every entry point shares: the job that evaluates every SLO and hands its burn-rate
 * alerts to the alert pipeline (every 5 minutes), `GET /api/v1/slos`, the weekly report, and the job that
 * builds and delivers it.
 */

/** What the SLO use cases need. */
export interface SloContext {
  readonly slos: readonly Slo[];
  readonly metricReader: MetricReader;
  readonly states: SloStateRepository;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /**
   * Where the `slo-report` job delivers the weekly report; without one the job only answers it (the API
   * functions, which serve the report on request, have none).
   */
  readonly reportPublisher?: SloReportPublisher;
}

/** One SLO's evaluation, as the job reports it. */
export interface SloJobEntry {
  readonly slo: string;
  readonly outcome: 'evaluated' | 'skipped';
  readonly reason?: string;
  readonly transitions: readonly SloAlertTransition[];
  readonly firing: number;
}

/** What a run of the SLO job came to. */
export interface SloJobReport {
  readonly at: number;
  readonly slos: readonly SloJobEntry[];
  readonly received: ReceiveSummary;
}

/**
 * The SLO job as of `at`: reads every SLO's window counts (one query per window length and metric),
 * evaluates each against its stored state (stored back with a version condition, so a duplicate run
 * evaluates nothing twice), and runs the burn-rate alerts through the alert pipeline, most severe first.
 */
export async function runSloJob(
  context: SloContext,
  alerting: AlertingContext,
  at: number,
): Promise<SloJobReport> {
  const counts = await readSloCounts(context.slos, context.metricReader, at);
  const states = await context.states.getMany(context.slos.map((slo) => slo.name));
  const entries: SloJobEntry[] = [];
  const alerts = [];
  for (const slo of context.slos) {
    const evaluation = evaluateSlo(slo, counts.get(slo.name)!, states.get(slo.name), at);
    const firing = evaluation.state.alerts.filter((alert) => alert.state === 'firing').length;
    const skipped = (reason: string): SloJobEntry => ({
      slo: slo.name,
      outcome: 'skipped',
      reason,
      transitions: [],
      firing,
    });
    if (evaluation.skipped) {
      entries.push(skipped(`already evaluated at ${new Date(evaluation.state.evaluatedAt).toISOString()}`));
      continue;
    }
    if (!(await context.states.put(evaluation.state))) {
      entries.push(skipped('another evaluation stored its state first'));
      continue;
    }
    entries.push({ slo: slo.name, outcome: 'evaluated', transitions: evaluation.transitions, firing });
    alerts.push(...evaluation.alerts);
  }
  alerts.sort((a, b) => severityRank(alertSeverity(b)) - severityRank(alertSeverity(a)));
  const received = await pipelineRunner(alerting).receive(alerts, at);
  return { at, slos: entries, received };
}

/** Every SLO as `GET /api/v1/slos` answers it, as of `at`. */
export async function listSlos(context: SloContext, at: number): Promise<SloView[]> {
  const [counts, states] = await Promise.all([
    readSloCounts(context.slos, context.metricReader, at),
    context.states.getMany(context.slos.map((slo) => slo.name)),
  ]);
  return context.slos.map((slo) =>
    sloView(slo, sloStatus(slo, counts.get(slo.name)!, at, states.get(slo.name))),
  );
}

/** The SLO report of the week ending at `to`: compliance, budgets, alerts fired and SLA credits. */
export async function weeklySloReport(context: SloContext, to: number): Promise<SloReport> {
  const ranges = new Map<string, { from: number; to: number }>();
  const windows = context.slos.map((slo) => {
    const reportWindows = sloReportWindows(slo, to);
    for (const range of [reportWindows.week, reportWindows.window])
      ranges.set(`${range.from}:${range.to}`, range);
    return reportWindows;
  });
  const countsByRange = new Map<string, Map<string, SliWindowCounts>>();
  await Promise.all(
    [...ranges].map(async ([key, range]) => {
      countsByRange.set(key, await readSloRangeCounts(context.metricReader, range.from, range.to));
    }),
  );
  const states = await context.states.getMany(context.slos.map((slo) => slo.name));
  const countsOf = (range: { from: number; to: number }, name: string) =>
    countsByRange.get(`${range.from}:${range.to}`)?.get(name) ?? { good: 0, total: 0 };
  return buildSloReport(
    context.slos.map((slo, index) => ({
      slo,
      week: countsOf(windows[index]!.week, slo.name),
      window: countsOf(windows[index]!.window, slo.name),
      state: states.get(slo.name),
    })),
    to,
  );
}

/** What a run of the report job came to: the report, and whether it was handed to the publisher. */
export interface SloReportJobResult {
  readonly report: SloReport;
  readonly published: boolean;
}

/**
 * The `slo-report` job as of `to`: builds the report of the week ending then and publishes it when the
 * context has a publisher. A publisher's failure fails the job, so the run is retried rather than the
 * report lost silently until next week.
 */
export async function runSloReportJob(context: SloContext, to: number): Promise<SloReportJobResult> {
  const report = await weeklySloReport(context, to);
  if (!context.reportPublisher) return { report, published: false };
  await context.reportPublisher.publish(report);
  return { report, published: true };
}
