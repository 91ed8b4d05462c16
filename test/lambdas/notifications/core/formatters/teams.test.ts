import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../../../../lambdas/alerts/core/alert.js';
import {
  type AdaptiveElement,
  type TeamsMessage,
  teamsMessage,
} from '../../../../../lambdas/notifications/core/formatters/teams.js';
import {
  alertNotification,
  DASHBOARD_URL,
  digestNotification,
  notice,
  notifiedAlert,
  RUNBOOK_URL,
} from '../../fixtures/messages.js';

/*
 * Reference: Microsoft Learn, "Send Adaptive Cards using an Incoming Webhook" (msteams-docs): "The `type`
 * field must be `message`", "The `attachments` array contains a set of card objects", "The `contentType`
 * field must be set to adaptive card type" (application/vnd.microsoft.card.adaptive), "The `content` object
 * is the card formatted in JSON"; the supported actions are Action.OpenURL, Action.ShowCard and
 * Action.ToggleVisibility. "Create an Incoming Webhook": "The message size limit is 28 KB."
 */
function assertDocumentedTeamsMessage(message: TeamsMessage): void {
  assert.equal(message.type, 'message');
  assert.equal(message.attachments.length, 1);
  const [attachment] = message.attachments;
  assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(attachment?.content.type, 'AdaptiveCard');
  assert.match(attachment?.content.version ?? '', /^1\.[0-5]$/);
  assert.ok((attachment?.content.body.length ?? 0) > 0);
  for (const action of attachment?.content.actions ?? []) {
    assert.ok(['Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'].includes(action.type));
  }
  const bytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
  assert.ok(bytes <= 28_000, `${bytes} bytes, at most 28 KB allowed`);
}

const body = (message: TeamsMessage): readonly AdaptiveElement[] =>
  message.attachments[0]?.content.body ?? [];
const texts = (message: TeamsMessage) =>
  body(message).flatMap((element) => (element.type === 'TextBlock' ? [element.text] : []));

describe('teamsMessage', () => {
  it('shows an incident with its summary, severity, facts, links and how to acknowledge', () => {
    // Prepare
    const incident = notice('trigger');

    // Act
    const message = teamsMessage(incident);

    // Assess
    assertDocumentedTeamsMessage(message);
    const [headline, summary, facts] = body(message);
    assert.deepEqual(headline, {
      type: 'TextBlock',
      text: '🚨 [prod] CRITICAL · Error rate of fraud-detector is 12.5 % (threshold 10 %)',
      wrap: true,
      size: 'Large',
      weight: 'Bolder',
      color: 'Attention',
    });
    assert.equal(
      summary?.type === 'TextBlock' && summary.text,
      'Error rate of fraud-detector is 12.5 % (threshold 10 %)',
    );
    assert.ok(facts?.type === 'FactSet');
    assert.deepEqual(facts.facts.slice(0, 4), [
      { title: 'Severity', value: 'critical' },
      { title: 'Status', value: 'open' },
      { title: 'Environment', value: 'prod' },
      { title: 'Tier', value: '1 of 4: on-call' },
    ]);
    assert.ok(texts(message).some((text) => text.includes(`POST ${incident.links.acknowledge}`)));
    assert.deepEqual(message.attachments[0]?.content.actions, [
      { type: 'Action.OpenUrl', title: 'Dashboard', url: DASHBOARD_URL },
      { type: 'Action.OpenUrl', title: 'Runbook', url: RUNBOOK_URL },
      { type: 'Action.OpenUrl', title: 'Incident', url: incident.links.incident },
    ]);
  });

  const colours: Array<[Severity, string]> = [
    ['critical', 'Attention'],
    ['high', 'Attention'],
    ['warning', 'Warning'],
    ['info', 'Accent'],
  ];
  for (const [severity, colour] of colours) {
    it(`colours ${severity} as ${colour}`, () => {
      const [headline] = body(teamsMessage(alertNotification([notifiedAlert({ severity })])));
      assert.equal(headline?.type === 'TextBlock' && headline.color, colour);
    });
  }

  it('colours a resolved incident Good', () => {
    const [headline] = body(teamsMessage(notice('resolve')));
    assert.ok(headline?.type === 'TextBlock' && headline.color === 'Good' && headline.text.startsWith('✅ '));
  });

  it('stays within 28 KB for a huge group of alerts with multibyte text, counting what it leaves out', () => {
    // Prepare: 3 bytes per character in UTF-8.
    const alerts = Array.from({ length: 1000 }, (_, i) =>
      notifiedAlert({ fingerprint: `f${i}`, name: `Alert${i}`, summary: '警'.repeat(2000) }),
    );

    // Act
    const message = teamsMessage({ ...alertNotification(alerts) });

    // Assess
    assertDocumentedTeamsMessage(message);
    const listed = texts(message).filter((text) => text.startsWith('🔥 ')).length;
    assert.ok(texts(message).includes(`…and ${1000 - listed} more not listed here`));
  });

  it('shows a digest and how to acknowledge', () => {
    const message = teamsMessage(digestNotification());
    assertDocumentedTeamsMessage(message);
    assert.ok(texts(message).includes('…and 3 more not listed here'));
    assert.ok(texts(message).some((text) => text.startsWith('To acknowledge')));
  });
});
