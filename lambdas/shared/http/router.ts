import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { notFound } from './errors.js';
import {
  errorResponse,
  type HttpEvent,
  type HttpResult,
  type HttpRouteOptions,
  httpRoute,
} from './middleware.js';

/** One route of a function that answers several: its options (scope, body) and what it does. */
export interface RouteDefinition extends HttpRouteOptions {
  readonly handle: (event: HttpEvent) => Promise<HttpResult>;
}

/**
 * One Lambda handler for several routes, dispatched on API Gateway's `routeKey` (`GET /api/v1/incidents/{id}`),
 * each route with its own scope and body options, so a read token can list incidents but not
 * acknowledge them.
 */
export function createRouter(routes: Readonly<Record<string, RouteDefinition>>) {
  const handlers = new Map(
    Object.entries(routes).map(([routeKey, { handle, ...options }]) => [
      routeKey,
      middy(handle).use(httpRoute(options)),
    ]),
  );
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const route = handlers.get(event.routeKey);
    if (!route) return errorResponse(notFound(`no route ${event.routeKey} in this function`));
    return route(event, context);
  };
}
