import {
  type BackoffPolicy,
  backoffDelayMs,
  realSleep,
  type Sleep,
} from '../../../metrics/adapters/aws/retry.js';
import type { HttpPoster, HttpPostRequest, HttpPostResult } from '../../ports/http-poster.js';

/*
 * JSON POSTs over the global `fetch`, retried the way the receivers ask: PagerDuty's Events API says to
 * retry 429, 5xx and network errors and not 400 ("Response Codes & Retry Logic"), Slack answers 429 with
 * a Retry-After header in seconds, and Teams throttles above four requests a second. Other 4xx answers
 * (a revoked webhook, a bad payload) fail at once: sending the same again cannot succeed. Retry-After is
 * honoured when it is short; a longer one (PagerDuty suggests minutes) is left to Lambda's own retries of
 * the whole record, which come a minute or more later.
 */

/** Four attempts with delays drawn from at most 1, 2 and 4 s. */
export const NOTIFICATION_BACKOFF: BackoffPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

/** How the poster posts and retries. */
export interface FetchHttpPosterOptions {
  /** How long one attempt may take, ms. @default 10_000 */
  readonly timeoutMs?: number;
  /** @default NOTIFICATION_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /** The longest Retry-After honoured within one delivery, ms; a longer one ends it. @default 30_000 */
  readonly maxRetryAfterMs?: number;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** A number in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Epoch ms, for Retry-After dates and the deadline. @default Date.now */
  readonly now?: () => number;
  /** @default 'Vigil-Notifications' */
  readonly userAgent?: string;
}

/** Whether an HTTP status is worth retrying: throttling and server faults. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The wait a Retry-After header asks for, ms (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or
 * undefined when it is missing or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const EXCERPT_LENGTH = 200;

/** Why a request got no answer, without the URL (which can be a credential). */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return `network error${code ? ` ${code}` : ''}: ${error instanceof Error ? error.message : String(error)}`;
}

interface AttemptFailure {
  readonly status?: number;
  readonly reason: string;
  readonly retryAfter?: number;
}

/** Posts JSON with `fetch`, retrying throttling, server faults and network errors with backoff and jitter. */
export class FetchHttpPoster implements HttpPoster {
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly userAgent: string;

  constructor(options: FetchHttpPosterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoff = options.backoff ?? NOTIFICATION_BACKOFF;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.userAgent = options.userAgent ?? 'Vigil-Notifications';
  }

  async post(request: HttpPostRequest): Promise<HttpPostResult> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request);
      if (outcome.ok) return { ok: true, status: outcome.status, attempts: attempt };
      const { failure } = outcome;
      if (failure.status !== undefined && !isRetryableStatus(failure.status)) {
        return {
          ok: false,
          status: failure.status,
          attempts: attempt,
          reason: failure.reason,
          retryable: false,
        };
      }
      const stop = (why: string): HttpPostResult => ({
        ok: false,
        status: failure.status,
        attempts: attempt,
        reason: `${failure.reason}; ${why}`,
        retryable: true,
      });
      if (attempt >= this.backoff.maxAttempts) return stop(`gave up after ${attempt} attempts`);
      if (failure.retryAfter !== undefined && failure.retryAfter > this.maxRetryAfterMs) {
        return stop(
          `asked to retry after ${Math.ceil(failure.retryAfter / 1000)} s, longer than this delivery waits`,
        );
      }
      const delay = failure.retryAfter ?? backoffDelayMs(attempt - 1, this.backoff, this.random);
      if (request.deadline !== undefined && this.now() + delay > request.deadline) {
        return stop(`no time left for attempt ${attempt + 1} before the deadline`);
      }
      await this.sleep(delay);
    }
  }

  private async attempt(
    request: HttpPostRequest,
  ): Promise<{ ok: true; status: number } | { ok: false; failure: AttemptFailure }> {
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': this.userAgent, ...request.headers },
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const answer = (await response.text()).slice(0, EXCERPT_LENGTH).trim();
      if (response.ok) return { ok: true, status: response.status };
      return {
        ok: false,
        failure: {
          status: response.status,
          reason: `the receiver answered ${response.status}${answer ? ` (${answer})` : ''}`,
          retryAfter: retryAfterMs(response.headers.get('retry-after'), this.now()),
        },
      };
    } catch (error) {
      return { ok: false, failure: { reason: networkReason(error, this.timeoutMs) } };
    }
  }
}
