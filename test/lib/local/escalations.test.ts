import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDbIncidentRepository } from '../../../lambdas/alerts/adapters/aws/dynamodb-incident-repository.js';
import {
  acknowledgeIncident,
  type Incident,
  resolveIncident,
  SYSTEM_ACTOR,
  type TimelineEventType,
} from '../../../lambdas/alerts/core/incident.js';
import type { IncidentRepository } from '../../../lambdas/alerts/ports/incident-repository.js';
import { DynamoDbTaskTokenStore } from '../../../lambdas/escalation/adapters/aws/dynamodb-task-token-store.js';
import { executionName } from '../../../lambdas/escalation/core/escalation.js';
import { WorkflowEscalationControl } from '../../../lambdas/escalation/core/escalation-control.js';
import {
  parseEscalationStepInput,
  runEscalationStep,
} from '../../../lambdas/escalation/core/escalation-steps.js';
import { incidentEscalations } from '../../../lambdas/escalation/core/incident-escalations.js';
import { type EscalationConfig, parseEscalationConfig } from '../../../lambdas/escalation/core/policy.js';
import {
  type ExecutionEnd,
  LocalEscalationRunner,
  parseTimeScale,
  type WaitTimers,
} from '../../../lib/local/escalations.js';
import { startLocalPlatform } from '../../../lib/local/platform.js';
import {
  startTestStateTable,
  TestClock,
  type TestStateTable,
} from '../../lambdas/alerts/adapters/aws/fixtures.js';
import { alertmanagerPayload } from '../../lambdas/alerts/core/fixtures/fixtures.js';
import {
  MINUTE,
  openedIncident,
  RecordingPublisher,
  SETTINGS,
  T0,
} from '../../lambdas/escalation/fixtures.js';
import { apiClient } from '../../support/http-client.js';

/** One wait's timer, fired by the test. */
interface ManualTimer {
  readonly ms: number;
  fire(): void;
  cancelled: boolean;
}

/** Wait timers the test fires: `next()` resolves once the next wait has begun (its token is stored). */
class ManualTimers implements WaitTimers {
  readonly started: ManualTimer[] = [];
  private readonly queued: ManualTimer[] = [];
  private readonly takers: ((timer: ManualTimer) => void)[] = [];

  start(ms: number, onTimeout: () => void): () => void {
    const timer: ManualTimer = {
      ms,
      cancelled: false,
      fire: () => {
        if (!timer.cancelled) onTimeout();
      },
    };
    this.started.push(timer);
    const taker = this.takers.shift();
    if (taker) taker(timer);
    else this.queued.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  next(): Promise<ManualTimer> {
    const queued = this.queued.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => this.takers.push(resolve));
  }
}

// A tier of 5 minutes waits 5 s, as `VIGIL_TIME_SCALE=0.016666` does; retry pauses of 2 s become 33 ms.
const TIME_SCALE = 1 / 60;

/** Two tiers on the severity topic and a manager tier for a channel; repeat as asked. */
function configWith(repeat = 0, managerCondition?: unknown): EscalationConfig {
  return parseEscalationConfig(
    {
      policies: {
        p0: {
          tiers: [
            { name: 'on-call', targets: ['severity-topic'], timeoutMs: '5m' },
            {
              name: 'manager',
              targets: ['slack-managers'],
              timeoutMs: '15m',
              ...(managerCondition ? { condition: managerCondition } : {}),
            },
            { name: 'director', targets: ['severity-topic', 'pagerduty-directors'], timeoutMs: '30m' },
          ],
          repeat,
        },
      },
      severityPolicies: { critical: 'p0' },
    },
    { channels: ['slack-managers', 'pagerduty-directors'] },
  );
}

