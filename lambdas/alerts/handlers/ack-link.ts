import middy from '@middy/core';
import { bodyBytes, type HttpEvent, type HttpResult } from '../../shared/http/middleware.js';
import { logger } from '../../shared/logger.js';
import { awsAckLinkContext } from '../adapters/aws/ack-link-dependencies.js';
import { checkAckLink } from '../core/ack-links.js';
import { type AlertingContext, acknowledge } from '../core/alerting.js';
import { type Incident, IncidentStateError } from '../core/incident.js';

/** What the acknowledge-link route needs: the alerting use cases, and the key links are signed with. */
export interface AckLinkContext {
  readonly alerting: AlertingContext;
  readonly key: () => Promise<string>;
}

/** The longest name a person may give on the page; the timeline keeps it. */
const MAX_NAME_LENGTH = 64;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(status: number, title: string, body: string): HttpResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The page holds a one-incident capability in its URL: keep it out of caches and referrers.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'x-frame-options': 'DENY',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}
button{font:inherit;padding:.5em 1.5em}input{font:inherit;padding:.3em}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function describe(incident: Incident): string {
  const by = incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : '';
  return `<p><strong>${escapeHtml(incident.severity)}</strong>: ${escapeHtml(incident.title)}</p>
<p>Incident <code>${escapeHtml(incident.id)}</code> is <strong>${escapeHtml(incident.status)}</strong>${escapeHtml(by)}.</p>`;
}

/** The name a person typed on the page, from the form the page posts. */
function nameFrom(event: HttpEvent): string {
  const form = new URLSearchParams(bodyBytes(event).toString('utf8'));
  // Control characters (line breaks in a pasted name) would break the timeline's one-line entries.
  const printable = [...(form.get('by') ?? '')].filter((char) => char >= ' ' && char !== '\u007f').join('');
  const name = printable.trim().slice(0, MAX_NAME_LENGTH);
  return name || 'someone';
}

/**
 * Builds `GET` and `POST /ack/{id}?exp=&sig=`, the acknowledge links of incident notices, which come without a
 * bearer token (the route has no authorizer): the signature is the credential. GET shows the incident and a
 * button, and changes nothing (link previews and mail scanners fetch links); POST acknowledges as
 * `<name> via link`, which stops the escalation. A link that is not Vigil's answers 403, an expired one 410.
 */
export function createAckLinkHandler(dependencies: () => AckLinkContext) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    const id = event.pathParameters?.id ?? '';
    const context = dependencies();
    const checked = checkAckLink(
      id,
      { exp: event.queryStringParameters?.exp, sig: event.queryStringParameters?.sig },
      await context.key(),
      context.alerting.now(),
    );
    if (!checked.ok) {
      return page(
        checked.status,
        'This acknowledge link does not work',
        `<p>${escapeHtml(checked.reason)}.</p>`,
      );
    }
    const incident = await context.alerting.repositories.incidents.get(id);
    if (!incident) return page(404, 'No such incident', `<p>Vigil has no incident ${escapeHtml(id)}.</p>`);
    if (event.requestContext.http.method !== 'POST') {
      if (incident.status !== 'open') return page(200, 'Nothing to acknowledge', describe(incident));
      return page(
        200,
        'Acknowledge this incident?',
        `${describe(incident)}
<form method="post"><p><label>Your name <input name="by" maxlength="${MAX_NAME_LENGTH}" autocomplete="name"></label></p>
<p><button type="submit">Acknowledge</button></p></form>
<p>Acknowledging stops the escalation: nobody further is paged.</p>`,
      );
    }
    const actor = `${nameFrom(event)} via link`;
    try {
      const acknowledged = await acknowledge(context.alerting, id, actor);
      if (!acknowledged)
        return page(404, 'No such incident', `<p>Vigil has no incident ${escapeHtml(id)}.</p>`);
      logger.info('incident acknowledged through its link', { incidentId: id, actor });
      return page(200, 'Acknowledged', `${describe(acknowledged)}<p>The escalation has stopped.</p>`);
    } catch (error) {
      if (!(error instanceof IncidentStateError)) throw error;
      return page(409, 'Nothing to acknowledge', `${describe(incident)}<p>${escapeHtml(error.message)}</p>`);
    }
  });
}

/** The Lambda entry point (an API route without the bearer-token authorizer). */
export const handler = createAckLinkHandler(awsAckLinkContext);
