import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../../../../lambdas/alerts/core/alert.js';
import {
  escapeMrkdwn,
  type SlackBlock,
  type SlackMessage,
  slackMessage,
} from '../../../../../lambdas/notifications/core/formatters/slack.js';
import {
  alertNotification,
  DASHBOARD_URL,
  digestNotification,
  notice,
  notifiedAlert,
  RUNBOOK_URL,
} from '../../fixtures/messages.js';

/*
 * Reference: Slack, "Sending messages using incoming webhooks" (a JSON body with `text`, and `blocks` for
 * layout; `text` is then the notification fallback), and the Block Kit reference on docs.slack.dev:
 * "You can include up to 50 blocks in each message"; header text "Maximum length ... is 150 characters"
 * (plain_text only); section text "Minimum length ... is 1 and maximum length is 3000 characters"; section
 * fields "Maximum number of items is 10. Maximum length for the text in each item is 2000 characters";
 * button text "Maximum length ... is 75 characters" (plain_text), button url "Maximum length is 3000
 * characters", action_id "Should be unique among all other action_ids in the containing block"; context
 * block at most 10 elements. Legacy attachments take `color` and `blocks`.
 */
function assertWithinSlackLimits(message: SlackMessage): void {
  assert.deepEqual(Object.keys(message).sort(), ['attachments', 'blocks', 'text']);
  assert.ok(message.text.length > 0);
  const all: SlackBlock[] = [
    ...message.blocks,
    ...message.attachments.flatMap((attachment) => attachment.blocks),
  ];
  assert.ok(all.length <= 50, `${all.length} blocks, at most 50 allowed`);
  for (const attachment of message.attachments) assert.match(attachment.color, /^#[0-9a-f]{6}$/);
  for (const block of all) {
    switch (block.type) {
      case 'header':
        assert.equal(block.text.type, 'plain_text');
        assert.ok(block.text.text.length >= 1 && block.text.text.length <= 150, 'header text 1..150');
        break;
      case 'section':
        assert.ok(block.text || block.fields, 'a section has text or fields');
        if (block.text)
          assert.ok(block.text.text.length >= 1 && block.text.text.length <= 3000, 'section text 1..3000');
        if (block.fields) {
          assert.ok(block.fields.length <= 10, 'at most 10 fields');
          for (const field of block.fields) assert.ok(field.text.length <= 2000, 'field text at most 2000');
        }
        break;
      case 'context':
        assert.ok(block.elements.length >= 1 && block.elements.length <= 10, 'context elements 1..10');
        for (const element of block.elements) assert.ok(element.text.length <= 3000);
        break;
      case 'actions': {
        assert.ok(block.elements.length <= 25);
        const ids = block.elements.map((element) => element.action_id);
        assert.equal(new Set(ids).size, ids.length, 'action_ids unique within the block');
        for (const button of block.elements) {
          assert.equal(button.text.type, 'plain_text');
          assert.ok(button.text.text.length <= 75 && button.url.length <= 3000);
        }
        break;
      }
    }
  }
}

const textOf = (message: SlackMessage) =>
  JSON.stringify([...message.blocks, ...message.attachments.flatMap((attachment) => attachment.blocks)]);

describe('slackMessage', () => {
  it('shows an incident with its summary, severity, links and how to acknowledge', () => {
    // Prepare
    const incident = notice('trigger');

    // Act
    const message = slackMessage(incident);

    // Assess
    assertWithinSlackLimits(message);
    const header = message.blocks[0];
    assert.equal(header?.type, 'header');
    assert.equal(
      header.type === 'header' && header.text.text,
      // The pipeline titles an incident with its first alert's summary.
      ':rotating_light: [prod] CRITICAL · Error rate of fraud-detector is 12.5 % (threshold 10 %)',
    );
    assert.equal(message.text, 'CRITICAL [prod] Error rate of fraud-detector is 12.5 % (threshold 10 %)');
    assert.match(textOf(message), /Error rate of fraud-detector is 12\.5 % \(threshold 10 %\)/);
    assert.match(textOf(message), new RegExp(`POST ${incident.links.acknowledge.replace(/[.]/g, '\\.')}`));
    assert.match(textOf(message), /\*Tier\*\\n1 of 4: on-call/);
    const actions = message.attachments[0]?.blocks.find((block) => block.type === 'actions');
    assert.deepEqual(
      actions?.type === 'actions' && actions.elements.map((button) => [button.text.text, button.url]),
      [
        ['Dashboard', DASHBOARD_URL],
        ['Runbook', RUNBOOK_URL],
        ['Incident', incident.links.incident],
      ],
    );
  });

  const colours: Array<[Severity, string, string]> = [
    ['critical', ':rotating_light:', '#e01e5a'],
    ['high', ':red_circle:', '#e8912d'],
    ['warning', ':warning:', '#ecb22e'],
    ['info', ':information_source:', '#36c5f0'],
  ];
  for (const [severity, emoji, color] of colours) {
    it(`marks ${severity} with ${emoji} and ${color}`, () => {
      const message = slackMessage(alertNotification([notifiedAlert({ severity })]));
      const header = message.blocks[0];
      assert.ok(header?.type === 'header' && header.text.text.startsWith(`${emoji} `));
      assert.equal(message.attachments[0]?.color, color);
    });
  }

  it('marks a resolved incident green with a check mark', () => {
    const message = slackMessage(notice('resolve'));
    const header = message.blocks[0];
    assert.ok(
      header?.type === 'header' &&
        header.text.text.startsWith(':white_check_mark: [prod] CRITICAL · Resolved: '),
    );
    assert.equal(message.attachments[0]?.color, '#2eb67d');
  });

  it('cuts a long summary to the section limit with an ellipsis', () => {
    // Prepare
    const long = 'x'.repeat(10_000);

    // Act
    const message = slackMessage(notice('trigger', long));

    // Assess
    assertWithinSlackLimits(message);
    const summary = message.blocks[1];
    assert.ok(summary?.type === 'section' && summary.text);
    assert.equal(summary.text.text.length, 3000);
    assert.ok(summary.text.text.endsWith('x…'));
    assert.ok(message.text.length <= 3000);
  });

  it('escapes what mrkdwn reserves, and still fits when escaping lengthens the text', () => {
    // Slack, "Formatting text for app surfaces": & < > are escaped as &amp; &lt; &gt;.
    assert.equal(escapeMrkdwn('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
    const message = slackMessage(notice('trigger', '<!channel> & '.repeat(1000)));
    assertWithinSlackLimits(message);
    // Only mrkdwn text is parsed for mentions; plain_text (the header) shows them as typed.
    const mrkdwnTexts = JSON.stringify(message).match(/"type":"mrkdwn","text":"[^"]*"/g) ?? [];
    assert.ok(mrkdwnTexts.length > 0);
    assert.ok(mrkdwnTexts.every((text) => !text.includes('<!channel>')));
    assert.ok(!message.text.includes('<!channel>'));
  });

  it('lists a large alert group within 50 blocks and counts what it leaves out', () => {
    // Prepare
    const alerts = Array.from({ length: 500 }, (_, i) =>
      notifiedAlert({ fingerprint: `f${i}`, name: `Alert${i}`, summary: `${'s'.repeat(400)} ${i}` }),
    );

    // Act
    const message = slackMessage(alertNotification(alerts));

    // Assess
    assertWithinSlackLimits(message);
    const listed = message.blocks
      .filter((block) => block.type === 'section' && block.text?.text.startsWith('• '))
      .flatMap((block) => (block.type === 'section' && block.text ? block.text.text.split('\n') : []));
    const more = message.blocks.at(-1);
    assert.ok(more?.type === 'context');
    assert.equal(more.elements[0]?.text, `…and ${500 - listed.length} more not listed here`);
    assert.ok(listed.length > 0 && listed.length <= 100);
  });

  it('shows a digest with its held-back alerts and the omitted count', () => {
    const message = slackMessage(digestNotification());
    assertWithinSlackLimits(message);
    const header = message.blocks[0];
    assert.ok(
      header?.type === 'header' &&
        header.text.text === ':card_index_dividers: Digest: 5 notifications held back for HighErrorRate',
    );
    assert.match(textOf(message), /HighErrorRate — Error rate 11 %/);
    assert.match(textOf(message), /…and 3 more not listed here/);
    assert.match(textOf(message), /To acknowledge, acknowledge the incident these alerts joined/);
  });

  it('links an alert notification to the runbook and the acknowledge call it was given', () => {
    const message = slackMessage({
      ...alertNotification(),
      environment: 'prod',
      links: { acknowledge: 'https://api.vigil.example.com/api/v1/incidents/inc-1/ack' },
    });
    assertWithinSlackLimits(message);
    assert.match(
      textOf(message),
      /To acknowledge: POST https:\/\/api\.vigil\.example\.com\/api\/v1\/incidents\/inc-1\/ack/,
    );
    assert.match(textOf(message), new RegExp(`<${RUNBOOK_URL.replace(/[.]/g, '\\.')}\\|runbook>`));
  });
});
