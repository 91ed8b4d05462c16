import { HttpError, notFound } from '../../shared/http/errors.js';
import { type HttpEvent, json } from '../../shared/http/middleware.js';
import { createRouter } from '../../shared/http/router.js';
import { awsAlertingContext } from '../adapters/aws/alerting-dependencies.js';
import {
  actorOf,
  parseAlertFilter,
  parseIncidentListQuery,
  parseTimeRange,
} from '../core/alert-api-params.js';
import { alertViews, incidentView, silenceView } from '../core/alert-views.js';
import {
  type AlertingContext,
  acknowledge,
  createSilence,
  expire,
  fatigueStats,
  resolve,
} from '../core/alerting.js';
import { compareIncidents, IncidentStateError } from '../core/incident.js';

const principalOf = (event: HttpEvent) => event.requestContext.authorizer.lambda.principal;
const pathId = (event: HttpEvent, name: string) => event.pathParameters?.[name] ?? '';

/** An incident change the incident's state does not allow is a conflict. */
async function incidentChange<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof IncidentStateError) throw new HttpError(409, 'conflict', error.message);
    throw error;
  }
}

/**
 * Builds the alert and incident routes: `GET /api/v1/alerts`, `GET /api/v1/incidents`,
 * `GET /api/v1/incidents/stats`, `GET /api/v1/incidents/{id}`, `POST /api/v1/incidents/{id}/ack` and
 * `/resolve`, and silences (`POST`, `GET /api/v1/silences`, `GET` and `DELETE /api/v1/silences/{id}`).
 * Reading takes the `read` scope; acknowledging, resolving and silencing take `respond`.
 */
export function createAlertsApiHandler(dependencies: () => AlertingContext) {
  return createRouter({
    'GET /api/v1/alerts': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const filter = parseAlertFilter(event.queryStringParameters ?? {});
        const now = context.now();
        const [records, ruleStates, silences] = await Promise.all([
          context.repositories.alerts.list({ now }),
          context.repositories.ruleStates.list(),
          context.repositories.silences.listUnexpired(now),
        ]);
        const sources = {
          records,
          ruleStates,
          rules: context.rules,
          silences,
          config: context.pipeline,
          now,
        };
        return json(200, { alerts: alertViews(sources, filter) });
      },
    },
    'GET /api/v1/incidents': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const query = parseIncidentListQuery(event.queryStringParameters ?? {}, context.now());
        const incidents = await context.repositories.incidents.list(query);
        return json(200, {
          incidents: incidents.sort(compareIncidents).slice(0, query.limit).map(incidentView),
        });
      },
    },
    'GET /api/v1/incidents/stats': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const { from, to } = parseTimeRange(event.queryStringParameters ?? {}, context.now(), '-7d');
        const stats = await fatigueStats(context, from, to);
        return json(200, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...stats });
      },
    },
    'GET /api/v1/incidents/{id}': {
      scope: 'read',
      handle: async (event) => {
        const id = pathId(event, 'id');
        const incident = await dependencies().repositories.incidents.get(id);
        if (!incident) throw notFound(`no incident ${id}`);
        return json(200, incidentView(incident));
      },
    },
    'POST /api/v1/incidents/{id}/ack': {
      scope: 'respond',
      jsonBody: 'optional',
      handle: async (event) => {
        const id = pathId(event, 'id');
        const actor = actorOf(event.jsonBody, principalOf(event));
        const incident = await incidentChange(() => acknowledge(dependencies(), id, actor));
        if (!incident) throw notFound(`no incident ${id}`);
        return json(200, incidentView(incident));
      },
    },
    'POST /api/v1/incidents/{id}/resolve': {
      scope: 'respond',
      jsonBody: 'optional',
      handle: async (event) => {
        const id = pathId(event, 'id');
        const actor = actorOf(event.jsonBody, principalOf(event));
        const incident = await incidentChange(() => resolve(dependencies(), id, actor));
        if (!incident) throw notFound(`no incident ${id}`);
        return json(200, incidentView(incident));
      },
    },
    'GET /api/v1/silences': {
      scope: 'read',
      handle: async () => {
        const context = dependencies();
        const now = context.now();
        const silences = await context.repositories.silences.list();
        return json(200, {
          silences: silences
            .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
            .map((silence) => silenceView(silence, now)),
        });
      },
    },
    'POST /api/v1/silences': {
      scope: 'respond',
      jsonBody: true,
      handle: async (event) => {
        const context = dependencies();
        const silence = await createSilence(context, event.jsonBody);
        return json(201, silenceView(silence, context.now()));
      },
    },
    'GET /api/v1/silences/{id}': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const id = pathId(event, 'id');
        const silence = await context.repositories.silences.get(id);
        if (!silence) throw notFound(`no silence ${id}`);
        return json(200, silenceView(silence, context.now()));
      },
    },
    'DELETE /api/v1/silences/{id}': {
      scope: 'respond',
      handle: async (event) => {
        const context = dependencies();
        const id = pathId(event, 'id');
        const silence = await expire(context, id);
        if (!silence) throw notFound(`no silence ${id}`);
        return json(200, silenceView(silence, context.now()));
      },
    },
  });
}

/** The Lambda entry point. */
export const handler = createAlertsApiHandler(awsAlertingContext);
