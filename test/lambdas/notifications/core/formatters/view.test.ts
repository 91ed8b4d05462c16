import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationView } from '../../../../../lambdas/notifications/core/formatters/view.js';
import {
  alertNotification,
  DASHBOARD_URL,
  NOTICE_AT,
  notice,
  notifiedAlert,
  OPENED_AT,
  RUNBOOK_URL,
} from '../../fixtures/messages.js';

describe('notificationView of an alert group', () => {
  it('names the rule and models, counts firing and resolved alerts, and links runbook and source', () => {
    // Prepare
    const message = alertNotification([
      notifiedAlert(),
      notifiedAlert({
        fingerprint: 'f2',
        status: 'resolved',
        startsAt: OPENED_AT - 60_000,
        endsAt: NOTICE_AT,
      }),
    ]);

    // Act
    const view = notificationView(message);

    // Assess
    assert.equal(view.headline, 'HighErrorRate on fraud-detector (1 firing, 1 resolved)');
    assert.equal(view.summary, 'Error rate of fraud-detector is 12.5 %');
    assert.equal(view.severity, 'critical');
    assert.deepEqual(
      view.links.map((link) => [link.label, link.url]),
      [
        ['Runbook', RUNBOOK_URL],
        ['Source', message.alerts[0]?.generatorUrl],
      ],
    );
    assert.deepEqual(view.facts.at(-1), {
      label: 'Since',
      value: new Date(OPENED_AT - 60_000).toISOString(),
    });
    assert.match(
      view.acknowledge,
      /acknowledge the incident these alerts joined .*POST \/api\/v1\/incidents\/\{id\}\/ack/,
    );
  });

  it('prefers the dashboard it was given over the source, and acknowledges through the linked incident', () => {
    const view = notificationView({
      ...alertNotification(),
      links: { dashboard: DASHBOARD_URL, incident: 'https://api.vigil.example.com/api/v1/incidents/inc-9' },
    });
    assert.deepEqual(
      view.links.map((link) => link.label),
      ['Dashboard', 'Runbook', 'Incident'],
    );
    assert.equal(
      view.acknowledge,
      'To acknowledge: POST https://api.vigil.example.com/api/v1/incidents/inc-9/ack with a bearer token that has the respond scope.',
    );
  });

  it('drops annotation links that are not http(s), and says resolved once all alerts are', () => {
    const view = notificationView(
      alertNotification([
        notifiedAlert({
          status: 'resolved',
          annotations: { summary: 'ok again', runbook_url: 'javascript:alert(1)' },
          generatorUrl: undefined,
        }),
      ]),
    );
    assert.equal(view.headline, 'Resolved: HighErrorRate on fraud-detector');
    assert.deepEqual(view.links, []);
    assert.equal(view.items[0]?.runbook, undefined);
  });
});

describe('notificationView of an incident', () => {
  it('puts the acknowledge link first among the buttons, and says so', () => {
    // Prepare
    const link = 'https://api.vigil.example.com/ack/inc-1?exp=1773158400&sig=c2ln';
    const base = notice('trigger');

    // Act
    const view = notificationView({ ...base, links: { ...base.links, acknowledgeLink: link } });

    // Assess
    assert.deepEqual(view.links[0], { label: 'Acknowledge', url: link });
    assert.match(view.acknowledge, /^To acknowledge, open the Acknowledge link, or POST /);
    assert.ok(!notificationView(base).links.some((each) => each.label === 'Acknowledge'));
  });

  it('headlines each event', () => {
    const title = notice().incident.title;
    assert.deepEqual(
      (['trigger', 'acknowledge', 'resolve', 'unacknowledged', 'escalation-failed'] as const).map(
        (event) => notificationView(notice(event)).headline,
      ),
      [
        title,
        `Acknowledged: ${title}`,
        `Resolved: ${title}`,
        `Unacknowledged after every tier: ${title}`,
        `Escalation failed: ${title}`,
      ],
    );
  });
});
