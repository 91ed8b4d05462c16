/**
 * A dependency (a store, a queue) cannot be reached right now and nothing was recorded, so the client
 * should retry. Pure code throws it; the HTTP middleware answers it with a 503, which OTLP exporters and
 * well-behaved clients retry.
 */
export class UnavailableError extends Error {
  override readonly name: string = 'UnavailableError';
}
