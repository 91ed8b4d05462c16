import type { MetricReader } from '../../metrics/ports/metric-store.js';
import type { AlertRepositories } from '../ports/alert-repositories.js';
import type { NotificationSink } from '../ports/notification-sink.js';
import { type Alert, alertSeverity, severityRank } from './alert.js';
import { acknowledgeIncident, type Incident, resolveIncident } from './incident.js';
import { type IncidentStats, incidentStats } from './incident-stats.js';
import type { IncidentEvent } from './pipeline.js';
import type { PipelineConfig } from './pipeline-config.js';
import { AlertPipelineRunner, type ReceiveSummary, type TickSummary } from './pipeline-runner.js';
import type { AlertRule } from './rule.js';
import { evaluateRules, type RuleEvaluationReport } from './rule-evaluator.js';
import { expireSilence, newSilence, type Silence } from './silence.js';

/*
 * The alerting use cases every entry point shares (the HTTP routes, the scheduled job, the CloudWatch
 * alarm rule, the local platform): one context of stores, config and clock, and one function per thing a
 * caller can ask for.
 */

/** What the alerting use cases need. */
export interface AlertingContext {
  readonly repositories: AlertRepositories;
  readonly sink: NotificationSink;
  readonly pipeline: PipelineConfig;
  readonly rules: readonly AlertRule[];
  /** Models named in the config. */
  readonly knownModels: readonly string[];
  readonly metricReader: MetricReader;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** A new unique id (silences). */
  readonly newId: () => string;
  /** Told about incident changes once stored (escalations). */
  readonly onIncidentEvents?: (events: readonly IncidentEvent[]) => Promise<void>;
  /**
   * Starts the escalations of open incidents that have none (idempotent), once per alert-rules run; answers
   * how many open incidents it checked.
   */
  readonly resumeEscalations?: () => Promise<number>;
}

/** The pipeline runner of a context. */
export function pipelineRunner(context: AlertingContext): AlertPipelineRunner {
  return new AlertPipelineRunner({
    repositories: context.repositories,
    sink: context.sink,
    config: context.pipeline,
    now: context.now,
    onIncidentEvents: context.onIncidentEvents,
  });
}

/** What a run of the alert-rules job came to. */
export interface AlertRulesJobReport {
  readonly at: number;
  readonly rules: readonly RuleEvaluationReport[];
  readonly received: ReceiveSummary;
  readonly tick: TickSummary;
  /** Open incidents whose escalation was checked (and started if it had not), when incidents escalate. */
  readonly escalationsChecked?: number;
}

/**
 * The alert-rules job as of `at`: evaluates every rule, hands their alerts to the pipeline, then runs the
 * pipeline's scheduled side (group flushes, lapses, digests, quiet incidents) at the same time, and makes sure
 * every open incident is escalating.
 */
export async function runAlertRulesJob(context: AlertingContext, at: number): Promise<AlertRulesJobReport> {
  const evaluation = await evaluateRules(
    {
      rules: context.rules,
      metricReader: context.metricReader,
      ruleStates: context.repositories.ruleStates,
      knownModels: context.knownModels,
    },
    at,
  );
  const runner = pipelineRunner(context);
  // Most severe first: a critical alert evaluated in the same run then inhibits its warning from the start,
  // rather than after the warning has joined an incident.
  const alerts = [...evaluation.alerts].sort(
    (a, b) => severityRank(alertSeverity(b)) - severityRank(alertSeverity(a)),
  );
  const received = await runner.receive(alerts, at);
  const tick = await runner.tick(at);
  const escalationsChecked = await context.resumeEscalations?.();
  return { at, rules: evaluation.rules, received, tick, escalationsChecked };
}

/** Runs alerts from another source (Alertmanager, CloudWatch alarms) through the pipeline now. */
export function receiveAlerts(context: AlertingContext, alerts: readonly Alert[]): Promise<ReceiveSummary> {
  return pipelineRunner(context).receive(alerts);
}

/** Attempts at an acknowledgement or resolution racing the pipeline before it gives up. */
const MAX_INCIDENT_ATTEMPTS = 8;

/**
 * Applies a person's change to an incident, reloading and retrying when the pipeline changed it first.
 * Undefined when there is no such incident; IncidentStateError when the change is not allowed.
 */
async function changeIncident(
  context: AlertingContext,
  id: string,
  change: (incident: Incident, now: number) => Incident,
): Promise<Incident | undefined> {
  for (let attempt = 1; attempt <= MAX_INCIDENT_ATTEMPTS; attempt++) {
    const incident = await context.repositories.incidents.get(id);
    if (!incident) return undefined;
    const now = context.now();
    const changed = change(incident, now);
    if (changed === incident) return incident;
    if (await context.repositories.incidents.put(changed)) {
      const event = changed.timeline.at(-1)!;
      await context.onIncidentEvents?.([{ incidentId: id, status: changed.status, event }]);
      return changed;
    }
  }
  throw new Error(`incident ${id} kept changing under ${MAX_INCIDENT_ATTEMPTS} attempts; try again`);
}

/** Acknowledges an incident as `actor`, stopping its escalation. */
export function acknowledge(
  context: AlertingContext,
  id: string,
  actor: string,
): Promise<Incident | undefined> {
  return changeIncident(context, id, (incident, now) => acknowledgeIncident(incident, actor, now));
}

/** Resolves an incident as `actor`. */
export function resolve(context: AlertingContext, id: string, actor: string): Promise<Incident | undefined> {
  return changeIncident(context, id, (incident, now) => resolveIncident(incident, actor, now));
}

/** Creates a silence from a request body (validated by `newSilence`). */
export async function createSilence(context: AlertingContext, body: unknown): Promise<Silence> {
  const silence = newSilence(body, { id: context.newId(), now: context.now() });
  if (!(await context.repositories.silences.put(silence))) {
    throw new Error(`a silence with id ${silence.id} exists already`);
  }
  return silence;
}

/** Expires a silence now (silences are expired, not deleted, as in Alertmanager); undefined if unknown. */
export async function expire(context: AlertingContext, id: string): Promise<Silence | undefined> {
  for (let attempt = 1; attempt <= MAX_INCIDENT_ATTEMPTS; attempt++) {
    const silence = await context.repositories.silences.get(id);
    if (!silence) return undefined;
    const expired = expireSilence(silence, context.now());
    if (expired === silence || (await context.repositories.silences.put(expired))) return expired;
  }
  throw new Error(`silence ${id} kept changing under ${MAX_INCIDENT_ATTEMPTS} attempts; try again`);
}

/** The alert-fatigue figures over [from, to). */
export async function fatigueStats(
  context: AlertingContext,
  from: number,
  to: number,
): Promise<IncidentStats> {
  const [counters, incidents] = await Promise.all([
    context.repositories.stats.sum(from, to),
    context.repositories.incidents.list({ from, to }),
  ]);
  return incidentStats(counters, incidents);
}