describe('the escalation definition on aws-local-stepfunctions', () => {
  let table: TestStateTable;
  let clock: TestClock;
  let incidents: IncidentRepository;
  let publisher: RecordingPublisher;
  let timers: ManualTimers;
  let runner: LocalEscalationRunner;
  let onIncidentEvents: ReturnType<typeof incidentEscalations>;
  let incident: Incident;

  /** Wires the step function, the runner and the use cases as the local platform does. */
  async function setUp(
    options: {
      config?: EscalationConfig;
      publisher?: RecordingPublisher;
      incidents?: IncidentRepository;
      at?: number;
      /** Runs after each step, before the state machine goes on. */
      afterStep?: (action: string) => Promise<void>;
    } = {},
  ) {
    clock.at = options.at ?? T0;
    const config = options.config ?? configWith();
    publisher = options.publisher ?? new RecordingPublisher();
    const stored = new DynamoDbIncidentRepository({
      client: table.client,
      tableName: table.tableName,
      now: clock.now,
    });
    incidents = options.incidents ?? stored;
    const tokens = new DynamoDbTaskTokenStore({
      client: table.client,
      tableName: table.tableName,
      now: clock.now,
    });
    const dependencies = {
      incidents,
      tokens,
      notices: publisher,
      config,
      settings: SETTINGS,
      now: clock.now,
    };
    timers = new ManualTimers();
    runner = new LocalEscalationRunner({
      step: async (payload) => {
        const input = parseEscalationStepInput(payload);
        const output = await runEscalationStep(input, dependencies);
        await options.afterStep?.(input.action);
        return output;
      },
      timeScale: TIME_SCALE,
      timers,
    });
    onIncidentEvents = incidentEscalations({
      incidents,
      control: new WorkflowEscalationControl({ workflow: runner, tokens, config, now: clock.now }),
      notices: publisher,
      config,
      settings: SETTINGS,
      now: clock.now,
      onError: (message, error) => assert.fail(`${message}: ${String(error)}`),
    });
    incident = openedIncident('fraud-detector', clock.at);
    assert.equal(await stored.put(incident), true);
  }

  /** The incident opens: the pipeline tells the escalations, as after a pipeline run. */
  async function open(): Promise<{ ended: Promise<ExecutionEnd> }> {
    await onIncidentEvents([{ incidentId: incident.id, status: 'open', event: incident.timeline.at(-1)! }]);
    const ended = runner.ended(executionName(incident, 'p0'));
    assert.ok(ended, 'an execution started');
    // Wrapped: an async function returning the promise itself would wait for the execution to end.
    return { ended };
  }

  /** A person's change through the API: stored, then told to the escalations (as `changeIncident` does). */
  async function change(apply: (incident: Incident, now: number) => Incident): Promise<void> {
    const changed = apply((await incidents.get(incident.id))!, clock.at);
    assert.equal(await incidents.put(changed), true);
    await onIncidentEvents([
      { incidentId: incident.id, status: changed.status, event: changed.timeline.at(-1)! },
    ]);
  }

  /** Lets the wait of the current tier run out, `minutes` later. */
  async function timeOut(minutes: number): Promise<ManualTimer> {
    const timer = await timers.next();
    clock.at += minutes * MINUTE;
    timer.fire();
    return timer;
  }

  /** The escalation's entries on the timeline, as `[type, minutes after T0]`. */
  async function escalationTimeline(from = 0): Promise<[TimelineEventType, number][]> {
    const stored = await incidents.get(incident.id);
    return stored!.timeline.slice(from).map((event) => [event.type, (event.at - T0) / MINUTE]);
  }

  beforeEach(async () => {
    table = await startTestStateTable();
    clock = new TestClock();
  });
  afterEach(async () => {
    await runner?.close();
    await table.close();
  });

  it('stops at tier 1 when someone acknowledges during its wait', async () => {
    // Prepare
    await setUp();
    const { ended } = await open();
    const firstWait = await timers.next();

    // Act
    clock.at += 2 * MINUTE;
    await change((current, now) => acknowledgeIncident(current, 'alice', now));

    // Assess: 5 minutes at a scale of 1/60 is 5 s; the execution ends on the acknowledgement.
    assert.equal(firstWait.ms, 5000);
    const end = await ended;
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(outputOf(end).completion, { outcome: 'acknowledged' }, 'SendTaskSuccess output');
    assert.equal(outputOf(end).timeoutSeconds, 300);
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['acknowledge', '-'],
    ]);
    assert.deepEqual(publisher.published[0]!.audience, {}, 'tier 1 targets everyone on the severity topic');
    assert.deepEqual(await escalationTimeline(), [
      ['alert-joined', 0],
      ['opened', 0],
      ['escalated', 0],
      ['acknowledged', 2],
    ]);
    assert.equal(firstWait.cancelled, true, 'the wait timer is cancelled');
  });

  it('notifies tier 2 after tier 1 times out, and stops when tier 2 acknowledges', async () => {
    // Prepare
    await setUp();
    const { ended } = await open();

    // Act
    await timeOut(5);
    const secondWait = await timers.next();
    clock.at += 3 * MINUTE;
    await change((current, now) => acknowledgeIncident(current, 'bob', now));

    // Assess
    assert.equal((await ended).status, 'succeeded');
    assert.equal(secondWait.ms, 15 * 1000, 'the manager tier waits 15 minutes, scaled to 15 s');
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['trigger', 2],
      ['acknowledge', '-'],
    ]);
    assert.deepEqual(publisher.published[1]!.audience, { channels: ['slack-managers'] });
    assert.equal(publisher.published[1]!.notice.tier?.name, 'manager');
    assert.deepEqual(await escalationTimeline(2), [
      ['escalated', 0],
      ['escalated', 5],
      ['acknowledged', 8],
    ]);
    assert.equal((await incidents.get(incident.id))!.acknowledgedBy, 'bob');
  });

  it('gives up with an unacknowledged notice after every tier of every round', async () => {
    // Prepare: one more round after the first.
    await setUp({ config: configWith(1) });
    const { ended } = await open();

    // Act: every wait runs out.
    for (const minutes of [5, 15, 30, 5, 15, 30]) await timeOut(minutes);
    const end = await ended;

    // Assess
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['trigger', 2],
      ['trigger', 3],
      ['trigger', 1],
      ['trigger', 2],
      ['trigger', 3],
      ['unacknowledged', '-'],
    ]);
    const ids = publisher.published.map(({ notice }) => notice.id);
    assert.equal(new Set(ids).size, ids.length, 'every notice has an id of its own');
    const unacknowledged = publisher.published.at(-1)!;
    assert.deepEqual(
      unacknowledged.audience,
      {},
      'the policy targets the severity topic, so everyone is told',
    );
    assert.equal(unacknowledged.notice.reason, 'nobody acknowledged after 3 tier(s) and 2 rounds');
    assert.deepEqual(await escalationTimeline(2), [
      ['escalated', 0],
      ['escalated', 5],
      ['escalated', 20],
      ['escalated', 50],
      ['escalated', 55],
      ['escalated', 70],
      ['escalation-exhausted', 100],
    ]);
    const messages = (await incidents.get(incident.id))!.timeline.map((event) => event.message);
    assert.ok(
      messages.includes(
        'notified tier 2 of 3 (manager, round 2 of 2): slack-managers; waiting 15m for an acknowledgement',
      ),
    );
  });

  it('stops when the incident resolves during a wait, and tells the targets it resolved', async () => {
    // Prepare
    await setUp();
    const { ended } = await open();
    await timers.next();

    // Act
    clock.at += 4 * MINUTE;
    await change((current, now) => resolveIncident(current, 'carol', now));

    // Assess
    assert.equal((await ended).status, 'succeeded');
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['resolve', '-'],
    ]);
    assert.equal(publisher.published[1]!.notice.incident.resolvedBy, 'carol');
    assert.deepEqual(await escalationTimeline(2), [
      ['escalated', 0],
      ['resolved', 4],
    ]);
  });

  it('skips a tier whose condition does not hold and notifies the next at once', async () => {
    // Prepare: the manager tier holds in Berlin business hours; 2026-03-14 is a Saturday.
    const businessHours = {
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['monday:friday'], start: '09:00', end: '17:00' }],
    };
    await setUp({ config: configWith(0, businessHours), at: Date.parse('2026-03-14T10:00:00Z') });
    const { ended } = await open();

    // Act
    await timeOut(5);
    await timers.next();
    await change((current, now) => acknowledgeIncident(current, 'dave', now));

    // Assess
    assert.equal((await ended).status, 'succeeded');
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['trigger', 3],
      ['acknowledge', '-'],
    ]);
    const timeline = (await incidents.get(incident.id))!.timeline.slice(2);
    assert.deepEqual(
      timeline.map((event) => event.type),
      ['escalated', 'escalation-skipped', 'escalated', 'acknowledged'],
    );
    assert.equal(
      timeline[1]!.message,
      'skipped tier 2 of 3 (manager): it holds only inside monday,tuesday,wednesday,thursday,friday 09:00-17:00 (Europe/Berlin)',
    );
  });

  it('ends without waiting when the incident is acknowledged before the wait stores its token', async () => {
    // Prepare: the acknowledgement lands right after the notify step, when no token is stored yet.
    let acknowledged = false;
    await setUp({
      afterStep: async (action) => {
        if (action !== 'notify' || acknowledged) return;
        acknowledged = true;
        await change((current, now) => acknowledgeIncident(current, 'erin', now));
      },
    });
    const { ended } = await open();

    // Act
    const end = await ended;

    // Assess: the await step sees the acknowledgement and fails with EscalationStopped, which ends it.
    assert.equal(end.status, 'succeeded');
    assert.equal(timers.started.length, 0, 'no wait began');
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['acknowledge', '-'],
    ]);
  });

  it('retries a failing step, then tells the targets the escalation failed', async () => {
    // Prepare: the topic refuses every trigger.
    await setUp({ publisher: new RecordingPublisher((notice) => notice.event === 'trigger') });
    const { ended } = await open();

    // Act
    const end = await ended;

    // Assess: the first attempt and 3 retries, then the failure notice, then the Fail state.
    assert.deepEqual(end, {
      status: 'failed',
      error: 'EscalationFailed',
      cause: 'a step of the escalation failed after its retries; see the incident timeline',
    });
    assert.equal(publisher.attempts, 4 + 1);
    assert.deepEqual(publisher.events(), [['escalation-failed', 1]]);
    const reason = `escalation failed at tier 1 of 3 (on-call): Error: the topic refused ${executionName(incident, 'p0')}:trigger:1:1`;
    assert.equal(publisher.published[0]!.notice.reason, reason);
    const last = (await incidents.get(incident.id))!.timeline.at(-1)!;
    assert.equal(last.type, 'escalation-failed');
    assert.equal(last.message, `${reason}; nobody is being paged for this incident now`);
  });

  it('publishes a retried step under the same id and records its entry once', async () => {
    // Prepare: the first write of the step's timeline entry fails after the notice went out.
    const stored = new DynamoDbIncidentRepository({
      client: table.client,
      tableName: table.tableName,
      now: clock.now,
    });
    let failures = 1;
    const flaky: IncidentRepository = {
      get: (id) => stored.get(id),
      listLive: (since) => stored.listLive(since),
      list: (query) => stored.list(query),
      put: async (changed) => {
        if (changed.timeline.at(-1)?.type === 'escalated' && failures-- > 0) throw new Error('throttled');
        return stored.put(changed);
      },
    };
    await setUp({ incidents: flaky });
    await open();

    // Act
    await timers.next();

    // Assess
    assert.deepEqual(publisher.events(), [
      ['trigger', 1],
      ['trigger', 1],
    ]);
    assert.equal(publisher.published[0]!.notice.id, publisher.published[1]!.notice.id);
    assert.deepEqual(
      (await escalationTimeline(2)).map(([type]) => type),
      ['escalated'],
    );
  });

  it("hands a warning's escalation over to the critical policy when its severity rises, from tier 1", async () => {
    // Prepare: the default chains (warning: p2, on-call for 30 minutes; critical: p0, on-call for 5).
    await setUp({ config: parseEscalationConfig(undefined) });
    const opened = await incidents.get(incident.id);
    const warning: Incident = { ...opened!, severity: 'warning', version: opened!.version + 1 };
    assert.equal(await incidents.put(warning), true);
    await onIncidentEvents([{ incidentId: warning.id, status: 'open', event: warning.timeline.at(-1)! }]);
    const p2Wait = await timers.next();
    clock.at += 10 * MINUTE;
    // As the pipeline does when a critical alert joins: on the incident as stored (tier 1's entry on it).
    const current = (await incidents.get(incident.id))!;
    const raised: Incident = {
      ...current,
      severity: 'critical',
      version: current.version + 1,
      timeline: [
        ...current.timeline,
        {
          at: clock.at,
          type: 'severity-raised',
          actor: SYSTEM_ACTOR,
          message: 'raised to critical',
          severity: 'critical',
        },
      ],
    };
    assert.equal(await incidents.put(raised), true);

    // Act
    await onIncidentEvents([{ incidentId: raised.id, status: 'open', event: raised.timeline.at(-1)! }]);
    const p0Wait = await timers.next();

    // Assess: the p2 escalation ended on its wait; the p0 one paged its first tier and waits 5 minutes.
    const p2End = await runner.ended(executionName(raised, 'p2'))!;
    assert.deepEqual(outputOf(p2End).completion, { outcome: 'superseded' });
    assert.equal(p2Wait.ms, 30_000);
    assert.equal(p2Wait.cancelled, true);
    assert.equal(p0Wait.ms, 5_000);
    assert.deepEqual(
      publisher.published.map(({ notice }) => [notice.event, notice.incident.severity, notice.tier?.name]),
      [
        ['trigger', 'warning', 'on-call'],
        ['trigger', 'critical', 'on-call'],
      ],
    );
    assert.deepEqual(
      (await escalationTimeline(2)).map(([type]) => type),
      ['escalated', 'severity-raised', 'escalated'],
    );
  });

  it('starts one execution when the same opening is started twice', async () => {
    // Prepare
    await setUp();
    await open();

    // Act
    await open();
    await timers.next();

    // Assess
    assert.deepEqual(publisher.events(), [['trigger', 1]]);
  });

  it('aborts waiting executions on close, with nothing published afterwards', async () => {
    // Prepare
    await setUp();
    const { ended } = await open();
    const wait = await timers.next();

    // Act
    await runner.close();

    // Assess
    assert.deepEqual(await ended, { status: 'aborted' });
    assert.equal(wait.cancelled, true);
    wait.fire();
    assert.deepEqual(publisher.events(), [['trigger', 1]]);
    await assert.rejects(
      runner.startExecution('later', { state: { ...stateOf(incident), execution: 'later' } }),
      /closed/,
    );
  });
});

