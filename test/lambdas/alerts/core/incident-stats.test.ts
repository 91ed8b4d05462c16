import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Incident } from '../../../../lambdas/alerts/core/incident.js';
import { incidentStats, median } from '../../../../lambdas/alerts/core/incident-stats.js';
import { addCounters, ZERO_COUNTERS } from '../../../../lambdas/alerts/core/pipeline-state.js';

const T0 = Date.parse('2026-03-10T14:00:00Z');
const MINUTE = 60_000;

function incident(id: string, alerts: number, openedAt?: number, firstAcknowledgedAt?: number): Incident {
  return {
    id,
    version: 1,
    status: 'open',
    severity: 'warning',
    title: id,
    groupKeys: [],
    entities: [],
    alerts: Array.from({ length: alerts }, (_, index) => ({
      fingerprint: `${id}-${index}`,
      name: 'HighErrorRate',
      labels: {},
      severity: 'warning',
      groupKey: 'g',
      status: 'firing',
      joinedAt: T0,
      lastFiredAt: T0,
    })),
    createdAt: T0,
    openedAt,
    firstAcknowledgedAt,
    lastAlertAt: T0,
    reopenCount: 0,
    timeline: [],
    timelineOmitted: 0,
  };
}

describe('median', () => {
  const cases = [
    { values: [5], expected: 5 },
    { values: [3, 1, 2], expected: 2 },
    { values: [4, 1, 3, 2], expected: 2.5 },
  ];
  for (const { values, expected } of cases) {
    it(`of ${values.join(', ')} is ${expected}`, () => {
      assert.equal(median(values), expected);
    });
  }
});

describe('incidentStats', () => {
  it('sums the counters and measures alerts per incident and time to acknowledge', () => {
    const counters = addCounters(ZERO_COUNTERS, {
      alertsReceived: 40,
      deduplicated: 25,
      silenced: 4,
      inhibited: 3,
      notificationsSent: 6,
      fatigueSuppressed: 2,
    });
    const incidents = [
      incident('a', 1, T0, T0 + 2 * MINUTE),
      incident('b', 2, T0, T0 + 4 * MINUTE),
      incident('c', 6, T0, T0 + 12 * MINUTE),
      incident('d', 3, T0),
      incident('pending', 1),
    ];

    const stats = incidentStats(counters, incidents);

    assert.deepEqual(stats, {
      alertsReceived: 40,
      deduplicated: 25,
      silenced: 4,
      inhibited: 3,
      fatigueSuppressed: 2,
      notificationsSent: 6,
      incidents: 4,
      alertsPerIncident: { mean: 3, median: 2.5 },
      timeToAcknowledge: { count: 3, meanMs: 6 * MINUTE, medianMs: 4 * MINUTE },
    });
  });

  it('has no averages without incidents', () => {
    const stats = incidentStats(ZERO_COUNTERS, []);

    assert.equal(stats.alertsPerIncident, undefined);
    assert.equal(stats.timeToAcknowledge, undefined);
  });
});
