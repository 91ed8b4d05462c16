/** Waits `ms` milliseconds; injected so tests see the delays without waiting for them. */
export type Sleep = (ms: number) => Promise<void>;

/** How often and how patiently an AWS call is retried. */
export interface BackoffPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay, ms; it doubles with each retry. */
  readonly baseDelayMs: number;
  /** Ceiling of any one delay, ms. */
  readonly maxDelayMs: number;
}

/**
 * Four attempts with delays drawn from at most 100, 200 and 400 ms: under a second in all, so an ingest
 * request still answers well within API Gateway's 30 s before the batch goes to the retry queue.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2_000 };

/** What a retrying adapter needs besides its SDK client. */
export interface RetryOptions {
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** A number in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
}

/** Waits with `setTimeout`. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delay before retry number `retry` (0 for the first retry): "full jitter", a uniform draw between 0 and
 * min(maxDelayMs, baseDelayMs * 2^retry), which spreads concurrent Lambdas apart better than fixed steps.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'InternalServerException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  // Timestream's discovered endpoint went stale; the SDK discovers a fresh one for the next attempt.
  'InvalidEndpointException',
]);

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
]);

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Whether an AWS SDK error is worth retrying: throttling, server faults, timeouts and dropped connections.
 * Client errors (validation, access denied, missing table) are not: they fail the same way again.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $retryable, $metadata } = error as AwsErrorShape;
  if (typeof name === 'string' && TRANSIENT_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  if ($retryable) return true;
  const status = $metadata?.httpStatusCode;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

/**
 * Runs `operation`, retrying transient failures with exponential backoff and full jitter; the last error
 * propagates (to the retry queue, through `SpillingMetricWriter`).
 */
export async function withRetries<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isTransientAwsError(error)) throw error;
      await sleep(backoffDelayMs(attempt - 1, policy, random));
    }
  }
}
