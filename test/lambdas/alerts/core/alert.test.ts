import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alertLabelSet,
  alertSeverity,
  effectiveStatus,
  maxSeverity,
  severityRank,
} from '../../../../lambdas/alerts/core/alert.js';

describe('severities', () => {
  it('rank critical over high over warning over info', () => {
    const ranks = (['info', 'warning', 'high', 'critical'] as const).map(severityRank);

    assert.deepEqual(ranks, [1, 2, 3, 4]);
    assert.equal(maxSeverity('warning', 'critical'), 'critical');
    assert.equal(maxSeverity('high', 'info'), 'high');
  });

  const cases = [
    { label: 'critical', expected: 'critical' },
    { label: 'info', expected: 'info' },
    { label: 'page', expected: 'warning' },
    { label: undefined, expected: 'warning' },
  ];
  for (const { label, expected } of cases) {
    it(`reads severity label ${String(label)} as ${expected}`, () => {
      const labels: Record<string, string> = label === undefined ? {} : { severity: label };

      assert.equal(alertSeverity({ labels }), expected);
    });
  }
});

describe('alertLabelSet', () => {
  it('adds the name as alertname', () => {
    assert.deepEqual(alertLabelSet({ name: 'HighErrorRate', labels: { model: 'fraud' } }), {
      model: 'fraud',
      alertname: 'HighErrorRate',
    });
  });
});

describe('effectiveStatus', () => {
  const now = 1_000_000;
  const cases = [
    {
      title: 'a firing alert without an end fires',
      alert: { status: 'firing', endsAt: undefined },
      expected: 'firing',
    },
    {
      title: 'a firing alert ending later fires',
      alert: { status: 'firing', endsAt: now + 1 },
      expected: 'firing',
    },
    {
      title: 'a firing alert whose end passed has resolved',
      alert: { status: 'firing', endsAt: now },
      expected: 'resolved',
    },
    {
      title: 'a resolved alert stays resolved',
      alert: { status: 'resolved', endsAt: now - 5 },
      expected: 'resolved',
    },
  ] as const;
  for (const { title, alert, expected } of cases) {
    it(title, () => {
      assert.equal(effectiveStatus(alert, now), expected);
    });
  }
});
