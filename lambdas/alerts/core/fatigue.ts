import { z } from 'zod';
import type { AlertStatus } from './alert.js';
import type { NotifyReason } from './grouping.js';

/*
 * The fatigue guard: at most N notifications per rule in any rolling hour. A notification over the limit
 * is not sent but remembered; once a slot frees (the oldest send in the hour ages out), one digest
 * notification lists everything held back, and that digest takes the slot, so the limit holds for
 * digests too. A group whose notification was held back counts as notified (its alerts are in the next
 * digest), so it does not try again every group_interval.
 */

/** The length of the fatigue guard's rolling window, ms. */
export const FATIGUE_WINDOW_MS = 3_600_000;

/** Limits of the fatigue guard. */
export interface FatigueOptions {
  /** Notifications per rule in any rolling hour, digests included. */
  readonly maxNotificationsPerHour: number;
  /** Held-back notifications a digest lists; beyond that it only counts them, keeping stored state small. */
  readonly maxDigestEntries: number;
}

/** Ten notifications per rule and hour; digests list up to 50 held-back notifications. */
export const DEFAULT_FATIGUE: FatigueOptions = { maxNotificationsPerHour: 10, maxDigestEntries: 50 };

/** One alert of a held-back notification, as the digest lists it. */
export interface SuppressedAlert {
  readonly fingerprint: string;
  readonly name: string;
  readonly status: AlertStatus;
  readonly summary?: string;
}

/** A notification the guard held back. */
export interface SuppressedNotification {
  readonly at: number;
  readonly groupKey: string;
  readonly reason: NotifyReason;
  readonly alerts: readonly SuppressedAlert[];
}

/** The guard's state for one rule, as stored. */
export interface FatigueWindow {
  /** The rule (alert name) the window counts for. */
  readonly rule: string;
  /** Optimistic-concurrency version: 1 when created, one more after every change. */
  readonly version: number;
  /** When notifications (and digests) for this rule went out in the last hour, oldest first. */
  readonly sentAt: readonly number[];
  /** Held-back notifications the next digest lists, oldest first. */
  readonly suppressed: readonly SuppressedNotification[];
  /** Held-back notifications beyond `maxDigestEntries`, only counted. */
  readonly omitted: number;
}

/** A digest to send: what the guard held back for one rule. */
export interface FatigueDigest {
  readonly rule: string;
  readonly at: number;
  readonly suppressed: readonly SuppressedNotification[];
  readonly omitted: number;
}

/** What the guard decided for one notification. */
export interface FatigueDecision {
  /** Whether the notification may go out now. */
  readonly admitted: boolean;
  /** A digest that must go out first (its slot freed up just now). */
  readonly digest?: FatigueDigest;
  readonly window: FatigueWindow;
}

/** Fatigue options as configuration JSON. */
export const fatigueOptionsSchema = z.object({
  maxNotificationsPerHour: z.int().positive().default(DEFAULT_FATIGUE.maxNotificationsPerHour),
  maxDigestEntries: z.int().positive().default(DEFAULT_FATIGUE.maxDigestEntries),
});

function emptyWindow(rule: string): FatigueWindow {
  return { rule, version: 0, sentAt: [], suppressed: [], omitted: 0 };
}

function withinHour(window: FatigueWindow, now: number): readonly number[] {
  return window.sentAt.filter((at) => at > now - FATIGUE_WINDOW_MS);
}

/**
 * Sends the digest of held-back notifications if there are any and the hour has a free slot; the digest
 * takes that slot. Returns the window unchanged when there is nothing to send.
 */
export function takeDigest(
  window: FatigueWindow,
  now: number,
  options: FatigueOptions,
): { readonly digest?: FatigueDigest; readonly window: FatigueWindow } {
  if (window.suppressed.length === 0 && window.omitted === 0) return { window };
  const recent = withinHour(window, now);
  if (recent.length >= options.maxNotificationsPerHour) return { window };
  return {
    digest: { rule: window.rule, at: now, suppressed: window.suppressed, omitted: window.omitted },
    window: { ...window, sentAt: [...recent, now], suppressed: [], omitted: 0 },
  };
}

/**
 * Lets a notification for `rule` through if the rolling hour has room (after a pending digest, which goes
 * first), or holds it back for the next digest.
 */
export function guardNotification(
  window: FatigueWindow | undefined,
  rule: string,
  notification: SuppressedNotification,
  now: number,
  options: FatigueOptions,
): FatigueDecision {
  const { digest, window: afterDigest } = takeDigest(window ?? emptyWindow(rule), now, options);
  const recent = withinHour(afterDigest, now);
  if (recent.length < options.maxNotificationsPerHour) {
    return { admitted: true, digest, window: { ...afterDigest, sentAt: [...recent, now] } };
  }
  const full = afterDigest.suppressed.length >= options.maxDigestEntries;
  return {
    admitted: false,
    digest,
    window: {
      ...afterDigest,
      sentAt: recent,
      suppressed: full ? afterDigest.suppressed : [...afterDigest.suppressed, notification],
      omitted: afterDigest.omitted + (full ? 1 : 0),
    },
  };
}

/** When the window's held-back notifications can go out as a digest, or undefined when none are held. */
export function nextDigestAt(
  window: FatigueWindow,
  options: FatigueOptions,
  now: number,
): number | undefined {
  if (window.suppressed.length === 0 && window.omitted === 0) return undefined;
  const recent = withinHour(window, now);
  if (recent.length < options.maxNotificationsPerHour) return now;
  return recent[recent.length - options.maxNotificationsPerHour]! + FATIGUE_WINDOW_MS;
}
