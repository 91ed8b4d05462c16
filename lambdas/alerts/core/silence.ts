import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';
import type { Labels } from './alert.js';
import { type LabelMatcher, labelMatcherSchema, matchesAll, matchesLabel } from './silence-matchers.js';
import { isWithinRecurrence, type WeeklyRecurrence, weeklyRecurrenceSchema } from './silence-recurrence.js';

/*
 * Silences as in Alertmanager: matchers on labels, a start and an end, who made it and why. A silence
 * mutes notifications for the alerts it matches; the alerts themselves are still recorded and shown.
 * Vigil adds an optional weekly recurrence: between start and end, the silence only mutes inside its
 * weekly windows (maintenance nights, weekends of a batch model).
 */

/** A silence, as stored. Times are epoch ms. */
export interface Silence {
  readonly id: string;
  /** Optimistic-concurrency version: 1 when created, one more after every change. */
  readonly version: number;
  /** All must match for the silence to mute an alert. */
  readonly matchers: readonly LabelMatcher[];
  readonly startsAt: number;
  /** Exclusive; expiring a silence moves it to the time of expiry. */
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  /** When set, the silence mutes only inside these weekly windows (and between start and end). */
  readonly recurrence?: WeeklyRecurrence;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Where a silence is in its life: not yet started, running, or over. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** The silence's state at `now`, from its start and end (a recurring silence is active between them). */
export function silenceState(silence: Silence, now: number): SilenceState {
  if (now >= silence.endsAt) return 'expired';
  return now < silence.startsAt ? 'pending' : 'active';
}

/** Whether the silence mutes an alert with these labels (`alertname` included) at `now`. */
export function silenceMutes(silence: Silence, labels: Labels, now: number): boolean {
  if (silenceState(silence, now) !== 'active') return false;
  if (silence.recurrence && !isWithinRecurrence(silence.recurrence, now)) return false;
  return matchesAll(silence.matchers, labels);
}

/** The ids of the silences that mute an alert with these labels at `now`, in the order given. */
export function mutingSilences(silences: readonly Silence[], labels: Labels, now: number): string[] {
  return silences.filter((silence) => silenceMutes(silence, labels, now)).map((silence) => silence.id);
}

const timeSchema = (what: string, now: number) =>
  z
    .union([z.number(), z.string()], { error: 'must be an ISO-8601 time or epoch milliseconds' })
    .transform((value, context) => {
      try {
        return typeof value === 'number' ? value : parseTime(value, now, what);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

/**
 * What a client sends to create a silence (`POST /api/v1/silences`); times may be ISO-8601, epoch ms,
 * `now` or relative to `now` (`-5m`).
 */
export function silenceInputSchema(now: number) {
  return z.object({
    matchers: z.array(labelMatcherSchema).min(1, 'must have at least one matcher'),
    startsAt: timeSchema('startsAt', now).optional(),
    endsAt: timeSchema('endsAt', now),
    createdBy: z.string({ error: 'must say who creates the silence' }).trim().min(1, 'must not be empty'),
    comment: z.string({ error: 'must say why the silence exists' }).trim().min(1, 'must not be empty'),
    recurrence: weeklyRecurrenceSchema.optional(),
  });
}

/** What `newSilence` needs besides the request body. */
export interface NewSilenceContext {
  /** The new silence's id (the caller makes one, e.g. a random UUID). */
  readonly id: string;
  /** The time of the request, epoch ms. */
  readonly now: number;
}

/**
 * A new silence from a request body. Throws a ValidationError naming the field when the body is invalid,
 * when every matcher would also match a missing label (a silence must not mute everything by accident, as
 * Alertmanager refuses too), or when the silence would end before it starts or in the past. A start in
 * the past becomes now.
 */
export function newSilence(body: unknown, context: NewSilenceContext): Silence {
  const parsed = silenceInputSchema(context.now).safeParse(body);
  if (!parsed.success)
    throw new ValidationError(`invalid silence: ${describeIssues(parsed.error.issues).join('; ')}`);
  const input = parsed.data;
  if (input.matchers.every((matcher) => matchesLabel(matcher, {}))) {
    throw new ValidationError(
      'invalid silence: matchers: every matcher also matches alerts without the label; add one that needs a value, such as alertname="HighErrorRate"',
    );
  }
  const startsAt = Math.max(input.startsAt ?? context.now, context.now);
  if (input.endsAt <= startsAt) {
    throw new ValidationError(
      `invalid silence: endsAt: ${new Date(input.endsAt).toISOString()} is not after the start ${new Date(startsAt).toISOString()}`,
    );
  }
  return {
    id: context.id,
    version: 1,
    matchers: input.matchers,
    startsAt,
    endsAt: input.endsAt,
    createdBy: input.createdBy,
    comment: input.comment,
    recurrence: input.recurrence,
    createdAt: context.now,
    updatedAt: context.now,
  };
}

/**
 * The silence ended at `now` (what `DELETE /api/v1/silences/{id}` does, as Alertmanager expires rather
 * than deletes). An expired silence is returned unchanged.
 */
export function expireSilence(silence: Silence, now: number): Silence {
  if (silenceState(silence, now) === 'expired') return silence;
  return {
    ...silence,
    version: silence.version + 1,
    startsAt: Math.min(silence.startsAt, now),
    endsAt: now,
    updatedAt: now,
  };
}
