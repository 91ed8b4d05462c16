import { z } from 'zod';
import { SEVERITIES } from '../../alerts/core/alert.js';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { MESSAGE_KINDS, messageModels, messageSeverity, type NotificationMessage } from './message.js';

/*
 * Channels: where the formatter Lambda posts. In AWS the secret part of a channel (a Slack, Teams or
 * webhook URL, which carries its own credentials, or a PagerDuty routing key) lives in Secrets Manager and
 * the config names only the secret's ARN; `url` and `routingKey` in plain config are for local and dev use.
 * A secret holds the bare value, or JSON with `url` (Slack, Teams, webhook) or `routingKey` (PagerDuty).
 */

/** The receivers the formatter can post to. */
export const CHANNEL_TYPES = ['slack', 'pagerduty', 'teams', 'webhook'] as const;
/** The receivers the formatter can post to. */
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** PagerDuty's Events API v2 endpoint (accounts in the EU service region use events.eu.pagerduty.com). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const filterSchema = z.strictObject({
  /** Only messages of these severities; a digest, which has none, passes. */
  severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  /** Only messages about one of these models; a message that names no model passes. */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** Only these kinds of message. */
  kinds: z.array(z.enum(MESSAGE_KINDS)).min(1).optional(),
});

/** One channel, as configuration JSON. */
export const channelSchema = z
  .strictObject({
    /** Names the channel in logs, receipts and outcomes; never secret. */
    name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'expected 1 to 64 letters, digits, ".", "_" or "-"'),
    type: z.enum(CHANNEL_TYPES),
    /** The Secrets Manager secret holding the URL (or, for PagerDuty, the routing key). */
    secretArn: z
      .string()
      .regex(SECRET_ARN, 'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:...)')
      .optional(),
    /**
     * Slack, Teams, webhook: where to post, in plain config (local and dev only). PagerDuty: the Events API
     * endpoint. @default PAGERDUTY_EVENTS_URL for PagerDuty
     */
    url: httpUrl.optional(),
    /** PagerDuty's routing (integration) key in plain config (local and dev only). */
    routingKey: z.string().min(1).optional(),
    filter: filterSchema.optional(),
  })
  .superRefine((channel, context) => {
    const problem = (message: string) => context.addIssue({ code: 'custom', message });
    if (channel.type === 'pagerduty') {
      if (channel.secretArn === undefined && channel.routingKey === undefined) {
        problem('a pagerduty channel needs secretArn (or routingKey, local and dev only)');
      }
      if (channel.secretArn !== undefined && channel.routingKey !== undefined) {
        problem('give a pagerduty channel secretArn or routingKey, not both');
      }
      return;
    }
    if (channel.routingKey !== undefined)
      problem(`routingKey is for pagerduty channels, not ${channel.type}`);
    if (channel.secretArn === undefined && channel.url === undefined) {
      problem(`a ${channel.type} channel needs secretArn (or url, local and dev only)`);
    }
    if (channel.secretArn !== undefined && channel.url !== undefined) {
      problem(`give a ${channel.type} channel secretArn or url, not both`);
    }
  });

/** One channel. */
export type Channel = z.infer<typeof channelSchema>;

/** The channels of an environment; names are unique. */
export const channelsSchema = z.array(channelSchema).superRefine((channels, context) => {
  const seen = new Set<string>();
  channels.forEach((channel, index) => {
    if (seen.has(channel.name)) {
      context.addIssue({ code: 'custom', path: [index, 'name'], message: `"${channel.name}" is used twice` });
    }
    seen.add(channel.name);
  });
});

/** Parses channel configuration, failing with every problem listed by its path. */
export function parseChannels(value: unknown, source: string): Channel[] {
  const parsed = channelsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `invalid channels in ${source}: ${describeIssues(parsed.error.issues, '(channels)').join('; ')}`,
    );
  }
  return parsed.data;
}

/** Why a channel's filter keeps a message from it, or undefined when the message is for it. */
export function filteredOut(channel: Channel, message: NotificationMessage): string | undefined {
  const { filter } = channel;
  if (!filter) return undefined;
  if (filter.kinds && !filter.kinds.includes(message.kind)) {
    return `kind ${message.kind} is not among ${filter.kinds.join(', ')}`;
  }
  const severity = messageSeverity(message);
  if (filter.severities && severity !== undefined && !filter.severities.includes(severity)) {
    return `severity ${severity} is not among ${filter.severities.join(', ')}`;
  }
  const models = messageModels(message);
  if (filter.models && models.length > 0 && !models.some((model) => filter.models?.includes(model))) {
    return `models ${models.join(', ')} are not among ${filter.models.join(', ')}`;
  }
  return undefined;
}

/** Where a channel's messages go: the URL to post to and, for PagerDuty, the routing key. */
export interface ChannelTarget {
  readonly url: string;
  readonly routingKey?: string;
}

/** Raised when a channel's secret does not hold what its type needs; the message never quotes the secret. */
export class ChannelSecretError extends Error {
  override readonly name = 'ChannelSecretError';
}

function secretField(channel: Channel, secret: string, fields: readonly string[]): string {
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new ChannelSecretError(
      `the secret of channel ${channel.name} starts like JSON but is not JSON; expected a bare value or JSON with ${fields.join(' or ')}`,
    );
  }
  const record = value as Record<string, unknown>;
  const found = fields.map((field) => record[field]).find((each) => typeof each === 'string' && each !== '');
  if (typeof found !== 'string') {
    throw new ChannelSecretError(
      `the secret of channel ${channel.name} is JSON without ${fields.join(' or ')} (a non-empty string)`,
    );
  }
  return found.trim();
}

/**
 * Where a channel posts, from its config and, when it has `secretArn`, the secret's value. Fails with a
 * `ChannelSecretError` naming the channel when the secret does not hold a usable value.
 */
export function channelTarget(channel: Channel, secret?: string): ChannelTarget {
  if (channel.type === 'pagerduty') {
    const routingKey =
      secret === undefined ? channel.routingKey : secretField(channel, secret, ['routingKey', 'routing_key']);
    if (!routingKey) throw new ChannelSecretError(`channel ${channel.name} has no PagerDuty routing key`);
    return { url: channel.url ?? PAGERDUTY_EVENTS_URL, routingKey };
  }
  const url = secret === undefined ? channel.url : secretField(channel, secret, ['url', 'webhookUrl']);
  if (!url || !httpUrl.safeParse(url).success) {
    throw new ChannelSecretError(
      `channel ${channel.name} has no usable ${channel.type} URL${secret === undefined ? '' : ' in its secret'}; expected an http(s) URL`,
    );
  }
  return { url };
}
