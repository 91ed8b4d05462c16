import type { Severity } from '../../../alerts/core/alert.js';
import type { NotificationMessage } from '../message.js';
import { truncate } from '../text.js';
import {
  headlineAndSummary,
  type NotificationView,
  notificationView,
  type ViewItem,
  type ViewState,
} from './view.js';

/*
 * A Slack incoming-webhook message ("Sending messages using incoming webhooks"): `text` is the fallback
 * shown in notifications, `blocks` the message itself, and one legacy attachment carries the colour bar
 * beside the details (attachments take `color` and `blocks`). Every text is cut to Block Kit's limits, so
 * Slack never answers `invalid_blocks` for a long summary or a large alert group.
 */

/** Block Kit's documented limits that the message keeps to (docs.slack.dev, Block Kit reference). */
export const SLACK_LIMITS = {
  /** "You can include up to 50 blocks in each message." */
  blocksPerMessage: 50,
  /** Header block: "Maximum length for the text in this field is 150 characters." */
  headerText: 150,
  /** Section block: text "maximum length is 3000 characters". */
  sectionText: 3000,
  /** Section block fields: "Maximum number of items is 10." */
  fieldsPerSection: 10,
  /** Section block fields: "Maximum length for the text in each item is 2000 characters." */
  fieldText: 2000,
  /** Button element: text "Maximum length for the text in this field is 75 characters." */
  buttonText: 75,
  /** Button element: url "Maximum length is 3000 characters." */
  buttonUrl: 3000,
  /** Context block: at most 10 elements. */
  contextElements: 10,
} as const;

/** How long the notification fallback `text` may grow; Slack cuts messages at 40,000 characters. */
export const SLACK_FALLBACK_TEXT_LENGTH = 3000;

/** Alert lines a message lists before it only counts the rest. */
export const SLACK_MAX_LISTED_ITEMS = 100;

const ITEM_TEXT_LENGTH = 600;
// A runbook link longer than this is left to the Runbook button, so that an alert line stays short.
const ITEM_LINK_LENGTH = 500;

/** A Block Kit text object. */
export interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

/** The Block Kit blocks the formatter uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | {
      readonly type: 'actions';
      readonly elements: ReadonlyArray<{
        readonly type: 'button';
        readonly text: SlackText;
        readonly url: string;
        readonly action_id: string;
      }>;
    };

/** An incoming-webhook message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  readonly attachments: ReadonlyArray<{ readonly color: string; readonly blocks: readonly SlackBlock[] }>;
}

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

const STATE_EMOJI: Partial<Record<ViewState, string>> = {
  resolved: ':white_check_mark:',
  acknowledged: ':eyes:',
  unacknowledged: ':sos:',
  'escalation-failed': ':x:',
  digest: ':card_index_dividers:',
};

// Slack's own palette: red, orange, yellow, blue; green for resolved.
const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#e01e5a',
  high: '#e8912d',
  warning: '#ecb22e',
  info: '#36c5f0',
};
const RESOLVED_COLOR = '#2eb67d';
const NEUTRAL_COLOR = '#868686';

/** The emoji a message leads with: its state when that says more than its severity. */
export function slackEmoji(view: Pick<NotificationView, 'state' | 'severity'>): string {
  return STATE_EMOJI[view.state] ?? (view.severity ? SEVERITY_EMOJI[view.severity] : ':bell:');
}

/** The colour of a message's attachment bar. */
export function slackColor(view: Pick<NotificationView, 'state' | 'severity'>): string {
  if (view.state === 'resolved') return RESOLVED_COLOR;
  if (view.state === 'escalation-failed') return SEVERITY_COLOR.critical;
  return view.severity ? SEVERITY_COLOR[view.severity] : NEUTRAL_COLOR;
}

/** Escapes the three characters Slack's mrkdwn reserves ("Formatting text for app surfaces"). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped mrkdwn of `text` cut so that the escaped form fits `max` (escaping lengthens text). */
function fitMrkdwn(text: string, max: number): string {
  let escaped = escapeMrkdwn(truncate(text, max));
  for (let room = max; escaped.length > max; ) {
    room -= escaped.length - max;
    escaped = escapeMrkdwn(truncate(text, room));
  }
  return escaped;
}

