import { z } from 'zod';

/*
 * Recurring weekly windows for silences ("every weekday 22:00 to 06:00 Europe/Berlin"), in the spirit of
 * Alertmanager's time_intervals (weekdays, times, location).
 *
 * Times are wall-clock times in the window's IANA time zone, read with Intl (no time-zone data of our
 * own), so a window keeps its local hours across daylight-saving changes: 09:00-17:00 Europe/Berlin is
 * 08:00-16:00 UTC in winter and 07:00-15:00 UTC in summer. On the day clocks go forward, local times in
 * the skipped hour never occur (a window inside it does not happen that day); on the day they go back,
 * the repeated hour occurs twice and a window covering it is active both times.
 *
 * A window is [start, end): `end` may be `24:00`. When `end` is not after `start` the window runs
 * overnight into the next day, and belongs to the day it starts on (`friday 22:00-06:00` ends Saturday
 * 06:00). Alertmanager asks for two ranges instead; one overnight window reads better.
 */

/** Days of the week, as Alertmanager's time intervals name them. */
export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** One weekly window: on these days, from `start` to `end`, local time. */
export interface WeeklyWindow {
  readonly days: readonly Weekday[];
  /** Local time `HH:MM`, 24-hour. */
  readonly start: string;
  /** Local time `HH:MM`, 24-hour, or `24:00`; not after `start` means the next day. */
  readonly end: string;
}

/** Windows that repeat every week, in one time zone. */
export interface WeeklyRecurrence {
  /** IANA time zone name, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  readonly windows: readonly WeeklyWindow[];
}

/** The local day of the week and minute of the day of an instant in a time zone. */
export interface WallClock {
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0 to 1439. */
  readonly minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows this IANA time zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at the instant `at` (epoch ms). */
export function wallClock(at: number, timeZone: string): WallClock {
  let weekday = '';
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') weekday = part.value.toLowerCase();
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday: weekday as Weekday, minuteOfDay: hour * 60 + minute };
}

// Minutes since midnight of `HH:MM` (`24:00` is 1440).
function minutesOfDay(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function dayBefore(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + WEEKDAYS.length - 1) % WEEKDAYS.length]!;
}

/** Whether the instant `at` falls inside one of the recurrence's windows. */
export function isWithinRecurrence(recurrence: WeeklyRecurrence, at: number): boolean {
  const { weekday, minuteOfDay } = wallClock(at, recurrence.timeZone);
  return recurrence.windows.some((window) => {
    const start = minutesOfDay(window.start);
    const end = minutesOfDay(window.end);
    if (end > start) return window.days.includes(weekday) && minuteOfDay >= start && minuteOfDay < end;
    return (
      (window.days.includes(weekday) && minuteOfDay >= start) ||
      (window.days.includes(dayBefore(weekday)) && minuteOfDay < end)
    );
  });
}

const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** A day (`monday`) or an inclusive range of days (`monday:friday`), expanded to the days it names. */
const daySchema = z.string().transform((text, context): Weekday[] => {
  const [first, last = first] = text.toLowerCase().split(':');
  const from = WEEKDAYS.indexOf(first as Weekday);
  const to = WEEKDAYS.indexOf(last as Weekday);
  if (from < 0 || to < 0 || to < from) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not a day or a range of days; expected a day from monday to sunday, or a range such as monday:friday`,
    });
    return z.NEVER;
  }
  return WEEKDAYS.slice(from, to + 1);
});

const timeOfDaySchema = z.string().regex(TIME_OF_DAY, {
  error: (issue) => `got "${String(issue.input)}", expected HH:MM from 00:00 to 24:00`,
});

/** A weekly window as JSON, its days possibly given as ranges. */
export const weeklyWindowSchema = z
  .object({
    days: z.array(daySchema).min(1, 'must name at least one day'),
    start: timeOfDaySchema,
    end: timeOfDaySchema,
  })
  .transform(
    (window): WeeklyWindow => ({
      days: WEEKDAYS.filter((day) => window.days.some((days) => days.includes(day))),
      start: window.start,
      end: window.end,
    }),
  )
  .refine((window) => window.start !== window.end, {
    message: 'start and end are the same time; for a whole day use 00:00 to 24:00',
    path: ['end'],
  });

/** A weekly recurrence as JSON, with its time zone checked against the ones Intl knows. */
export const weeklyRecurrenceSchema = z.object({
  timeZone: z.string().refine(isTimeZone, {
    error: (issue) => `"${String(issue.input)}" is not an IANA time zone such as Europe/Berlin`,
  }),
  windows: z.array(weeklyWindowSchema).min(1, 'must have at least one window'),
});
