/*
 * The SLO routes as `[method, path]`, which the API stack routes to its functions. This module imports
 * nothing that runs, so the CDK app can use it at synth time.
 */

/** The routes one handler (`handlers/slos.ts`) answers: the SLOs, and the weekly report on request. */
export const SLOS_API_ROUTES = [
  ['GET', '/api/v1/slos'],
  ['GET', '/api/v1/slos/report'],
] as const;

/** The route of delayed ground truth (`handlers/labels.ts`). */
export const LABELS_ROUTE = ['POST', '/api/v1/labels'] as const;