describe('escalations on the local platform', () => {
  it('pages tier 1 when an incident opens, and tells everyone once it is acknowledged through the API', async () => {
    // Prepare: the default chain (on-call for 5 minutes first), at real speed, so nothing times out here.
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-escalations-'));
    const printed = new PassThrough();
    const platform = await startLocalPlatform({
      port: 0,
      dataDir,
      token: 'escalation-token',
      now: () => T0,
      console: printed,
      escalations: true,
    });
    const api = apiClient(platform.url, platform.token);
    const notices = async () =>
      (await readFile(join(dataDir, 'outbox.ndjson'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((record) => record.kind === 'incident');
    /** The steps run on their own: wait (up to 5 s) for the outbox to hold this many notices. */
    const noticesWhen = async (count: number) => {
      for (let waited = 0; waited < 5000; waited += 10) {
        const found = await notices();
        if (found.length >= count) return found;
        await delay(10);
      }
      assert.fail(`expected ${count} incident notice(s) in the outbox, found ${(await notices()).length}`);
    };

    try {
      // Act
      const received = await api.post('/api/v1/alerts/alertmanager', alertmanagerPayload());
      const [triggered] = await noticesWhen(1);
      // The rules job makes sure every open incident escalates; this one is, so it starts nothing new.
      const job = await api.post('/api/v1/jobs/alert-rules/run', {});
      const acknowledged = await api.post(`/api/v1/incidents/${triggered.incident.id}/ack`, {});
      const all = await noticesWhen(2);

      // Assess
      assert.equal(received.status, 200);
      assert.equal(job.body.escalationsChecked, 1);
      assert.deepEqual(
        all.map((notice) => [notice.event, notice.tier?.name ?? '-']),
        [
          ['trigger', 'on-call'],
          ['acknowledge', '-'],
        ],
      );
      assert.equal(triggered.incident.severity, 'critical');
      assert.equal(
        triggered.links.acknowledge,
        `${platform.url}/api/v1/incidents/${triggered.incident.id}/ack`,
      );
      assert.equal(triggered.links.dashboard, `${platform.url}/`, 'the local dashboard page');
      assert.equal(acknowledged.status, 200);
      const incident = await api.get(`/api/v1/incidents/${triggered.incident.id}`);
      const types = incident.body.timeline.map((event: { type: string }) => event.type);
      assert.deepEqual(types.slice(-2), ['escalated', 'acknowledged']);
    } finally {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('acknowledge links on the local platform', () => {
  it('acknowledges from the link in the tier 1 notice: GET shows the incident, the form POST takes it', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-ack-link-'));
    const platform = await startLocalPlatform({
      port: 0,
      dataDir,
      token: 'link-token',
      now: () => T0,
      console: new PassThrough(),
      escalations: true,
    });
    const api = apiClient(platform.url, platform.token);
    try {
      await api.post('/api/v1/alerts/alertmanager', alertmanagerPayload());
      let link: string | undefined;
      for (let waited = 0; waited < 5000 && !link; waited += 10) {
        const records = (await readFile(join(dataDir, 'outbox.ndjson'), 'utf8').catch(() => ''))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
        link = records.find((record) => record.kind === 'incident')?.links?.acknowledgeLink;
        if (!link) await delay(10);
      }
      assert.ok(link, 'the tier 1 notice carries an acknowledge link');
      const incidentId = decodeURIComponent(new URL(link).pathname.split('/').at(-1)!);

      // Act: open the link (no token), then press the button.
      const shown = await fetch(link);
      const shownPage = await shown.text();
      const pressed = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ by: 'carol' }).toString(),
      });
      const pressedPage = await pressed.text();
      const tampered = await fetch(link.replace(/sig=[^&]+/, 'sig=forged'), {
        method: 'POST',
        body: 'by=mallory',
      });

      // Assess
      assert.equal(shown.status, 200);
      assert.match(shown.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(shownPage, /<form method="post">/);
      assert.equal(pressed.status, 200, pressedPage);
      assert.match(pressedPage, /acknowledged<\/strong> by carol via link/);
      assert.equal(tampered.status, 403);
      const incident = await api.get(`/api/v1/incidents/${incidentId}`);
      assert.equal(incident.body.status, 'acknowledged');
      assert.equal(incident.body.acknowledgedBy, 'carol via link');
    } finally {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('parseTimeScale', () => {
  it('reads VIGIL_TIME_SCALE, 1 when unset, and refuses what would stretch or stop time', () => {
    assert.equal(parseTimeScale(undefined), 1);
    assert.equal(parseTimeScale(''), 1);
    assert.equal(parseTimeScale('0.001'), 0.001);
    assert.equal(parseTimeScale('1'), 1);
    for (const text of ['60', '0', '-0.5', 'fast', 'Infinity']) {
      assert.throws(() => parseTimeScale(text), new RegExp(`above 0 and at most 1.*got "${text}"`), text);
    }
  });
});

function outputOf(end: ExecutionEnd): { completion?: unknown; timeoutSeconds?: number } {
  return end.status === 'succeeded' ? (end.output as { completion?: unknown; timeoutSeconds?: number }) : {};
}

function stateOf(incident: Incident) {
  return {
    incidentId: incident.id,
    reopenCount: 0,
    execution: executionName(incident, 'p0'),
    policy: 'p0',
    tier: 0,
    round: 0,
    startedAt: T0,
  };
}
