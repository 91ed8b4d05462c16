import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OutboxNotificationSink } from '../../../../../lambdas/alerts/adapters/local/outbox-notification-sink.js';
import { OutboxNoticePublisher } from '../../../../../lambdas/escalation/adapters/local/outbox-notice-publisher.js';
import {
  decideExhausted,
  escalationStart,
  stopNotice,
} from '../../../../../lambdas/escalation/core/escalation.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../../lambdas/escalation/core/policy.js';
import { openedIncident, SETTINGS, T0 } from '../../fixtures.js';

describe('OutboxNoticePublisher', () => {
  it('appends notices to the outbox beside the pipeline notifications and prints a line for each', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'vigil-outbox-'));
    const printed: string[] = [];
    const outbox = new OutboxNotificationSink({
      path: join(dir, 'outbox.ndjson'),
      console: { write: (text: string) => printed.push(text) },
    });
    const publisher = new OutboxNoticePublisher(outbox);
    const incident = openedIncident('fraud-detector');
    const policy = DEFAULT_ESCALATION_CONFIG.policies.p0!;
    const exhausted = decideExhausted(
      escalationStart(incident, 'p0', T0).state,
      policy,
      incident,
      T0,
      SETTINGS,
    );
    assert.equal(exhausted.outcome, 'unacknowledged');
    if (exhausted.outcome !== 'unacknowledged') return;
    const acknowledged = stopNotice(incident, 'acknowledge', policy, T0, SETTINGS);

    try {
      // Act
      await publisher.publish(exhausted.delivery.notice, {});
      await publisher.publish(acknowledged.notice, { channels: ['slack-ops'] });

      // Assess
      const lines = (await readFile(join(dir, 'outbox.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.deepEqual(
        lines.map((line) => [line.kind, line.event, line.channels]),
        [
          ['incident', 'unacknowledged', undefined],
          ['incident', 'acknowledge', ['slack-ops']],
        ],
      );
      assert.deepEqual(printed, [
        `[vigil] UNACKNOWLEDGED critical error rate of fraud-detector is 4.2 % incident=${incident.id} — nobody acknowledged after 4 tier(s) and 2 rounds\n`,
        `[vigil] ACKNOWLEDGE critical error rate of fraud-detector is 4.2 % incident=${incident.id} -> slack-ops\n`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
