import { parseTimeRange } from '../../alerts/core/alert-api-params.js';
import { badRequest } from '../../shared/http/errors.js';
import { json } from '../../shared/http/middleware.js';
import { createRouter } from '../../shared/http/router.js';
import { parseTime } from '../../shared/time.js';
import { awsSloContext } from '../adapters/aws/slo-dependencies.js';
import { sloReportMarkdown } from '../core/slo-report.js';
import { listSlos, type SloContext, weeklySloReport } from '../core/slos.js';

/**
 * Builds `GET /api/v1/slos` (each SLO's SLI, budget, burn rates per window, exhaustion forecast and
 * alerts, as of `at`, default now) and `GET /api/v1/slos/report` (the week ending at `to`, default now, as
 * JSON or, with `format=markdown`, Markdown), both with the `read` scope.
 */
export function createSlosHandler(dependencies: () => SloContext) {
  return createRouter({
    'GET /api/v1/slos': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const params = event.queryStringParameters ?? {};
        const at = params.at === undefined ? context.now() : parseTime(params.at, context.now(), 'at');
        return json(200, { slos: await listSlos(context, at) });
      },
    },
    'GET /api/v1/slos/report': {
      scope: 'read',
      handle: async (event) => {
        const context = dependencies();
        const params = event.queryStringParameters ?? {};
        const format = params.format ?? 'json';
        if (format !== 'json' && format !== 'markdown') {
          throw badRequest(`format must be json or markdown, got "${format}"`);
        }
        const { to } = parseTimeRange({ from: '-7d', to: params.to }, context.now(), '-7d');
        const report = await weeklySloReport(context, to);
        if (format === 'json') return json(200, report);
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/markdown; charset=utf-8' },
          body: sloReportMarkdown(report),
        };
      },
    },
  });
}

/** The Lambda entry point. */
export const handler = createSlosHandler(awsSloContext);
