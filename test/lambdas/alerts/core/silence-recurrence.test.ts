import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isWithinRecurrence,
  type WeeklyRecurrence,
  wallClock,
  weeklyRecurrenceSchema,
} from '../../../../lambdas/alerts/core/silence-recurrence.js';

/*
 * Reference: EU summer time (Directive 2000/84/EC) starts and ends at 01:00 UTC on the last Sundays of
 * March and October. In 2026 Europe/Berlin is CET (UTC+1) until 2026-03-29T01:00Z, then CEST (UTC+2)
 * until 2026-10-25T01:00Z, then CET again.
 */
const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

const officeHours: WeeklyRecurrence = {
  timeZone: 'Europe/Berlin',
  windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], start: '09:00', end: '17:00' }],
};

/** Minutes in [fromIso, toIso) that fall inside the recurrence. */
function minutesInside(recurrence: WeeklyRecurrence, fromIso: string, toIso: string): number {
  let count = 0;
  for (let time = at(fromIso); time < at(toIso); time += MINUTE)
    if (isWithinRecurrence(recurrence, time)) count++;
  return count;
}

describe('wallClock', () => {
  const cases = [
    { instant: '2026-03-29T00:59:00Z', weekday: 'sunday', local: '01:59' },
    { instant: '2026-03-29T01:00:00Z', weekday: 'sunday', local: '03:00' },
    { instant: '2026-10-25T00:30:00Z', weekday: 'sunday', local: '02:30' },
    { instant: '2026-10-25T01:30:00Z', weekday: 'sunday', local: '02:30' },
    { instant: '2026-03-29T22:00:00Z', weekday: 'monday', local: '00:00' },
  ];
  for (const { instant, weekday, local } of cases) {
    it(`reads ${instant} as ${weekday} ${local} in Berlin`, () => {
      const clock = wallClock(at(instant), 'Europe/Berlin');
      const [hours, minutes] = local.split(':').map(Number);

      assert.deepEqual(clock, { weekday, minuteOfDay: hours! * 60 + minutes! });
    });
  }
});

describe('isWithinRecurrence across the March 2026 change in Europe/Berlin', () => {
  const cases = [
    { instant: '2026-03-27T08:30:00Z', expected: true, why: 'Friday 09:30 CET' },
    { instant: '2026-03-27T07:30:00Z', expected: false, why: 'Friday 08:30 CET' },
    { instant: '2026-03-27T15:59:00Z', expected: true, why: 'Friday 16:59 CET' },
    { instant: '2026-03-27T16:00:00Z', expected: false, why: 'Friday 17:00 CET: the end is exclusive' },
    { instant: '2026-03-28T10:00:00Z', expected: false, why: 'Saturday 11:00 CET' },
    {
      instant: '2026-03-30T07:30:00Z',
      expected: true,
      why: 'Monday 09:30 CEST (08:30 at the winter offset)',
    },
    { instant: '2026-03-30T06:30:00Z', expected: false, why: 'Monday 08:30 CEST' },
    { instant: '2026-03-30T14:30:00Z', expected: true, why: 'Monday 16:30 CEST' },
    {
      instant: '2026-03-30T15:30:00Z',
      expected: false,
      why: 'Monday 17:30 CEST (16:30 at the winter offset)',
    },
  ];
  for (const { instant, expected, why } of cases) {
    it(`${instant} is ${expected ? 'inside' : 'outside'} 09:00-17:00 on weekdays: ${why}`, () => {
      assert.equal(isWithinRecurrence(officeHours, at(instant)), expected);
    });
  }

  it('keeps eight local hours a day on both sides of the change', () => {
    assert.equal(minutesInside(officeHours, '2026-03-27T00:00:00Z', '2026-03-28T00:00:00Z'), 8 * 60);
    assert.equal(minutesInside(officeHours, '2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z'), 8 * 60);
  });

  it('skips a window inside the hour that does not exist on the day clocks go forward', () => {
    const skipped: WeeklyRecurrence = {
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['sunday'], start: '02:00', end: '03:00' }],
    };

    assert.equal(minutesInside(skipped, '2026-03-22T00:00:00Z', '2026-03-23T00:00:00Z'), 60);
    assert.equal(minutesInside(skipped, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'), 0);
  });

  it('lasts one real hour less for a window across the change (01:00 to 04:00 local is 2 hours)', () => {
    const night: WeeklyRecurrence = {
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['sunday'], start: '01:00', end: '04:00' }],
    };

    assert.equal(minutesInside(night, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'), 120);
  });
});

