import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../lambdas/shared/http/middleware.js';

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/api-gateway-v2-event.json', import.meta.url), 'utf8'),
) as HttpEvent;

/** What a test changes in the recorded API Gateway v2 event. */
export interface EventOverrides {
  readonly method?: string;
  readonly path?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** The authorizer's context; `null` for a request that carries no known token. */
  readonly auth?: { principal: string; scopes: string; reason?: string } | null;
}

/** An HTTP API (payload 2.0) event as API Gateway sends it after the authorizer, from the recorded fixture. */
export function apiGatewayEvent(overrides: EventOverrides = {}): HttpEvent {
  const event = structuredClone(fixture);
  const method = overrides.method ?? event.requestContext.http.method;
  const path = overrides.path ?? event.rawPath;
  event.rawPath = path;
  event.routeKey = `${method} ${path}`;
  event.requestContext.routeKey = event.routeKey;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  const body =
    overrides.rawBody ?? (overrides.body === undefined ? undefined : JSON.stringify(overrides.body));
  if (body !== undefined) {
    event.body = body;
    event.headers['content-length'] = String(Buffer.byteLength(body));
  }
  Object.assign(event.headers, overrides.headers);
  if (overrides.query) {
    event.queryStringParameters = overrides.query;
    event.rawQueryString = new URLSearchParams(overrides.query).toString();
  }
  if (overrides.auth === null) {
    event.requestContext.authorizer = {
      lambda: { principal: '', scopes: '', reason: 'unknown bearer token' },
    };
  } else if (overrides.auth) {
    event.requestContext.authorizer = { lambda: overrides.auth };
  }
  return event;
}

/** A Lambda context as the runtime passes it. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'vigil-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:vigil-test',
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/vigil-test',
    logStreamName: '2026/03/10/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
