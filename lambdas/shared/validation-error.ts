/**
 * Input that cannot be read at all (as opposed to single bad items, which are reported beside the good
 * ones). Pure code throws it; the HTTP middleware answers it with a 400 carrying the message.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}
