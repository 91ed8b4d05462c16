import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import type { AuthorizerContext } from '../../lambdas/auth/core/scopes.js';
import type { HttpEvent, HttpResult } from '../../lambdas/shared/http/middleware.js';

/** API Gateway HTTP APIs refuse bodies over 10 MB before any Lambda runs; so does the local server. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A Lambda handler as the local server calls it (a middy-wrapped handler fits). */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** One route: an API Gateway route key's method and path (`{name}` segments are path parameters). */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: LambdaHandler<HttpEvent, HttpResult>;
  /** Whether the Lambda authorizer runs first, as it does behind API Gateway. @default true */
  readonly authorized?: boolean;
}

/** What the local API Gateway stand-in needs. */
export interface LocalApiProps {
  readonly routes: readonly LocalRoute[];
  readonly authorizer: LambdaHandler<
    APIGatewayRequestAuthorizerEventV2,
    { isAuthorized: boolean; context?: AuthorizerContext }
  >;
  /** Handles requests no route matches (the dashboard page); a JSON 404 without it. */
  readonly fallback?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

interface CompiledRoute extends LocalRoute {
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), parameterNames };
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** A fresh Lambda context per invocation, as the Lambda runtime gives one. */
function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY_BYTES) return 'too large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TEXT_CONTENT = /^(text\/|application\/([\w.+-]+\+)?(json|x-ndjson|xml|x-www-form-urlencoded))/i;

/**
 * Builds the API Gateway v2 (payload format 2.0) event for a request, as the HTTP API would: lower-case
 * headers, query parameters joined by commas, text bodies as they are and binary bodies in base64.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  route: { readonly method: string; readonly path: string },
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? 'application/json');
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: body.toString(isText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/**
 * A small stand-in for API Gateway's HTTP API: matches routes, runs the Lambda authorizer, builds the
 * same events and calls the same handlers the cloud does, so local behaviour is the deployed behaviour.
 */
export class LocalApiServer {
  private readonly routes: readonly CompiledRoute[];
  private readonly server: Server;

  constructor(private readonly props: LocalApiProps) {
    this.routes = props.routes.map(compile);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error('local API server: unhandled error', error);
        if (!response.headersSent)
          sendJson(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
        else response.end();
      });
    });
  }

  /** Listens on 127.0.0.1 and resolves with the port (pass 0 for a free one). */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting connections and closes idle ones. */
  async close(): Promise<void> {
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const pathMatches = this.routes.filter((route) => route.pattern.test(pathname));
    // Like API Gateway, a literal segment wins over a parameter (`/incidents/stats` over `/incidents/{id}`).
    const route = pathMatches
      .filter((candidate) => candidate.method === request.method)
      .sort((a, b) => a.parameterNames.length - b.parameterNames.length)[0];
    if (!route) {
      if (pathMatches.length === 0 && this.props.fallback?.(request, response)) return;
      const status = pathMatches.length > 0 ? 405 : 404;
      const message =
        status === 405 ? `${request.method} is not allowed on ${pathname}` : `no route for ${pathname}`;
      sendJson(response, status, {
        error: { code: status === 405 ? 'method_not_allowed' : 'not_found', message },
      });
      return;
    }
    const body = await readBody(request);
    if (body === 'too large') {
      sendJson(response, 413, {
        error: { code: 'payload_too_large', message: "body exceeds API Gateway's 10 MB limit" },
      });
      return;
    }
    const values = route.pattern.exec(pathname)!.slice(1);
    const pathParameters = Object.fromEntries(
      route.parameterNames.map((name, i) => [name, decodeURIComponent(values[i]!)]),
    );
    const event = toApiGatewayEvent(request, body, route, pathParameters);
    if (route.authorized ?? true) {
      const authorization = event.headers.authorization;
      if (!authorization) {
        // API Gateway answers a missing identity source itself, before the authorizer runs.
        sendJson(response, 401, {
          error: {
            code: 'unauthorized',
            message: 'missing bearer token: send "Authorization: Bearer <token>"',
          },
        });
        return;
      }
      const verdict = await this.props.authorizer(
        {
          version: '2.0',
          type: 'REQUEST',
          routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${route.method}${route.path}`,
          identitySource: [authorization],
          routeKey: event.routeKey,
          rawPath: event.rawPath,
          rawQueryString: event.rawQueryString,
          cookies: [],
          headers: event.headers as Record<string, string>,
          ...(event.queryStringParameters
            ? { queryStringParameters: event.queryStringParameters as Record<string, string> }
            : {}),
          requestContext: event.requestContext,
          pathParameters: event.pathParameters as Record<string, string>,
          stageVariables: {},
        },
        lambdaContext('authorizer'),
      );
      if (!verdict.isAuthorized) {
        sendJson(response, 403, { error: { code: 'forbidden', message: 'Forbidden' } });
        return;
      }
      Object.assign(event.requestContext, { authorizer: { lambda: verdict.context } });
    }
    const result = await route.handler(event as HttpEvent, lambdaContext(`${route.method} ${route.path}`));
    response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    response.end(
      result.body === undefined
        ? undefined
        : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
    );
  }
}
