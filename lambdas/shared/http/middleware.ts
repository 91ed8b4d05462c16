import { gunzipSync } from 'node:zlib';
import type middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type AuthorizerContext, hasScope, type Scope } from '../../auth/core/scopes.js';
import { logger } from '../logger.js';
import { UnavailableError } from '../unavailable-error.js';
import { ValidationError } from '../validation-error.js';
import {
  badRequest,
  forbidden,
  HttpError,
  payloadTooLarge,
  serviceUnavailable,
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

/**
 * How errors are written: Vigil's `{ error: { code, message } }`, or, on OTLP routes, the JSON form of
 * `google.rpc.Status` (`{ code, message }`) that the OTLP/HTTP specification requires.
 */
export type ErrorFormat = 'vigil' | 'otlp';

/** What a route needs from a request before its handler runs. */
export interface HttpRouteOptions {
  /** How error responses are written. @default 'vigil' */
  readonly errorFormat?: ErrorFormat;
  /** Scope the caller's token must carry; routes without one (health) are open. */
  readonly scope?: Scope;
  /**
   * Whether the route reads a JSON body (checked for content type, size and syntax); `optional` lets a
   * request send none (`jsonBody` is then undefined). @default false
   */
  readonly jsonBody?: boolean | 'optional';
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

/** gRPC status codes (google.rpc.Code) for the HTTP statuses Vigil answers, as OTLP/HTTP maps them. */
const GRPC_CODE_BY_STATUS: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  409: 10, // ABORTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  422: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/** The response for an error: `{ error: { code, message } }` (plus details), or a google.rpc.Status for OTLP. */
export function errorResponse(error: HttpError, format: ErrorFormat = 'vigil'): HttpResult {
  if (format === 'otlp') {
    return json(error.statusCode, {
      code: GRPC_CODE_BY_STATUS[error.statusCode] ?? 13,
      message: error.message,
    });
  }
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

/** Most a compressed body may expand to: generous for telemetry, which compresses about tenfold, and a bound against zip bombs. */
const MAX_DECOMPRESSION_RATIO = 16;

/** Undoes `Content-Encoding: gzip` (the OpenTelemetry Collector compresses by default). */
function decodeContent(bytes: Buffer, encoding: string | undefined, maxBodyBytes: number): Buffer {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return bytes;
  if (name !== 'gzip')
    throw unsupportedMediaType(`content encoding must be gzip or identity, got "${encoding}"`);
  const limit = maxBodyBytes * MAX_DECOMPRESSION_RATIO;
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw payloadTooLarge(`gzip body expands past ${limit} bytes: split the batch`);
    }
    throw badRequest(`body is not valid gzip: ${(error as Error).message}`);
  }
}

/** Maps any error to the HTTP error it means: the one place where exceptions become statuses. */
function toHttpError(error: unknown, requestId: string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ValidationError) return badRequest(error.message);
  if (error instanceof UnavailableError) {
    logger.warn('dependency unavailable', { error });
    return serviceUnavailable(`${error.message}; nothing was recorded, retry the request`);
  }
  logger.error('unhandled error', { error: error as Error });
  return new HttpError(500, 'internal_error', `internal error; see the logs for request ${requestId}`);
}

function parseJsonBody(event: HttpEvent, maxBodyBytes: number): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw unsupportedMediaType(`content type must be application/json, got "${contentType || 'none'}"`);
  }
  const received = bodyBytes(event);
  if (received.length > maxBodyBytes) {
    throw payloadTooLarge(
      `body is ${received.length} bytes; the limit is ${maxBodyBytes} bytes: split the batch`,
    );
  }
  const bytes = decodeContent(received, header(event, 'content-encoding'), maxBodyBytes);
  if (bytes.length === 0) throw badRequest('body is empty; expected a JSON object');
  const parsed = parseJsonWithPosition(bytes.toString('utf8'));
  if (!parsed.ok) throw badRequest(parsed.message);
  return parsed.value;
}

/**
 * The one middleware every HTTP route uses: checks the token's scope, reads the JSON body (content type,
 * encoding, size, syntax) and maps every error to a JSON response in one place, so no handler needs a
 * try/catch.
 */
export function httpRoute(options: HttpRouteOptions = {}): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const httpRouteBefore: middy.MiddlewareFn<HttpEvent, HttpResult> = (request) => {
    if (options.scope) checkScope(request.event, options.scope);
    const { event } = request;
    if (options.jsonBody === 'optional' && bodyBytes(event).length === 0) return;
    if (options.jsonBody) event.jsonBody = parseJsonBody(event, maxBodyBytes);
  };
  const httpRouteOnError: middy.MiddlewareFn<HttpEvent, HttpResult> = (request) => {
    request.response = errorResponse(
      toHttpError(request.error, request.context.awsRequestId),
      options.errorFormat,
    );
  };
  return { before: httpRouteBefore, onError: httpRouteOnError };
}
