import type { Severity } from '../../../alerts/core/alert.js';
import type { NotificationMessage } from '../message.js';
import { truncate, utf8Length } from '../text.js';
import { type NotificationView, notificationView, type ViewState } from './view.js';

/*
 * A Microsoft Teams message carrying one Adaptive Card, the format both the Workflows webhook ("When a
 * Teams webhook request is received") and the retiring incoming webhook accept ("Send Adaptive Cards using
 * an Incoming Webhook"): `type` "message", one attachment of content type
 * `application/vnd.microsoft.card.adaptive` whose `content` is the card. Links are `Action.OpenUrl`, the
 * action those webhooks support (there is no bot to receive `Action.Submit`). The message stays under the
 * documented 28 KB: alert lines are dropped (and counted) before the summary is shortened.
 */

/** The Adaptive Card content type Teams requires on the attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The Adaptive Card schema version used; Teams renders 1.4 on every client. */
export const ADAPTIVE_CARD_VERSION = '1.4';

/**
 * "The message size limit is 28 KB. When the size exceeds 28 KB, you receive an error" (Microsoft Learn,
 * "Create an Incoming Webhook"); read as 28,000 bytes of the whole JSON body, the stricter reading.
 */
export const TEAMS_MAX_MESSAGE_BYTES = 28_000;

/** Alert lines a card lists at most before it only counts the rest. */
export const TEAMS_MAX_LISTED_ITEMS = 25;

const SUMMARY_LENGTH = 3000;
const ITEM_LENGTH = 500;

/** An Adaptive Card element the formatter uses. */
export type AdaptiveElement =
  | {
      readonly type: 'TextBlock';
      readonly text: string;
      readonly wrap: true;
      readonly size?: 'Small' | 'Medium' | 'Large';
      readonly weight?: 'Bolder';
      readonly color?: AdaptiveColor;
      readonly isSubtle?: boolean;
      readonly spacing?: 'None' | 'Small' | 'Medium';
    }
  | {
      readonly type: 'FactSet';
      readonly facts: ReadonlyArray<{ readonly title: string; readonly value: string }>;
    };

/** Adaptive Card text colours. */
export type AdaptiveColor = 'Default' | 'Accent' | 'Good' | 'Warning' | 'Attention';

/** The Teams message: one Adaptive Card attachment. */
export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: ReadonlyArray<{
    readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
    readonly contentUrl: null;
    readonly content: {
      readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      readonly type: 'AdaptiveCard';
      readonly version: typeof ADAPTIVE_CARD_VERSION;
      readonly msteams: { readonly width: 'Full' };
      readonly body: readonly AdaptiveElement[];
      readonly actions: ReadonlyArray<{
        readonly type: 'Action.OpenUrl';
        readonly title: string;
        readonly url: string;
      }>;
    };
  }>;
}

const SEVERITY_COLOR: Record<Severity, AdaptiveColor> = {
  critical: 'Attention',
  high: 'Attention',
  warning: 'Warning',
  info: 'Accent',
};

const SEVERITY_EMOJI: Record<Severity, string> = { critical: '🚨', high: '🔴', warning: '⚠️', info: 'ℹ️' };

const STATE_EMOJI: Partial<Record<ViewState, string>> = {
  resolved: '✅',
  acknowledged: '👀',
  unacknowledged: '🆘',
  'escalation-failed': '❌',
  digest: '🗂️',
};

/** The colour of a card's headline: green once resolved, else by severity. */
export function teamsColor(view: Pick<NotificationView, 'state' | 'severity'>): AdaptiveColor {
  if (view.state === 'resolved') return 'Good';
  if (view.state === 'escalation-failed') return 'Attention';
  return view.severity ? SEVERITY_COLOR[view.severity] : 'Default';
}

function emoji(view: NotificationView): string {
  return STATE_EMOJI[view.state] ?? (view.severity ? SEVERITY_EMOJI[view.severity] : '🔔');
}

function card(view: NotificationView, listed: number, summaryLength: number): TeamsMessage {
  const severity = view.severity ? `${view.severity.toUpperCase()} · ` : '';
  const environment = view.environment ? `[${view.environment}] ` : '';
  const body: AdaptiveElement[] = [
    {
      type: 'TextBlock',
      text: truncate(`${emoji(view)} ${environment}${severity}${view.headline}`, 300),
      wrap: true,
      size: 'Large',
      weight: 'Bolder',
      color: teamsColor(view),
    },
    { type: 'TextBlock', text: truncate(view.summary, summaryLength), wrap: true },
    {
      type: 'FactSet',
      facts: view.facts.map((fact) => ({ title: fact.label, value: truncate(fact.value, 500) })),
    },
  ];
  for (const item of view.items.slice(0, listed)) {
    const mark = item.status === 'firing' ? '🔥' : '✅';
    const runbook = item.runbook ? ` ([runbook](${item.runbook}))` : '';
    body.push({
      type: 'TextBlock',
      text: `${mark} **${truncate(item.name, 200)}**${item.summary ? ` — ${truncate(item.summary, ITEM_LENGTH)}` : ''}${runbook}`,
      wrap: true,
      spacing: 'None',
    });
  }
  const unlisted = view.items.length - listed + view.omittedItems;
  if (unlisted > 0) {
    body.push({
      type: 'TextBlock',
      text: `…and ${unlisted} more not listed here`,
      wrap: true,
      isSubtle: true,
    });
  }
  body.push({ type: 'TextBlock', text: view.acknowledge, wrap: true, isSubtle: true, size: 'Small' });
  body.push({
    type: 'TextBlock',
    text: `Vigil · ${view.at} · ${view.id}`,
    wrap: true,
    isSubtle: true,
    size: 'Small',
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: ADAPTIVE_CARD_VERSION,
          msteams: { width: 'Full' },
          body,
          actions: view.links.map((each) => ({ type: 'Action.OpenUrl', title: each.label, url: each.url })),
        },
      },
    ],
  };
}

/** The Teams message for a notification, within the webhook's size limit. */
export function teamsMessage(message: NotificationMessage): TeamsMessage {
  const view = notificationView(message);
  let listed = Math.min(view.items.length, TEAMS_MAX_LISTED_ITEMS);
  let summaryLength = SUMMARY_LENGTH;
  let result = card(view, listed, summaryLength);
  while (
    utf8Length(JSON.stringify(result)) > TEAMS_MAX_MESSAGE_BYTES &&
    (listed > 0 || summaryLength > 100)
  ) {
    if (listed > 0) listed = Math.floor(listed / 2);
    else summaryLength = Math.floor(summaryLength / 2);
    result = card(view, listed, summaryLength);
  }
  return result;
}
