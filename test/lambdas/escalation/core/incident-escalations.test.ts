import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgeIncident,
  type Incident,
  resolveIncident,
  SYSTEM_ACTOR,
} from '../../../../lambdas/alerts/core/incident.js';
import type { IncidentEvent } from '../../../../lambdas/alerts/core/pipeline.js';
import { executionName } from '../../../../lambdas/escalation/core/escalation.js';
import {
  escalationResumer,
  incidentEscalations,
} from '../../../../lambdas/escalation/core/incident-escalations.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../lambdas/escalation/core/policy.js';
import type {
  EscalationControl,
  EscalationOutcome,
} from '../../../../lambdas/escalation/ports/escalation-control.js';
import {
  MemoryIncidentRepository,
  MINUTE,
  openedIncident,
  RecordingPublisher,
  SETTINGS,
  T0,
} from '../fixtures.js';

/** Records what the use cases asked of the escalation control. */
class RecordingControl implements EscalationControl {
  readonly calls: string[] = [];
  constructor(private readonly failOn?: string) {}

  async start(incident: Incident): Promise<void> {
    if (this.failOn === incident.id) throw new Error('step functions is down');
    this.calls.push(`start ${executionName(incident)}`);
  }

  async complete(incidentId: string, outcome: EscalationOutcome): Promise<void> {
    this.calls.push(`complete ${incidentId} ${outcome}`);
  }

  async escalate(incident: Incident): Promise<void> {
    this.calls.push(`escalate ${incident.id} ${incident.severity}`);
  }
}

const eventOf = (incident: Incident): IncidentEvent => ({
  incidentId: incident.id,
  status: incident.status,
  event: incident.timeline.at(-1)!,
});

function wire(control: EscalationControl, ...incidents: Incident[]) {
  const publisher = new RecordingPublisher();
  const errors: string[] = [];
  const onIncidentEvents = incidentEscalations({
    incidents: new MemoryIncidentRepository(...incidents),
    control,
    notices: publisher,
    config: DEFAULT_ESCALATION_CONFIG,
    settings: SETTINGS,
    now: () => T0 + MINUTE,
    onError: (message) => errors.push(message),
  });
  return { onIncidentEvents, publisher, errors };
}

describe('incidentEscalations', () => {
  it('starts the escalation of an incident that opens, and of one reopened open', async () => {
    // Prepare
    const opened = openedIncident('fraud');
    const reopened: Incident = {
      ...openedIncident('ranker'),
      reopenCount: 1,
      timeline: [{ at: T0, type: 'reopened', actor: SYSTEM_ACTOR, message: 'reopened' }],
    };
    const control = new RecordingControl();
    const { onIncidentEvents, publisher } = wire(control, opened, reopened);

    // Act
    await onIncidentEvents([eventOf(opened), eventOf(reopened)]);

    // Assess
    assert.deepEqual(control.calls, [`start ${opened.id}-0`, `start ${reopened.id}-1`]);
    assert.deepEqual(publisher.published, [], 'the first tier notifies, from the workflow');
  });

  it('does not start for events that neither open nor reopen an open incident', async () => {
    const pendingAgain: Incident = { ...openedIncident(), status: 'pending' };
    const control = new RecordingControl();
    const { onIncidentEvents } = wire(control, pendingAgain);

    await onIncidentEvents([
      {
        incidentId: pendingAgain.id,
        status: 'pending',
        event: { at: T0, type: 'reopened', actor: 'vigil', message: '' },
      },
      {
        incidentId: pendingAgain.id,
        status: 'open',
        event: { at: T0, type: 'alert-joined', actor: 'vigil', message: '' },
      },
    ]);

    assert.deepEqual(control.calls, []);
  });

  it('completes the wait and tells the targets when an incident is acknowledged, then resolved', async () => {
    // Prepare
    const acknowledged = acknowledgeIncident(openedIncident(), 'alice', T0 + MINUTE);
    const resolved = resolveIncident(acknowledged, 'alice', T0 + 2 * MINUTE);
    const control = new RecordingControl();
    const { onIncidentEvents, publisher } = wire(control, resolved);

    // Act
    await onIncidentEvents([eventOf(acknowledged), eventOf(resolved)]);

    // Assess
    assert.deepEqual(control.calls, [
      `complete ${resolved.id} acknowledged`,
      `complete ${resolved.id} resolved`,
    ]);
    assert.deepEqual(publisher.events(), [
      ['acknowledge', '-'],
      ['resolve', '-'],
    ]);
    assert.deepEqual(
      publisher.published.map(({ notice }) => notice.id),
      [`${resolved.id}-0:acknowledge`, `${resolved.id}-0:resolve`],
    );
  });

  it('tells nobody about an incident that closed before it ever opened, or whose severity does not escalate', async () => {
    // Prepare
    const neverOpened: Incident = { ...openedIncident('a'), status: 'resolved', openedAt: undefined };
    const info: Incident = { ...resolveIncident(openedIncident('b'), 'bob', T0), severity: 'info' };
    const control = new RecordingControl();
    const { onIncidentEvents, publisher } = wire(control, neverOpened, info);

    // Act
    await onIncidentEvents([
      {
        incidentId: neverOpened.id,
        status: 'resolved',
        event: { at: T0, type: 'resolved', actor: 'vigil', message: '' },
      },
      eventOf(info),
    ]);

    // Assess
    assert.deepEqual(publisher.published, []);
  });

  it('reports a failed start and goes on with the other events', async () => {
    // Prepare
    const failing = openedIncident('fraud');
    const other = openedIncident('ranker');
    const control = new RecordingControl(failing.id);
    const { onIncidentEvents, errors } = wire(control, failing, other);

    // Act
    await onIncidentEvents([eventOf(failing), eventOf(other)]);

    // Assess
    assert.deepEqual(errors, [`could not start the escalation of incident ${failing.id}`]);
    assert.deepEqual(control.calls, [`start ${other.id}-0`]);
  });
});

