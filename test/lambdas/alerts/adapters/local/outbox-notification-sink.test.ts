import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { OutboxNotificationSink } from '../../../../../lambdas/alerts/adapters/local/outbox-notification-sink.js';
import {
  formatNotificationLine,
  type NotificationRecord,
} from '../../../../../lambdas/alerts/core/notification-text.js';
import type {
  AlertNotification,
  DigestNotification,
} from '../../../../../lambdas/alerts/core/pipeline-notifications.js';

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

function firing(id: string, model = 'fraud'): AlertNotification {
  return {
    kind: 'alerts',
    id,
    at: T0,
    rule: 'ModelErrorRateHigh',
    groupKey: `{alertname="ModelErrorRateHigh",model="${model}"}`,
    groupLabels: { alertname: 'ModelErrorRateHigh', model },
    reason: 'first',
    status: 'firing',
    alerts: [
      {
        fingerprint: `fp-${id}`,
        name: 'ModelErrorRateHigh',
        labels: { model, severity: 'critical' },
        // Long enough that unserialised appends would have a chance to interleave.
        annotations: { summary: `Error rate of ${model} is 12.5%`, description: 'x'.repeat(20_000) },
        source: 'rule',
        status: 'firing',
        startsAt: T0 - 120_000,
      },
    ],
  };
}

const digest: DigestNotification = {
  kind: 'digest',
  id: 'digest-1',
  at: T0,
  rule: 'ModelErrorRateHigh',
  suppressed: [{ at: T0 - 60_000, groupKey: 'g', reason: 'repeat', alerts: [] }],
  omitted: 0,
};

/** A console that keeps what is written to it. */
function recordingConsole() {
  const written: string[] = [];
  return { written, write: (text: string) => written.push(text) };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-outbox-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function outboxLines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'), 'every line ends with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('OutboxNotificationSink', () => {
  it('appends one JSON line per notification, times as ISO-8601, creating the directory', async () => {
    const path = join(dir, 'data', 'outbox.ndjson');
    const sink = new OutboxNotificationSink({ path, console: recordingConsole() });

    await sink.send(firing('n-1'));
    await sink.send(digest);

    const [first, second] = (await outboxLines(path)) as NotificationRecord[];
    assert.equal(first?.kind, 'alerts');
    assert.equal(first.id, 'n-1');
    assert.equal(first.at, '2026-03-10T12:00:00.000Z');
    assert.equal(first.alerts[0]?.startsAt, '2026-03-10T11:58:00.000Z');
    assert.equal(second?.kind, 'digest');
    assert.equal(second.suppressed[0]?.at, '2026-03-10T11:59:00.000Z');
  });

  it('keeps lines whole and in send order when sends run concurrently', async () => {
    const path = join(dir, 'outbox.ndjson');
    const console = recordingConsole();
    const sink = new OutboxNotificationSink({ path, console });
    const ids = Array.from({ length: 40 }, (_, index) => `n-${index}`);

    await Promise.all(ids.map((id) => sink.send(firing(id, `model-${id}`))));

    const lines = (await outboxLines(path)) as { id: string }[];
    assert.deepEqual(
      lines.map((line) => line.id),
      ids,
    );
    assert.deepEqual(
      console.written,
      ids.map((id) => `${formatNotificationLine(firing(id, `model-${id}`))}\n`),
    );
  });

  it('prints one human line per notification', async () => {
    const console = recordingConsole();
    const sink = new OutboxNotificationSink({ path: null, console });

    await sink.send(firing('n-1'));
    await sink.send(digest);

    assert.deepEqual(console.written, [
      '[vigil] FIRING critical ModelErrorRateHigh model=fraud — Error rate of fraud is 12.5%\n',
      '[vigil] DIGEST ModelErrorRateHigh — 1 notification held back by the fatigue guard (0 alerts in the 1 listed)\n',
    ]);
  });

  it('writes to .vigil/outbox.ndjson by default, and no file at all when its path is null', async () => {
    const home = process.cwd();
    process.chdir(dir);
    try {
      await new OutboxNotificationSink({ path: null, console: recordingConsole() }).send(firing('n-1'));
      assert.deepEqual(await readdir(dir), []);

      await new OutboxNotificationSink({ console: recordingConsole() }).send(firing('n-2'));
      assert.deepEqual(
        ((await outboxLines(join(dir, '.vigil', 'outbox.ndjson'))) as { id: string }[]).map(
          (line) => line.id,
        ),
        ['n-2'],
      );
    } finally {
      process.chdir(home);
    }
  });

  it('fails the send whose write fails, and writes the next one once the file can be written', async () => {
    // A file where the outbox's directory should be makes the directory impossible to create.
    const blocker = join(dir, 'blocked');
    await writeFile(blocker, '');
    const path = join(blocker, 'outbox.ndjson');
    const console = recordingConsole();
    const sink = new OutboxNotificationSink({ path, console });

    await assert.rejects(sink.send(firing('n-1')));
    await unlink(blocker);
    await sink.send(firing('n-2'));

    assert.deepEqual(
      ((await outboxLines(path)) as { id: string }[]).map((line) => line.id),
      ['n-2'],
    );
    assert.equal(console.written.length, 1, 'only what was recorded is printed');
  });
});
