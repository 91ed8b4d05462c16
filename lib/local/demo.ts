import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readEscalationConfig } from '../../lambdas/escalation/core/escalation-config.js';
import { policyFor } from '../../lambdas/escalation/core/policy.js';
import type { IncidentNotice } from '../../lambdas/notifications/core/message.js';
import { apiClient } from './api-client.js';
import { type DemoPrediction, demoTraffic, type TrafficProfile } from './demo-traffic.js';
import { type LocalPlatform, startLocalPlatform } from './platform.js';

/*
 * `npm run demo`: the local platform with a story. It backfills half an hour of traffic for the two example
 * models, with an error burst on the classifier over the last five minutes and a latency regression on the
 * LLM over the last fourteen, runs the alert rules as of three moments of that half hour (as a backtest
 * would) so the error-rate rule goes pending, then firing, and opens an incident that escalates on the same
 * state machine as in AWS, with the tier timeouts shrunk by the time scale. It waits for tier 1 and tier 2
 * to be paged, acknowledges through the API as a person would, and shows that tier 3 is never paged. Then
 * it keeps the platform running with healthy live traffic and the job timers, so the alerts resolve on
 * their own over the next minutes, until Ctrl-C.
 */

const MINUTE = 60_000;

/** The demo's time scale unless `VIGIL_TIME_SCALE` sets another: a 5 minute tier waits 3 s. */
export const DEMO_TIME_SCALE = 0.01;

/** The two example models of the local environment, as the demo's traffic shapes them. */
export const DEMO_MODELS: readonly TrafficProfile[] = [
  { model: 'example-classifier', perMinute: 30, latencyMs: [40, 90], confidence: 0.85 },
  {
    model: 'example-llm',
    perMinute: 10,
    latencyMs: [1500, 4000],
    confidence: 0.7,
    tokens: { input: 600, output: 250, usdPerThousand: 0.002 },
  },
];

/** How to run the demo. */
export interface DemoOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Emptied, then used for the demo's stores and its outbox. */
  readonly dataDir: string;
  /** The bearer token the platform accepts. */
  readonly token: string;
  /** Multiplies escalation waits and job intervals (`VIGIL_TIME_SCALE`), above 0 and at most 1. */
  readonly timeScale: number;
  /** Where the story and the notifications are written. */
  readonly out: NodeJS.WritableStream;
  /**
   * Keep the platform running after the story, with live traffic and the job timers, until the returned
   * `close` is called; false stops it once the escalation has stopped (tests).
   */
  readonly keepRunning: boolean;
}

/** What the demo showed, for its test and its last lines. */
export interface DemoReport {
  readonly url: string;
  readonly incidentId: string;
  /** The incident notices of that incident, in order: event and tier number (0 when none). */
  readonly notices: readonly (readonly [string, number])[];
  /** Who acknowledged it, as the API answered. */
  readonly acknowledgedBy: string;
  /** The incident's timeline types, in order. */
  readonly timeline: readonly string[];
  /** How long after the acknowledgement the demo watched for another page, ms. */
  readonly watchedAfterAckMs: number;
}

/** A running demo. */
export interface Demo {
  readonly report: DemoReport;
  readonly platform: LocalPlatform;
  /** Stops live traffic, then the platform. */
  close(): Promise<void>;
}

/** Polls `find` every 50 ms until it answers something, or fails after `timeoutMs` saying what it waited for. */
async function waitFor<T>(what: string, timeoutMs: number, find: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`the demo waited ${timeoutMs} ms for ${what} in vain`);
    await delay(50);
  }
}

