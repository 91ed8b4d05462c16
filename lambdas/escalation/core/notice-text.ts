import type { IncidentNotice } from '../../notifications/core/message.js';
import type { NoticeAudience } from '../ports/notice-publisher.js';

/** Text on one line: control characters (line breaks, tabs) become single spaces. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/**
 * An incident notice in a line, for the console and email subjects, e.g.
 * `TRIGGER critical Error rate of fraud is 12.5% (tier 1 of 4: on-call) incident=inc-0f3a…`.
 */
export function describeNotice(notice: IncidentNotice): string {
  const tier = notice.tier ? ` (tier ${notice.tier.index} of ${notice.tier.of}: ${notice.tier.name})` : '';
  const reason = notice.reason ? ` — ${notice.reason}` : '';
  return oneLine(
    `${notice.event.toUpperCase()} ${notice.incident.severity} ${notice.incident.title}${tier} incident=${notice.incident.id}${reason}`,
  );
}

/**
 * The console line of a published notice, with the channels and topics it is for when it is not for everyone
 * on the severity topic.
 */
export function formatNoticeLine(notice: IncidentNotice, audience: NoticeAudience): string {
  const names = [...(audience.channels ?? []), ...(audience.topics ?? [])];
  const to = names.length > 0 ? ` -> ${names.join(', ')}` : '';
  return `[vigil] ${describeNotice(notice)}${to}`;
}
