import type middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type AuthorizerContext, hasScope, type Scope } from '../../auth/core/scopes.js';
import { logger } from '../logger.js';
import { ValidationError } from '../validation-error.js';
import {
  badRequest,
  forbidden,
  HttpError,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
} from './errors.js';
import { parseJsonWithPosition } from './json.js';

/** Largest body a route reads unless it says otherwise: 1 MiB (DESIGN.md). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** An API Gateway v2 event after the Lambda authorizer, with the JSON body once the middleware parsed it. */
export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext> & {
  jsonBody?: unknown;
};

/** What a route handler returns. */
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** A route handler as middy wraps it. */
export type HttpHandler = middy.MiddyfiedHandler<HttpEvent, HttpResult, Error, Context>;

/** What a route needs from a request before its handler runs. */
export interface HttpRouteOptions {
  /** Scope the caller's token must carry; routes without one (health) are open. */
  readonly scope?: Scope;
  /** Whether the route reads a JSON body (checked for content type, size and syntax). @default false */
  readonly jsonBody?: boolean;
  /** Largest body accepted, in bytes. @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The response for an error: `{ error: { code, message } }`, plus details where the error has them. */
export function errorResponse(error: HttpError): HttpResult {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return json(error.statusCode, { error: body });
}

/** A header's value, whatever case the client sent its name in. */
export function header(
  event: { headers?: Record<string, string | undefined> },
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The raw body as bytes, decoding API Gateway's base64 when it used it. */
export function bodyBytes(event: { body?: string; isBase64Encoded?: boolean }): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function checkScope(event: HttpEvent, scope: Scope): void {
  const auth = event.requestContext?.authorizer?.lambda;
  if (!auth?.principal) {
    throw unauthorized(auth?.reason ?? 'missing bearer token: send "Authorization: Bearer <token>"');
  }
  if (!hasScope(auth.scopes, scope)) {
    throw forbidden(
      `token "${auth.principal}" lacks the "${scope}" scope this route needs (it has: ${auth.scopes || 'none'})`,
    );
  }
}

function parseJsonBody(event: HttpEvent, maxBodyBytes: number): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw unsupportedMediaType(`content type must be application/json, got "${contentType || 'none'}"`);
  }
  const bytes = bodyBytes(event);
  if (bytes.length > maxBodyBytes) {
    throw payloadTooLarge(
      `body is ${bytes.length} bytes; the limit is ${maxBodyBytes} bytes: split the batch`,
    );
  }
  if (bytes.length === 0) throw badRequest('body is empty; expected a JSON object');
  const parsed = parseJsonWithPosition(bytes.toString('utf8'));
  if (!parsed.ok) throw badRequest(parsed.message);
  return parsed.value;
}

/**
 * The one middleware every HTTP route uses: checks the token's scope, reads the JSON body (content type,
 * size, syntax) and maps every error to a JSON response in one place, so no handler needs a try/catch.
 */
export function httpRoute(options: HttpRouteOptions = {}): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const httpRouteBefore: middy.MiddlewareFn<HttpEvent, HttpResult> = (request) => {
    if (options.scope) checkScope(request.event, options.scope);
    if (options.jsonBody) request.event.jsonBody = parseJsonBody(request.event, maxBodyBytes);
  };
  const httpRouteOnError: middy.MiddlewareFn<HttpEvent, HttpResult> = (request) => {
    const error = request.error;
    if (error instanceof HttpError) {
      request.response = errorResponse(error);
      return;
    }
    if (error instanceof ValidationError) {
      request.response = errorResponse(badRequest(error.message));
      return;
    }
    logger.error('unhandled error', { error: error as Error, path: request.event.rawPath });
    request.response = errorResponse(
      new HttpError(
        500,
        'internal_error',
        `internal error; see the logs for request ${request.context.awsRequestId}`,
      ),
    );
  };
  return { before: httpRouteBefore, onError: httpRouteOnError };
}
