import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatNotificationLine, notificationRecord } from '../../core/notification-text.js';
import type { Notification } from '../../core/pipeline-notifications.js';
import type { NotificationSink } from '../../ports/notification-sink.js';

/** Where the local platform records notifications unless told otherwise. */
export const DEFAULT_OUTBOX_PATH = '.vigil/outbox.ndjson';

/** Where the human-readable lines go: a stream such as `process.stdout`. */
export interface NotificationConsole {
  write(text: string): unknown;
}

/** Options of an `OutboxNotificationSink`. */
export interface OutboxNotificationSinkProps {
  /**
   * The NDJSON file each notification is appended to (its directory is created), or null for none.
   * @default DEFAULT_OUTBOX_PATH
   */
  readonly path?: string | null;
  /**
   * Where one line per notification is printed.
   * @default process.stdout
   */
  readonly console?: NotificationConsole;
}

/**
 * The local notifier: appends each notification to an NDJSON outbox (one JSON object a line, times as
 * ISO-8601) and prints one line about it for the person watching the terminal. Sends are written one
 * after another in the order they were made, so concurrent sends never interleave or reorder lines.
 */
export class OutboxNotificationSink implements NotificationSink {
  private readonly path: string | null;
  private readonly console: NotificationConsole;
  /** The last write; each send waits for it, which keeps writes in order and whole. */
  private tail: Promise<void> = Promise.resolve();

  constructor(props: OutboxNotificationSinkProps = {}) {
    this.path = props.path === undefined ? DEFAULT_OUTBOX_PATH : props.path;
    this.console = props.console ?? process.stdout;
  }

  /** Records the notification in the outbox, then prints its line; rejects when the file cannot be written. */
  send(notification: Notification): Promise<void> {
    return this.append(notificationRecord(notification), formatNotificationLine(notification));
  }

  /**
   * Appends any record to the outbox, then prints its line, in order with every other write (the escalation
   * workflow's incident notices go through here too); rejects when the file cannot be written.
   */
  append(record: unknown, text: string): Promise<void> {
    const json = `${JSON.stringify(record)}\n`;
    const line = `${text}\n`;
    const write = this.tail.then(async () => {
      if (this.path !== null) {
        await mkdir(dirname(this.path), { recursive: true });
        await appendFile(this.path, json, 'utf8');
      }
      this.console.write(line);
    });
    // A failed write fails its own send only; the next one still runs.
    this.tail = write.catch(() => undefined);
    return write;
  }
}