describe('incidentEscalations on a rise in severity', () => {
  it('escalates an open incident whose severity rose, and leaves one someone has alone', async () => {
    // Prepare
    const raise = (incident: Incident): Incident => ({
      ...incident,
      timeline: [
        ...incident.timeline,
        { at: T0, type: 'severity-raised', actor: SYSTEM_ACTOR, message: 'raised', severity: 'critical' },
      ],
    });
    const open = raise(openedIncident('fraud'));
    const acknowledged = { ...raise(openedIncident('ranker')), status: 'acknowledged' as const };
    const control = new RecordingControl();
    const { onIncidentEvents, publisher } = wire(control, open, acknowledged);

    // Act
    await onIncidentEvents([eventOf(open), eventOf(acknowledged)]);

    // Assess
    assert.deepEqual(control.calls, [`escalate ${open.id} critical`]);
    assert.deepEqual(publisher.published, [], 'the new escalation notifies, from the workflow');
  });
});

describe('escalationResumer', () => {
  it('starts the escalation of every open incident again, so one whose start failed is paged at the next run', async () => {
    // Prepare: the start failed when fraud opened; ranker was acknowledged and churn resolved.
    const failing = openedIncident('fraud');
    const acknowledged = acknowledgeIncident(openedIncident('ranker'), 'alice', T0 + MINUTE);
    const resolved = resolveIncident(openedIncident('churn'), 'bob', T0 + MINUTE);
    const control = new RecordingControl(failing.id);
    const { onIncidentEvents, errors } = wire(control, failing, acknowledged, resolved);
    await onIncidentEvents([eventOf(failing)]);
    const recovered = new RecordingControl();
    const errorsAfter: string[] = [];

    // Act
    const checked = await escalationResumer({
      incidents: new MemoryIncidentRepository(failing, acknowledged, resolved),
      control: recovered,
      onError: (message) => errorsAfter.push(message),
    })();

    // Assess
    assert.deepEqual(errors, [`could not start the escalation of incident ${failing.id}`]);
    assert.equal(checked, 1, 'only the open incident');
    assert.deepEqual(recovered.calls, [`start ${failing.id}-0`]);
    assert.deepEqual(errorsAfter, []);
  });

  it('reports an incident it cannot start and goes on with the others', async () => {
    // Prepare
    const failing = openedIncident('fraud');
    const other = openedIncident('ranker');
    const control = new RecordingControl(failing.id);
    const errors: string[] = [];

    // Act
    const checked = await escalationResumer({
      incidents: new MemoryIncidentRepository(failing, other),
      control,
      onError: (message) => errors.push(message),
    })();

    // Assess
    assert.equal(checked, 2);
    assert.deepEqual(errors, [`could not resume the escalation of incident ${failing.id}`]);
    assert.deepEqual(control.calls, [`start ${other.id}-0`]);
  });
});