function link(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeMrkdwn(label)}>`;
}

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text });

function itemLine(item: ViewItem): string {
  const mark = item.status === 'firing' ? ':fire:' : ':white_check_mark:';
  const text = fitMrkdwn(`${item.name}${item.summary ? ` — ${item.summary}` : ''}`, ITEM_TEXT_LENGTH);
  const runbook =
    item.runbook && item.runbook.length <= ITEM_LINK_LENGTH ? ` · ${link(item.runbook, 'runbook')}` : '';
  return `• ${mark} ${text}${runbook}`;
}

/** Packs lines into as few sections as the section text limit allows, at most `maxSections`. */
function itemSections(
  lines: readonly string[],
  maxSections: number,
): { blocks: SlackBlock[]; listed: number } {
  const blocks: SlackBlock[] = [];
  let current = '';
  let listed = 0;
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= SLACK_LIMITS.sectionText) {
      current = next;
      listed += 1;
      continue;
    }
    if (blocks.length + 1 >= maxSections) break;
    blocks.push({ type: 'section', text: mrkdwn(current) });
    current = line;
    listed += 1;
  }
  if (current) blocks.push({ type: 'section', text: mrkdwn(current) });
  return { blocks, listed };
}

function headerText(view: NotificationView): string {
  const severity = view.severity ? `${view.severity.toUpperCase()} · ` : '';
  const environment = view.environment ? `[${view.environment}] ` : '';
  return truncate(`${slackEmoji(view)} ${environment}${severity}${view.headline}`, SLACK_LIMITS.headerText);
}

function detailBlocks(view: NotificationView): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (let start = 0; start < view.facts.length; start += SLACK_LIMITS.fieldsPerSection) {
    blocks.push({
      type: 'section',
      fields: view.facts
        .slice(start, start + SLACK_LIMITS.fieldsPerSection)
        .map((fact) => mrkdwn(fitMrkdwn(`*${fact.label}*\n${fact.value}`, SLACK_LIMITS.fieldText))),
    });
  }
  if (view.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: view.links.map((each) => ({
        type: 'button',
        text: { type: 'plain_text', text: truncate(each.label, SLACK_LIMITS.buttonText) },
        url: each.url,
        action_id: `vigil-open-${each.label.toLowerCase()}`,
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(fitMrkdwn(view.acknowledge, SLACK_LIMITS.sectionText)),
      mrkdwn(fitMrkdwn(`Vigil · ${view.at} · ${view.id}`, SLACK_LIMITS.sectionText)),
    ],
  });
  return blocks;
}

/** The Slack incoming-webhook message for a notification. */
export function slackMessage(message: NotificationMessage): SlackMessage {
  const view = notificationView(message);
  const details = detailBlocks(view);
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: headerText(view), emoji: true } },
    { type: 'section', text: mrkdwn(fitMrkdwn(view.summary, SLACK_LIMITS.sectionText)) },
  ];
  const listedItems = view.items.slice(0, SLACK_MAX_LISTED_ITEMS);
  // Room for the item sections, keeping one block for the "and N more" line.
  const room = SLACK_LIMITS.blocksPerMessage - head.length - details.length - 1;
  const { blocks: items, listed } = itemSections(listedItems.map(itemLine), room);
  const unlisted = view.items.length - listed + view.omittedItems;
  const more: SlackBlock[] =
    unlisted > 0 ? [{ type: 'context', elements: [mrkdwn(`…and ${unlisted} more not listed here`)] }] : [];
  const severity = view.severity ? `${view.severity.toUpperCase()} ` : '';
  const environment = view.environment ? `[${view.environment}] ` : '';
  return {
    text: fitMrkdwn(`${severity}${environment}${headlineAndSummary(view)}`, SLACK_FALLBACK_TEXT_LENGTH),
    blocks: [...head, ...items, ...more],
    attachments: [{ color: slackColor(view), blocks: details }],
  };
}