describe('isWithinRecurrence across the October 2026 change in Europe/Berlin', () => {
  it('covers the repeated hour twice on the day clocks go back', () => {
    const repeated: WeeklyRecurrence = {
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['sunday'], start: '02:00', end: '03:00' }],
    };

    assert.equal(minutesInside(repeated, '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z'), 120);
    assert.equal(isWithinRecurrence(repeated, at('2026-10-25T00:30:00Z')), true);
    assert.equal(isWithinRecurrence(repeated, at('2026-10-25T01:30:00Z')), true);
    assert.equal(isWithinRecurrence(repeated, at('2026-10-25T02:00:00Z')), false);
  });
});

describe('overnight windows', () => {
  const fridayNight: WeeklyRecurrence = {
    timeZone: 'Europe/Berlin',
    windows: [{ days: ['friday'], start: '22:00', end: '06:00' }],
  };
  const cases = [
    { instant: '2026-03-27T20:59:00Z', expected: false, why: 'Friday 21:59 CET' },
    { instant: '2026-03-27T21:00:00Z', expected: true, why: 'Friday 22:00 CET' },
    { instant: '2026-03-28T04:59:00Z', expected: true, why: 'Saturday 05:59 CET, still Friday night' },
    { instant: '2026-03-28T05:00:00Z', expected: false, why: 'Saturday 06:00 CET' },
    { instant: '2026-03-28T21:30:00Z', expected: false, why: 'Saturday 22:30 CET' },
    { instant: '2026-03-29T03:00:00Z', expected: false, why: 'Sunday 05:00 CEST, not after a Friday' },
  ];
  for (const { instant, expected, why } of cases) {
    it(`${instant} is ${expected ? 'inside' : 'outside'} Friday 22:00-06:00: ${why}`, () => {
      assert.equal(isWithinRecurrence(fridayNight, at(instant)), expected);
    });
  }
});

describe('weeklyRecurrenceSchema', () => {
  it('expands day ranges as Alertmanager does', () => {
    const parsed = weeklyRecurrenceSchema.parse({
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['monday:wednesday', 'friday'], start: '00:00', end: '24:00' }],
    });

    assert.deepEqual(parsed.windows[0]?.days, ['monday', 'tuesday', 'wednesday', 'friday']);
  });

  const invalid = [
    { title: 'an unknown time zone', input: { timeZone: 'Mars/Olympus', windows: [] }, path: 'timeZone' },
    {
      title: 'a day that is not one',
      input: { timeZone: 'UTC', windows: [{ days: ['funday'], start: '09:00', end: '17:00' }] },
      path: 'windows.0.days.0',
    },
    {
      title: 'a time out of range',
      input: { timeZone: 'UTC', windows: [{ days: ['monday'], start: '25:00', end: '17:00' }] },
      path: 'windows.0.start',
    },
    {
      title: 'an empty window',
      input: { timeZone: 'UTC', windows: [{ days: ['monday'], start: '09:00', end: '09:00' }] },
      path: 'windows.0.end',
    },
  ];
  for (const { title, input, path } of invalid) {
    it(`refuses ${title} at ${path}`, () => {
      const parsed = weeklyRecurrenceSchema.safeParse(input);

      assert.equal(parsed.success, false);
      assert.ok(
        parsed.error?.issues.some((issue) => issue.path.join('.') === path),
        JSON.stringify(parsed.error?.issues),
      );
    });
  }
});
