import type { DeliveryLog } from '../ports/delivery-log.js';
import type { HttpPoster } from '../ports/http-poster.js';
import type { SecretSource } from '../ports/secret-source.js';
import { type Channel, ChannelSecretError, channelTarget, filteredOut } from './channels.js';
import { formatFor } from './formatters/format.js';
import type { NotificationMessage } from './message.js';

/*
 * Delivery of one message to every channel, each on its own: channels are posted to concurrently, and one
 * failing (after the poster's retries) never keeps the message from the others. Each success leaves a
 * receipt under the message id, so when the message is delivered again (the handler fails the SNS record
 * when any channel failed, and Lambda retries the whole record) only the channels that have no receipt are
 * posted to. Receipts are best effort: if they cannot be read or written, delivery goes on and a channel
 * may get the message twice, which beats missing a page. A duplicate is harmless to PagerDuty (the incident
 * id is the dedup key) and to webhook receivers that honour the `Idempotency-Key`; Slack and Teams would
 * show it twice.
 */

/** What delivery needs: secrets, a poster, receipts (optional) and a clock. */
export interface DeliveryDependencies {
  readonly secrets: SecretSource;
  readonly poster: HttpPoster;
  /** Receipts per message and channel; without them a retried message goes to every channel again. */
  readonly deliveryLog?: DeliveryLog;
  readonly now: () => number;
}

/** What the formatter function needs: delivery's dependencies and the channels to deliver to. */
export interface FormatterDependencies extends DeliveryDependencies {
  readonly channels: () => readonly Channel[];
}

/** How delivery to one channel ended. */
export type ChannelOutcome =
  | {
      readonly channel: string;
      readonly status: 'delivered';
      readonly httpStatus: number;
      readonly attempts: number;
    }
  | { readonly channel: string; readonly status: 'already-delivered' }
  | { readonly channel: string; readonly status: 'filtered' | 'skipped'; readonly reason: string }
  | {
      readonly channel: string;
      readonly status: 'failed';
      readonly reason: string;
      readonly httpStatus?: number;
      readonly attempts: number;
      /** Whether delivering again later could succeed. */
      readonly retryable: boolean;
    };

/** A failed channel's outcome. */
export type FailedOutcome = Extract<ChannelOutcome, { status: 'failed' }>;

/** How delivery of one message went, channel by channel. */
export interface DeliveryReport {
  readonly messageId: string;
  readonly outcomes: readonly ChannelOutcome[];
  /** The channels that failed after retries. */
  readonly failed: readonly FailedOutcome[];
  /** Problems that did not stop delivery (receipts that could not be read or written). */
  readonly warnings: readonly string[];
}

/** Options of one delivery. */
export interface DeliveryOptions {
  /** No retry starts after this time, epoch ms. */
  readonly deadline?: number;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function deliverToChannel(
  message: NotificationMessage,
  channel: Channel,
  delivered: ReadonlySet<string>,
  dependencies: DeliveryDependencies,
  options: DeliveryOptions,
  warnings: string[],
): Promise<ChannelOutcome> {
  const filtered = filteredOut(channel, message);
  if (filtered) return { channel: channel.name, status: 'filtered', reason: filtered };
  if (delivered.has(channel.name)) return { channel: channel.name, status: 'already-delivered' };

  let target: ReturnType<typeof channelTarget>;
  try {
    const secret = channel.secretArn ? await dependencies.secrets.secretValue(channel.secretArn) : undefined;
    target = channelTarget(channel, secret);
  } catch (error) {
    return {
      channel: channel.name,
      status: 'failed',
      reason:
        error instanceof ChannelSecretError
          ? error.message
          : `cannot read the secret of channel ${channel.name}: ${describe(error)}`,
      attempts: 0,
      retryable: !(error instanceof ChannelSecretError),
    };
  }

  let formatted: ReturnType<typeof formatFor>;
  try {
    formatted = formatFor(channel.type, message, target);
  } catch (error) {
    return {
      channel: channel.name,
      status: 'failed',
      reason: `cannot format message ${message.id} for ${channel.type}: ${describe(error)}`,
      attempts: 0,
      retryable: false,
    };
  }
  if (formatted.kind === 'skip')
    return { channel: channel.name, status: 'skipped', reason: formatted.reason };

  const result = await dependencies.poster.post({
    url: target.url,
    body: JSON.stringify(formatted.body),
    headers: formatted.headers,
    deadline: options.deadline,
  });
  if (!result.ok) {
    return {
      channel: channel.name,
      status: 'failed',
      reason: result.reason,
      httpStatus: result.status,
      attempts: result.attempts,
      retryable: result.retryable,
    };
  }
  if (dependencies.deliveryLog) {
    try {
      await dependencies.deliveryLog.recordDelivery(message.id, channel.name, dependencies.now());
    } catch (error) {
      warnings.push(
        `cannot record the delivery to ${channel.name}; a retry may send it again: ${describe(error)}`,
      );
    }
  }
  return { channel: channel.name, status: 'delivered', httpStatus: result.status, attempts: result.attempts };
}

/** The SNS message attribute that names the channels a message is for (a `String.Array`). */
export const AUDIENCE_ATTRIBUTE = 'channels';

/** The channels a message goes to, and the names of its audience that match no configured channel. */
export interface Audience {
  readonly channels: readonly Channel[];
  readonly unknown: readonly string[];
}

/**
 * Narrows the configured channels to a message's audience: the channels an escalation tier targets, as the
 * notice publisher names them in the `channels` attribute (a JSON array of names). Without the attribute
 * the message is for every channel. An attribute that is not a JSON array of strings cannot be trusted to
 * narrow anything, so it is reported as unknown and the message goes to every channel: a page sent too
 * widely beats a page lost. For the same reason, an audience none of whose names is configured (a channel
 * renamed since the escalation started) goes to every channel.
 */
export function audienceOf(channels: readonly Channel[], attribute: string | undefined): Audience {
  if (attribute === undefined) return { channels, unknown: [] };
  let names: unknown;
  try {
    names = JSON.parse(attribute);
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    return { channels, unknown: [attribute] };
  }
  const wanted = new Set(names);
  const configured = new Set(channels.map((channel) => channel.name));
  const unknown = names.filter((name) => !configured.has(name));
  const chosen = channels.filter((channel) => wanted.has(channel.name));
  return { channels: chosen.length > 0 || names.length === 0 ? chosen : channels, unknown };
}

/** Delivers a message to every channel it is for and reports each channel's outcome; never throws. */
export async function deliver(
  message: NotificationMessage,
  channels: readonly Channel[],
  dependencies: DeliveryDependencies,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const warnings: string[] = [];
  let delivered: ReadonlySet<string> = new Set();
  if (dependencies.deliveryLog) {
    try {
      delivered = await dependencies.deliveryLog.deliveredChannels(message.id, dependencies.now());
    } catch (error) {
      warnings.push(`cannot read the delivery receipts; every channel gets the message: ${describe(error)}`);
    }
  }
  const outcomes = await Promise.all(
    channels.map((channel) => deliverToChannel(message, channel, delivered, dependencies, options, warnings)),
  );
  return {
    messageId: message.id,
    outcomes,
    failed: outcomes.filter((outcome): outcome is FailedOutcome => outcome.status === 'failed'),
    warnings,
  };
}
