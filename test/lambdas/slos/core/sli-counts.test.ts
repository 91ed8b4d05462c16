import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';
import {
  isCorrectPrediction,
  labelSliIncrements,
  observeSliIncrements,
  predictionSliIncrements,
  type SliPrediction,
} from '../../../../lambdas/slos/core/sli-counts.js';
import { parseSlos } from '../../../../lambdas/slos/core/slo.js';

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

const slos = parseSlos([
  { name: 'fraud-availability', model: 'fraud', sli: { kind: 'availability' }, objective: 0.999 },
  {
    name: 'fraud-v2-latency',
    model: 'fraud',
    modelVersion: 'v2',
    sli: { kind: 'latency', thresholdMs: 300 },
    objective: 0.99,
  },
  { name: 'fraud-accuracy', model: 'fraud', sli: { kind: 'accuracy' }, objective: 0.95 },
  { name: 'all-cost', model: '*', sli: { kind: 'cost', budgetUsd: 100 } },
]);

describe('predictionSliIncrements', () => {
  const table: ReadonlyArray<{ title: string; prediction: SliPrediction; expected: unknown }> = [
    {
      title: 'counts a fast ok prediction of fraud v2 as good for availability and latency, and its spend',
      prediction: { model: 'fraud', modelVersion: 'v2', status: 'ok', latencyMs: 120, costUsd: 0.002 },
      expected: [
        { slo: 'fraud-availability', good: 1, total: 1 },
        { slo: 'fraud-v2-latency', good: 1, total: 1 },
        { slo: 'all-cost', good: 0, total: 0.002 },
      ],
    },
    {
      title: 'counts an error as bad for availability but a fast one as good for latency',
      prediction: { model: 'fraud', modelVersion: 'v2', status: 'error', latencyMs: 300 },
      expected: [
        { slo: 'fraud-availability', good: 0, total: 1 },
        { slo: 'fraud-v2-latency', good: 1, total: 1 },
      ],
    },
    {
      title: 'counts a prediction slower than the threshold as bad for latency',
      prediction: { model: 'fraud', modelVersion: 'v2', status: 'ok', latencyMs: 300.5 },
      expected: [
        { slo: 'fraud-availability', good: 1, total: 1 },
        { slo: 'fraud-v2-latency', good: 0, total: 1 },
      ],
    },
    {
      title: 'leaves out SLOs of other versions and models',
      prediction: { model: 'churn', status: 'ok', latencyMs: 10, costUsd: 1.5 },
      expected: [{ slo: 'all-cost', good: 0, total: 1.5 }],
    },
  ];
  for (const { title, prediction, expected } of table) {
    it(title, () => {
      assert.deepEqual(predictionSliIncrements(slos, prediction), expected);
    });
  }
});

describe('labelSliIncrements', () => {
  it('counts a joined label for the accuracy SLOs of its model only', () => {
    assert.deepEqual(labelSliIncrements(slos, { model: 'fraud', modelVersion: 'v1', correct: true }), [
      { slo: 'fraud-accuracy', good: 1, total: 1 },
    ]);
    assert.deepEqual(labelSliIncrements(slos, { model: 'fraud', correct: false }), [
      { slo: 'fraud-accuracy', good: 0, total: 1 },
    ]);
    assert.deepEqual(labelSliIncrements(slos, { model: 'churn', correct: true }), []);
  });
});

describe('isCorrectPrediction', () => {
  const table = [
    { predicted: 'fraud', actual: 'fraud', correct: true },
    { predicted: 'fraud', actual: 'legit', correct: false },
    { predicted: 1, actual: 1, correct: true },
    { predicted: 1, actual: '1', correct: false },
    { predicted: true, actual: true, correct: true },
    {
      predicted: { label: 'cat', top: ['cat', 'dog'] },
      actual: { top: ['cat', 'dog'], label: 'cat' },
      correct: true,
    },
    { predicted: ['cat', 'dog'], actual: ['dog', 'cat'], correct: false },
    { predicted: undefined, actual: 'fraud', correct: false },
  ];
  for (const { predicted, actual, correct } of table) {
    it(`${correct ? 'matches' : 'does not match'} ${JSON.stringify(predicted)} with ${JSON.stringify(actual)}`, () => {
      assert.equal(isCorrectPrediction(predicted, actual), correct);
    });
  }
});

describe('observeSliIncrements', () => {
  it('records slo_total and non-zero slo_good per SLO and minute', () => {
    const accumulator = new RollupAccumulator();

    observeSliIncrements(accumulator, T0 + 1000, [
      { slo: 'fraud-availability', good: 1, total: 1 },
      { slo: 'all-cost', good: 0, total: 0.25 },
    ]);
    observeSliIncrements(accumulator, T0 + 2000, [{ slo: 'fraud-availability', good: 0, total: 1 }]);

    const sums = accumulator
      .rollups()
      .map((rollup) => [rollup.metric, rollup.dimensions.slo, rollup.minute, rollup.sum])
      .sort((a, b) => String(a).localeCompare(String(b)));
    assert.deepEqual(sums, [
      ['slo_good', 'fraud-availability', T0, 1],
      ['slo_total', 'all-cost', T0, 0.25],
      ['slo_total', 'fraud-availability', T0, 2],
    ]);
  });
});
