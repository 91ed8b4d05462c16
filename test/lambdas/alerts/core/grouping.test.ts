import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AlertGroup,
  addToGroup,
  DEFAULT_GROUPING,
  flushGroup,
  type GroupingOptions,
  type GroupMember,
  type GroupNotificationRecord,
  groupingOptionsSchema,
  groupKeyOf,
  groupLabelsOf,
  isGroupDue,
  notifyReason,
} from '../../../../lambdas/alerts/core/grouping.js';

const T0 = Date.parse('2026-03-10T14:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval 4h.
const options: GroupingOptions = DEFAULT_GROUPING;
const groupLabels = { alertname: 'HighErrorRate', model: 'fraud' };

describe('groupLabelsOf and groupKeyOf', () => {
  const labels = { alertname: 'HighErrorRate', model: 'fraud', severity: 'critical' };

  it('keeps the grouping labels the alert has', () => {
    assert.deepEqual(groupLabelsOf(labels, ['alertname', 'model', 'team']), {
      alertname: 'HighErrorRate',
      model: 'fraud',
    });
  });

  it('groups by every label with "..."', () => {
    assert.deepEqual(groupLabelsOf(labels, ['...']), labels);
  });

  it('gives alerts with the same grouping labels the same key, and others another', () => {
    const key = (l: Record<string, string>) => groupKeyOf(groupLabelsOf(l, ['alertname', 'model']));

    assert.equal(key(labels), key({ ...labels, severity: 'warning' }));
    assert.notEqual(key(labels), key({ ...labels, model: 'churn' }));
  });
});

describe('notifyReason (Alertmanager DedupStage.needsUpdate)', () => {
  const last = (firing: string[], resolved: string[] = [], at = T0): GroupNotificationRecord => ({
    at,
    firing,
    resolved,
  });
  const cases: Array<{
    title: string;
    last: GroupNotificationRecord | undefined;
    firing: string[];
    resolved: string[];
    now?: number;
    sendResolved?: boolean;
    expected: string | undefined;
  }> = [
    {
      title: 'never notified, alerts firing',
      last: undefined,
      firing: ['a'],
      resolved: [],
      expected: 'first',
    },
    {
      title: 'never notified, only resolved alerts',
      last: undefined,
      firing: [],
      resolved: ['a'],
      expected: undefined,
    },
    {
      title: 'a new firing alert',
      last: last(['a']),
      firing: ['a', 'b'],
      resolved: [],
      expected: 'new-alerts',
    },
    {
      title: 'firing again after all resolved',
      last: last([], ['a']),
      firing: ['a'],
      resolved: [],
      expected: 'first',
    },
    {
      title: 'the same firing alerts',
      last: last(['a', 'b']),
      firing: ['a', 'b'],
      resolved: [],
      expected: undefined,
    },
    {
      title: 'fewer firing, one resolved',
      last: last(['a', 'b']),
      firing: ['a'],
      resolved: ['b'],
      expected: 'resolved-alerts',
    },
    {
      title: 'one resolved without send_resolved',
      last: last(['a', 'b']),
      firing: ['a'],
      resolved: ['b'],
      sendResolved: false,
      expected: undefined,
    },
    { title: 'all resolved', last: last(['a']), firing: [], resolved: ['a'], expected: 'all-resolved' },
    {
      title: 'all resolved, already said so',
      last: last([], ['a']),
      firing: [],
      resolved: ['a'],
      expected: undefined,
    },
    {
      title: 'unchanged, repeat interval not yet passed',
      last: last(['a']),
      firing: ['a'],
      resolved: [],
      now: T0 + 4 * HOUR - 1,
      expected: undefined,
    },
    {
      title: 'unchanged, repeat interval passed',
      last: last(['a']),
      firing: ['a'],
      resolved: [],
      now: T0 + 4 * HOUR,
      expected: 'repeat',
    },
  ];
  for (const {
    title,
    last: previous,
    firing,
    resolved,
    now = T0 + MINUTE,
    sendResolved = true,
    expected,
  } of cases) {
    it(`${title}: ${expected ?? 'no notification'}`, () => {
      const reason = notifyReason(
        previous,
        firing,
        resolved,
        { repeatIntervalMs: 4 * HOUR, sendResolved },
        now,
      );

      assert.equal(reason, expected);
    });
  }
});

/** Drives a group the way the pipeline does: alerts join, and due flushes run at the given times. */
class GroupDriver {
  group: AlertGroup | undefined;
  readonly statuses = new Map<string, 'firing' | 'resolved'>();
  readonly muted = new Set<string>();
  readonly sent: Array<{
    at: number;
    reason: string;
    firing: readonly string[];
    resolved: readonly string[];
  }> = [];

  constructor(private readonly groupingOptions: GroupingOptions = options) {}

  fire(fingerprint: string, now: number, startsAt = now) {
    this.statuses.set(fingerprint, 'firing');
    this.group = addToGroup(this.group, { fingerprint, startsAt, groupLabels }, this.groupingOptions, now);
  }

  resolve(fingerprint: string) {
    this.statuses.set(fingerprint, 'resolved');
  }

  /** Runs the flushes due from `from` to `to`, checking every second as a scheduler would. */
  runUntil(to: number, from: number) {
    for (let now = from; now <= to && this.group; now += SECOND) {
      if (!isGroupDue(this.group, now)) continue;
      const members: GroupMember[] = [...this.statuses].map(([fingerprint, status]) => ({
        fingerprint,
        status,
        muted: this.muted.has(fingerprint),
      }));
      const flush = flushGroup(this.group, members, this.groupingOptions, now);
      this.group = flush.group;
      if (flush.notification) this.sent.push({ at: now, ...flush.notification });
    }
  }
}

describe('group timers', () => {
  it('sends the first notification group_wait after the group formed, with every alert that joined meanwhile', () => {
    const driver = new GroupDriver();

    driver.fire('a', T0);
    driver.fire('b', T0 + 10 * SECOND);
    driver.runUntil(T0 + 30 * SECOND, T0);

    assert.deepEqual(driver.sent, [
      { at: T0 + 30 * SECOND, reason: 'first', firing: ['a', 'b'], resolved: [] },
    ]);
    assert.equal(driver.group?.nextFlushAt, T0 + 30 * SECOND + 5 * MINUTE);
  });

  it('tells of a change at the next group_interval, not at once', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);
    driver.runUntil(T0 + MINUTE, T0);

    driver.fire('b', T0 + 2 * MINUTE);
    driver.runUntil(T0 + 5 * MINUTE + 29 * SECOND, T0 + MINUTE);
    const beforeInterval = driver.sent.length;
    driver.runUntil(T0 + 5 * MINUTE + 30 * SECOND, T0 + 5 * MINUTE + 29 * SECOND);

    assert.equal(beforeInterval, 1);
    assert.deepEqual(driver.sent[1], {
      at: T0 + 5 * MINUTE + 30 * SECOND,
      reason: 'new-alerts',
      firing: ['a', 'b'],
      resolved: [],
    });
  });

  it('repeats an unchanged group at the first flush after repeat_interval, and not before', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);

    driver.runUntil(T0 + 5 * HOUR, T0);

    // First flush at 30s; flushes every 5m after; 4h after the first lands exactly on the grid (48 intervals).
    assert.deepEqual(
      driver.sent.map(({ at, reason }) => ({ at, reason })),
      [
        { at: T0 + 30 * SECOND, reason: 'first' },
        { at: T0 + 30 * SECOND + 4 * HOUR, reason: 'repeat' },
      ],
    );
  });

  it('tells of resolved alerts at the next interval and forgets them; an empty group is dropped', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);
    driver.fire('b', T0);
    driver.runUntil(T0 + 30 * SECOND, T0);

    driver.resolve('b');
    driver.runUntil(T0 + 5 * MINUTE + 30 * SECOND, T0 + 31 * SECOND);
    driver.resolve('a');
    driver.runUntil(T0 + 10 * MINUTE + 30 * SECOND, T0 + 5 * MINUTE + 31 * SECOND);

    assert.deepEqual(driver.sent.slice(1), [
      { at: T0 + 5 * MINUTE + 30 * SECOND, reason: 'resolved-alerts', firing: ['a'], resolved: ['b'] },
      { at: T0 + 10 * MINUTE + 30 * SECOND, reason: 'all-resolved', firing: [], resolved: ['a'] },
    ]);
    assert.equal(driver.group, undefined);
  });

  it('says nothing about an alert that fired and resolved between two flushes', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);
    driver.runUntil(T0 + 30 * SECOND, T0);

    driver.fire('b', T0 + MINUTE);
    driver.resolve('b');
    driver.runUntil(T0 + 5 * MINUTE + 30 * SECOND, T0 + 31 * SECOND);

    assert.equal(driver.sent.length, 1);
    assert.deepEqual(driver.group?.members, ['a']);
  });

  it('flushes at once when an alert started more than group_wait ago (it has waited enough)', () => {
    const driver = new GroupDriver();

    driver.fire('a', T0, T0 - 2 * MINUTE);

    assert.equal(driver.group?.nextFlushAt, T0);
  });

  it('sends nothing while every firing alert is muted, and the first notification once one is not', () => {
    const driver = new GroupDriver();
    driver.muted.add('a');
    driver.fire('a', T0);
    driver.runUntil(T0 + 5 * MINUTE + 30 * SECOND, T0);
    const whileMuted = driver.sent.length;

    driver.muted.delete('a');
    driver.runUntil(T0 + 10 * MINUTE + 30 * SECOND, T0 + 5 * MINUTE + 31 * SECOND);

    assert.equal(whileMuted, 0);
    assert.deepEqual(driver.sent, [
      { at: T0 + 10 * MINUTE + 30 * SECOND, reason: 'first', firing: ['a'], resolved: [] },
    ]);
  });

  it('does not report alerts silenced after they were notified as resolved', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);
    driver.runUntil(T0 + 30 * SECOND, T0);

    driver.muted.add('a');
    driver.runUntil(T0 + 10 * MINUTE + 30 * SECOND, T0 + 31 * SECOND);

    assert.equal(driver.sent.length, 1);
    assert.deepEqual(driver.group?.members, ['a']);
  });

  it('stays on the group_interval grid when a flush runs late', () => {
    const driver = new GroupDriver();
    driver.fire('a', T0);
    const group = driver.group!;

    const late = flushGroup(
      group,
      [{ fingerprint: 'a', status: 'firing', muted: false }],
      options,
      T0 + 12 * MINUTE,
    );

    // Scheduled at 30s; late by 11.5 min: the next flush is the first grid point after now, 15m30s.
    assert.equal(late.group?.nextFlushAt, T0 + 15 * MINUTE + 30 * SECOND);
  });
});

describe('groupingOptionsSchema', () => {
  it("reads durations as text and defaults the rest to Alertmanager's", () => {
    const parsed = groupingOptionsSchema.parse({ by: ['alertname'], waitMs: '10s', repeatIntervalMs: '1h' });

    assert.deepEqual(parsed, {
      by: ['alertname'],
      waitMs: 10 * SECOND,
      intervalMs: 5 * MINUTE,
      repeatIntervalMs: HOUR,
      sendResolved: true,
    });
  });

  it('refuses a zero group interval', () => {
    const parsed = groupingOptionsSchema.safeParse({ intervalMs: 0 });

    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['intervalMs']);
  });
});