/** Runs the demo; see the module comment. */
export async function runDemo(options: DemoOptions): Promise<Demo> {
  const { out, timeScale } = options;
  const say = (line: string) => out.write(`demo: ${line}\n`);
  await rm(options.dataDir, { recursive: true, force: true });
  const platform = await startLocalPlatform({
    port: options.port,
    dataDir: options.dataDir,
    token: options.token,
    console: out,
    escalations: true,
    timeScale,
  });
  let live: NodeJS.Timeout | undefined;
  const close = async () => {
    clearInterval(live);
    await platform.close();
  };
  try {
    const report = await tellTheStory(platform, options, say);
    if (options.keepRunning) live = await keepGoing(platform, options, report, say);
    return { report, platform, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function tellTheStory(
  platform: LocalPlatform,
  options: DemoOptions,
  say: (line: string) => void,
): Promise<DemoReport> {
  const api = apiClient(platform.url, platform.token);
  const outbox = join(options.dataDir, 'outbox.ndjson');
  const noticesOf = async (incidentId: string): Promise<IncidentNotice[]> =>
    (await readFile(outbox, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((record) => record.kind === 'incident' && record.incident?.id === incidentId);
  const config = readEscalationConfig(platform.runtimeConfig);
  const policy = policyFor(config, 'critical')?.policy;
  if (!policy || policy.tiers.length < 3) {
    throw new Error('the demo needs the critical escalation policy to have at least three tiers');
  }
  const scaled = (ms: number) => ms * options.timeScale;
  const [tier1, tier2, tier3] = policy.tiers as [
    (typeof policy.tiers)[0],
    (typeof policy.tiers)[0],
    (typeof policy.tiers)[0],
  ];

  say(`Vigil is running at ${platform.url} (token ${platform.token}, data in ${options.dataDir})`);
  say(
    `time scale ${options.timeScale}: the ${tier1.name} tier waits ${seconds(scaled(tier1.timeoutMs))} instead of ${tier1.timeoutMs / MINUTE} min, the ${tier2.name} tier ${seconds(scaled(tier2.timeoutMs))}`,
  );

  // Half an hour of traffic, sent as a model service would (backdated, so the rules have history).
  const t0 = Date.now();
  const [classifier, llm] = DEMO_MODELS as [TrafficProfile, TrafficProfile];
  const predictions: DemoPrediction[] = [
    ...demoTraffic(classifier, t0 - 30 * MINUTE, t0, [
      { kind: 'errors', from: t0 - 5 * MINUTE, to: t0, rate: 0.4 },
    ]),
    ...demoTraffic(llm, t0 - 30 * MINUTE, t0, [
      { kind: 'latency', from: t0 - 14 * MINUTE, to: t0, factor: 4 },
    ]),
  ];
  const ingest = await api.post('/api/v1/predictions', { predictions });
  say(
    `sent ${ingest.body.accepted} predictions over the last 30 min: ${classifier.model} fails 40 % of its calls over the last 5 min, ${llm.model} has been 4 times slower for 14 min`,
  );

  // The rules as of three moments, as EventBridge Scheduler would have run them every minute.
  for (const minutesAgo of [5, 2, 0]) {
    const at = new Date(t0 - minutesAgo * MINUTE).toISOString();
    const run = await api.post('/api/v1/jobs/alert-rules/run', { at });
    const states = (run.body.rules as { rule: string; pending: number; firing: number }[])
      .filter((rule) => rule.pending + rule.firing > 0)
      .map((rule) => `${rule.rule} ${rule.firing > 0 ? 'FIRING' : 'pending'}`);
    say(`alert rules as of ${minutesAgo} min ago: ${states.join(', ') || 'all quiet'}`);
  }

  // The SLO job as of now: the burst burns the classifier's 99.9 % availability budget far too fast.
  await api.post('/api/v1/jobs/slo/run', { at: new Date(t0).toISOString() });
  const slos = (await api.get('/api/v1/slos')).body.slos as {
    name: string;
    errorBudget: { remaining: number };
    alerts: {
      longWindow: string;
      shortWindow: string;
      severity: string;
      longBurnRate?: number;
      firing: boolean;
    }[];
  }[];
  for (const slo of slos) {
    const burning = slo.alerts.filter((alert) => alert.firing);
    if (burning.length === 0) continue;
    const rates = burning
      .map(
        (alert) =>
          `${alert.severity} ${alert.longWindow}/${alert.shortWindow} at ${Math.round(alert.longBurnRate ?? 0)}x`,
      )
      .join(', ');
    const left = slo.errorBudget.remaining;
    // Half an hour of history allows few bad predictions: the burst spends them many times over.
    const budget =
      left > 0 ? `${Math.round(left * 100)} % of its error budget left` : 'its error budget spent';
    say(`SLO ${slo.name}: ${budget}, burning ${rates}`);
  }

  const alerts = await api.get('/api/v1/alerts?state=firing');
  const firing = alerts.body.alerts as {
    name: string;
    severity: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    inhibitedBy?: string;
    incidentId?: string;
  }[];
  for (const alert of firing) {
    const muted = alert.inhibitedBy ? ', muted by the critical alert of the same name' : '';
    say(`alert firing: ${alert.severity} ${alert.name}: ${alert.annotations.summary ?? ''}${muted}`);
  }
  const incidents = (await api.get('/api/v1/incidents')).body.incidents as { id: string; title: string }[];
  const burst = firing.find(
    (alert) =>
      alert.name === 'ModelErrorRateHigh' &&
      alert.severity === 'critical' &&
      alert.labels.model === classifier.model,
  );
  const incident = incidents.find((candidate) => candidate.id === burst?.incidentId);
  if (!incident) throw new Error(`the error burst opened no incident; alerts: ${JSON.stringify(firing)}`);
  say(`incident ${incident.id} opened: ${incident.title} (${incidents.length} open incident(s) in all)`);

  const paged = (tier: number) => async () =>
    (await noticesOf(incident.id)).find(
      (notice) => notice.event === 'trigger' && notice.tier?.index === tier,
    );
  const margin = 10_000;
  await waitFor(`tier 1 (${tier1.name}) to be paged`, margin, paged(1));
  say(`tier 1 (${tier1.name}) paged; nobody answers...`);
  const tier2Paged = await waitFor(
    `tier 2 (${tier2.name}) to be paged`,
    scaled(tier1.timeoutMs) + margin,
    paged(2),
  );
  say(`tier 2 (${tier2.name}) paged after the ${tier1.name} tier's wait ran out`);
  if (tier2Paged.links.acknowledgeLink) {
    say(`its notice carries an Acknowledge link (no token needed): ${tier2Paged.links.acknowledgeLink}`);
  }

  const ack = await api.post(`/api/v1/incidents/${incident.id}/ack`, { by: 'demo-manager' });
  say(`acknowledged through POST /api/v1/incidents/${incident.id}/ack by ${ack.body.acknowledgedBy}`);
  await waitFor('the acknowledgement to be announced', margin, async () =>
    (await noticesOf(incident.id)).find((notice) => notice.event === 'acknowledge'),
  );

  // Had nobody acknowledged, tier 3 would have been paged when tier 2's wait ran out: watch past it.
  const tier3Due = Date.parse(tier2Paged.at) + scaled(tier2.timeoutMs);
  const watchedSince = Date.now();
  await delay(Math.max(0, tier3Due - Date.now()) + 1_000);
  const watchedAfterAckMs = Date.now() - watchedSince;
  const notices = await noticesOf(incident.id);
  if (await paged(3)()) throw new Error(`tier 3 (${tier3.name}) was paged after the acknowledgement`);
  say(
    `escalation stopped: tier 3 (${tier3.name}) was not paged in the ${seconds(watchedAfterAckMs)} after the acknowledgement`,
  );

  const detail = await api.get(`/api/v1/incidents/${incident.id}`);
  const timeline = detail.body.timeline as { at: string; type: string; actor: string; message: string }[];
  say('the incident timeline:');
  for (const event of timeline)
    say(`  ${event.at}  ${event.type.padEnd(20)} ${event.actor.padEnd(14)} ${event.message}`);

  return {
    url: platform.url,
    incidentId: incident.id,
    notices: notices.map((notice) => [notice.event, notice.tier?.index ?? 0] as const),
    acknowledgedBy: detail.body.acknowledgedBy,
    timeline: timeline.map((event) => event.type),
    watchedAfterAckMs,
  };
}

/** Healthy live traffic every 5 s and the job timers, so the alerts resolve on their own. */
async function keepGoing(
  platform: LocalPlatform,
  options: DemoOptions,
  report: DemoReport,
  say: (line: string) => void,
): Promise<NodeJS.Timeout> {
  const api = apiClient(platform.url, platform.token);
  const auth = `-H 'authorization: Bearer ${platform.token}'`;
  const open = (
    (await api.get('/api/v1/incidents')).body.incidents as { id: string; status: string; title: string }[]
  ).filter((incident) => incident.status === 'open');
  const stillEscalating = open.map(
    (incident) => `
  still escalating: ${incident.title}; take it with
             npm run vigil -- ack ${incident.id} --url ${report.url}`,
  );
  say(`the traffic is healthy again: the alerts resolve within minutes, and the incidents after their quiet period.
  dashboard: ${report.url}/
  incidents: curl -s ${report.url}/api/v1/incidents ${auth}
  stats:     curl -s ${report.url}/api/v1/incidents/stats ${auth}${stillEscalating.join('')}
  notifications: ${join(options.dataDir, 'outbox.ndjson')}
  Ctrl-C stops the demo.`);
  platform.startJobs();
  let sentUntil = Date.now();
  let seed = 2;
  const live = setInterval(() => {
    const to = Date.now();
    const predictions = DEMO_MODELS.flatMap((profile) => demoTraffic(profile, sentUntil, to, [], seed++));
    sentUntil = to;
    api.post('/api/v1/predictions', { predictions }).catch((error: unknown) => {
      say(`live traffic was refused: ${error instanceof Error ? error.message : String(error)}`);
    });
  }, 5_000);
  return live;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
