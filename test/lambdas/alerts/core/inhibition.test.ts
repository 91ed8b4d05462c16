import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_INHIBIT_RULES,
  findInhibitor,
  type InhibitionSubject,
  type InhibitRule,
} from '../../../../lambdas/alerts/core/inhibition.js';

const subject = (fingerprint: string, labels: Record<string, string>): InhibitionSubject => ({
  fingerprint,
  labels,
});

describe('findInhibitor with the default rule (critical mutes warning of the same name and model)', () => {
  const critical = subject('c', { alertname: 'HighErrorRate', model: 'fraud', severity: 'critical' });
  const cases = [
    {
      title: 'mutes the warning with the same name and model',
      target: { alertname: 'HighErrorRate', model: 'fraud', severity: 'warning' },
      expected: 'c',
    },
    {
      title: 'leaves a warning of another model',
      target: { alertname: 'HighErrorRate', model: 'churn', severity: 'warning' },
      expected: undefined,
    },
    {
      title: 'leaves a warning of another rule',
      target: { alertname: 'HighLatency', model: 'fraud', severity: 'warning' },
      expected: undefined,
    },
    {
      title: 'leaves an alert of severity high',
      target: { alertname: 'HighErrorRate', model: 'fraud', severity: 'high' },
      expected: undefined,
    },
    {
      title: 'leaves the critical itself',
      target: { alertname: 'HighErrorRate', model: 'fraud', severity: 'critical' },
      expected: undefined,
    },
  ];
  for (const { title, target, expected } of cases) {
    it(title, () => {
      assert.equal(findInhibitor(subject('t', target), [critical], DEFAULT_INHIBIT_RULES), expected);
    });
  }

  it('needs a firing source: without the critical nothing is muted', () => {
    const warning = subject('w', { alertname: 'HighErrorRate', model: 'fraud', severity: 'warning' });

    assert.equal(findInhibitor(warning, [warning], DEFAULT_INHIBIT_RULES), undefined);
  });
});

describe('findInhibitor with configured rules', () => {
  it('treats a label missing on both sides as equal, as Alertmanager does', () => {
    const rules: InhibitRule[] = [
      {
        sourceMatchers: [{ name: 'alertname', operator: '=', value: 'ModelDown' }],
        targetMatchers: [{ name: 'alertname', operator: '!=', value: 'ModelDown' }],
        equal: ['model', 'region'],
      },
    ];
    const down = subject('d', { alertname: 'ModelDown', model: 'fraud' });

    assert.equal(
      findInhibitor(subject('t1', { alertname: 'HighLatency', model: 'fraud' }), [down], rules),
      'd',
    );
    assert.equal(
      findInhibitor(subject('t2', { alertname: 'HighLatency', model: 'fraud', region: 'eu' }), [down], rules),
      undefined,
    );
  });

  it('does not let two alerts that match both sides mute each other', () => {
    const rules: InhibitRule[] = [
      {
        sourceMatchers: [{ name: 'team', operator: '=', value: 'ml' }],
        targetMatchers: [{ name: 'team', operator: '=', value: 'ml' }],
        equal: ['model'],
      },
    ];
    const a = subject('a', { alertname: 'A', team: 'ml', model: 'fraud' });
    const b = subject('b', { alertname: 'B', team: 'ml', model: 'fraud' });

    assert.equal(findInhibitor(a, [a, b], rules), undefined);
    assert.equal(findInhibitor(b, [a, b], rules), undefined);
  });
});

describe('findInhibitor with the default rule on SLO burn-rate alerts', () => {
  const page = subject('p', {
    alertname: 'SLOBurnRateHigh',
    model: 'fraud',
    slo: 'availability',
    severity: 'critical',
  });

  it('mutes the ticket of the same SLO', () => {
    const ticket = subject('t', {
      alertname: 'SLOBurnRateHigh',
      model: 'fraud',
      slo: 'availability',
      severity: 'warning',
    });
    assert.equal(findInhibitor(ticket, [page], DEFAULT_INHIBIT_RULES), 'p');
  });

  it('leaves the ticket of another SLO of the same model', () => {
    const ticket = subject('t', {
      alertname: 'SLOBurnRateHigh',
      model: 'fraud',
      slo: 'latency',
      severity: 'warning',
    });
    assert.equal(findInhibitor(ticket, [page], DEFAULT_INHIBIT_RULES), undefined);
  });
});
