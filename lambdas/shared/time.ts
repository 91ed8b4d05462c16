import { ValidationError } from './validation-error.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** Parses a duration such as `60s`, `5m`, `6h`, `7d` or `500ms` to milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new ValidationError(`${what} must look like 60s, 5m, 6h or 7d, got "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * Parses a point in time as ISO-8601, epoch milliseconds, `now`, a duration before now (`-15m`, `-6h`,
 * `-7d`) or after it (`+2h`, for the end of a silence), relative to the injected `now`.
 */
export function parseTime(text: string, now: number, what = 'time'): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  if (trimmed.startsWith('-')) return now - parseDuration(trimmed.slice(1), what);
  if (trimmed.startsWith('+')) return now + parseDuration(trimmed.slice(1), what);
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed)) {
    throw new ValidationError(
      `${what} must be ISO-8601, epoch milliseconds, "now" or like -15m or +2h, got "${text}"`,
    );
  }
  return parsed;
}
