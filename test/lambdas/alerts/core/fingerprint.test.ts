import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertFingerprint, labelSetFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';

/** A Prometheus fingerprint (a uint64 printed in decimal by its tests) as Alertmanager prints it: 16 hex digits. */
const hex = (decimal: string) => BigInt(decimal).toString(16).padStart(16, '0');

describe('labelSetFingerprint', () => {
  const cases: Array<{ title: string; labels: Record<string, string>; expected: string }> = [
    // prometheus/common model/signature_test.go (TestMetricToFingerprint and the fingerprint benchmarks)
    { title: 'the empty label set', labels: {}, expected: hex('14695981039346656037') },
    {
      title: 'two labels, given out of order',
      labels: { name: 'garland, briggs', fear: 'love is not enough' },
      expected: hex('5799056148416392346'),
    },
    {
      title: 'one label',
      labels: { 'first-label': 'first-label-value' },
      expected: hex('5146282821936882169'),
    },
    {
      title: 'three labels',
      labels: {
        'third-label': 'third-label-value',
        'first-label': 'first-label-value',
        'second-label': 'second-label-value',
      },
      expected: hex('13843036195897128121'),
    },
    // prometheus/alertmanager template/template_test.go (TestData): the fingerprints Alertmanager sends
    {
      title: 'an Alertmanager warning',
      labels: { severity: 'warning', job: 'foo' },
      expected: '9266ef3da838ad95',
    },
    {
      title: 'an Alertmanager critical',
      labels: { severity: 'critical', job: 'foo' },
      expected: '3b15fd163d36582e',
    },
    { title: 'another job', labels: { severity: 'critical', job: 'bar' }, expected: 'c7e68cb08e3e67f9' },
  ];
  for (const { title, labels, expected } of cases) {
    it(`matches Prometheus for ${title}`, () => {
      assert.equal(labelSetFingerprint(labels), expected);
    });
  }
});

describe('alertFingerprint', () => {
  it('is the fingerprint of the labels with the name as alertname', () => {
    const fingerprint = alertFingerprint({
      name: 'HighErrorRate',
      labels: { model: 'fraud', severity: 'critical' },
    });

    assert.equal(
      fingerprint,
      labelSetFingerprint({ alertname: 'HighErrorRate', model: 'fraud', severity: 'critical' }),
    );
  });

  it('tells alerts apart by name and by any label, severity included', () => {
    const base = { name: 'HighErrorRate', labels: { model: 'fraud', severity: 'warning' } };
    const variants = [
      { name: 'HighLatency', labels: base.labels },
      { name: base.name, labels: { model: 'churn', severity: 'warning' } },
      { name: base.name, labels: { model: 'fraud', severity: 'critical' } },
      { name: base.name, labels: { ...base.labels, modelVersion: '2' } },
    ];

    const fingerprints = new Set([base, ...variants].map(alertFingerprint));

    assert.equal(fingerprints.size, 5);
  });
});
