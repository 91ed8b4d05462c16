import { oneLine } from '../../alerts/core/notification-text.js';
import type { IncidentNotice } from '../../notifications/core/message.js';
import type { NoticeAudience } from '../ports/notice-publisher.js';

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
