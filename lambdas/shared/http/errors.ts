/** An error that becomes an HTTP response: a status, a stable machine-readable code and a message for people. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.details = options?.details;
  }

  /** Extra structured detail for the response body (for example per-item errors). */
  readonly details?: unknown;
}

/** 400: the request is malformed or invalid. */
export const badRequest = (message: string, details?: unknown) =>
  new HttpError(400, 'bad_request', message, { details });
/** 401: no token, or a token Vigil does not know. */
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);
/** 403: a known token without the scope the route needs. */
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
/** 404: no such resource or route. */
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
/** 413: the body is larger than the route accepts. */
export const payloadTooLarge = (message: string) => new HttpError(413, 'payload_too_large', message);
/** 415: the body's content type is not one the route reads. */
export const unsupportedMediaType = (message: string) =>
  new HttpError(415, 'unsupported_media_type', message);
/** 503: a dependency is down; the client should retry. */
export const serviceUnavailable = (message: string) => new HttpError(503, 'service_unavailable', message);
