import type { ChannelTarget, ChannelType } from '../channels.js';
import type { NotificationMessage } from '../message.js';
import { pagerDutyEvent } from './pagerduty.js';
import { slackMessage } from './slack.js';
import { teamsMessage } from './teams.js';
import { webhookHeaders, webhookPayload } from './webhook.js';

/** What a channel's formatter makes of a message: a JSON body to post, or why nothing is sent. */
export type FormattedRequest =
  | { readonly kind: 'post'; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'skip'; readonly reason: string };

/** Formats a message for a channel's receiver. */
export function formatFor(
  type: ChannelType,
  message: NotificationMessage,
  target: ChannelTarget,
): FormattedRequest {
  switch (type) {
    case 'slack':
      return { kind: 'post', body: slackMessage(message) };
    case 'teams':
      return { kind: 'post', body: teamsMessage(message) };
    case 'webhook':
      return { kind: 'post', body: webhookPayload(message), headers: webhookHeaders(message) };
    case 'pagerduty': {
      // channelTarget always gives a PagerDuty channel a routing key.
      const formatted = pagerDutyEvent(message, target.routingKey ?? '');
      return formatted.kind === 'skip' ? formatted : { kind: 'post', body: formatted.event };
    }
  }
}
