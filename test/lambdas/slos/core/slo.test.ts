import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import {
  burnRateAlertWindows,
  ENTERPRISE_SLA_CREDITS,
  errorBudgetFraction,
  parseSlo,
  parseSlos,
  type SloInput,
  sloSelects,
  sloWindowMs,
  validateSlos,
} from '../../../../lambdas/slos/core/slo.js';

const availability = {
  name: 'fraud-availability',
  model: 'fraud',
  sli: { kind: 'availability' },
  objective: 0.999,
} as const satisfies SloInput;

function problemOf(input: unknown): string {
  try {
    parseSlo(input);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.message;
  }
  assert.fail('expected a validation error');
}

function assertClose(actual: number, expected: number) {
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 1e-9, `${actual} != ${expected}`);
}

describe('parseSlo', () => {
  it('fills in a 30-day window, a 1 h forecast and the Workbook alert policy', () => {
    const slo = parseSlo(availability);

    assert.deepEqual(slo, {
      ...availability,
      window: '30d',
      projectionWindow: '1h',
      alerting: {
        enabled: true,
        name: 'SLOBurnRateHigh',
        windows: [
          { longWindow: '1h', shortWindow: '5m', budgetConsumed: 0.02, action: 'page' },
          { longWindow: '6h', shortWindow: '30m', budgetConsumed: 0.05, action: 'page' },
          { longWindow: '3d', shortWindow: '6h', budgetConsumed: 0.1, action: 'ticket' },
        ],
        severities: { page: 'critical', ticket: 'warning' },
        labels: {},
        annotations: {},
      },
    });
    assert.equal(sloWindowMs(slo), 30 * 86_400_000);
    assertClose(errorBudgetFraction(slo)!, 0.001);
  });

  it('accepts every SLI kind; a cost SLO has a budget instead of an objective', () => {
    const slos = parseSlos([
      availability,
      {
        name: 'fraud-latency',
        model: 'fraud',
        modelVersion: 'v2',
        sli: { kind: 'latency', thresholdMs: 300 },
        objective: 0.99,
      },
      { name: 'fraud-accuracy', model: 'fraud', sli: { kind: 'accuracy' }, objective: 0.95, window: '7d' },
      { name: 'llm-cost', model: '*', sli: { kind: 'cost', budgetUsd: 300 }, window: '28d' },
    ]);

    assert.deepEqual(
      slos.map((slo) => [slo.name, slo.sli.kind, slo.window]),
      [
        ['fraud-availability', 'availability', '30d'],
        ['fraud-latency', 'latency', '30d'],
        ['fraud-accuracy', 'accuracy', '7d'],
        ['llm-cost', 'cost', '28d'],
      ],
    );
    assert.equal(errorBudgetFraction(slos[3]!), undefined);
  });

  it('gives SLOs with an sla the enterprise credits by default', () => {
    const slo = parseSlo({ ...availability, sla: {} });

    assert.deepEqual(slo.sla, { credits: ENTERPRISE_SLA_CREDITS });
  });

  const invalid: ReadonlyArray<{ title: string; input: unknown; expected: RegExp }> = [
    {
      title: 'an objective given in percent',
      input: { ...availability, objective: 99.9 },
      expected: /objective: expected a fraction strictly between 0 and 1, such as 0.999, got 99.9/,
    },
    {
      title: 'an objective of 1',
      input: { ...availability, objective: 1 },
      expected: /objective: expected a fraction/,
    },
    {
      title: 'a ratio SLO without objective',
      input: { name: 'a', model: 'fraud', sli: { kind: 'latency', thresholdMs: 100 } },
      expected:
        /objective: expected an objective strictly between 0 and 1 \(such as 0.999\) for a latency SLO/,
    },
    {
      title: 'a cost SLO with an objective',
      input: { name: 'c', model: 'm', sli: { kind: 'cost', budgetUsd: 10 }, objective: 0.9 },
      expected: /objective: a cost SLO has no objective: its error budget is sli.budgetUsd; remove objective/,
    },
    {
      title: 'a cost SLO with an SLA',
      input: { name: 'c', model: 'm', sli: { kind: 'cost', budgetUsd: 10 }, sla: {} },
      expected: /sla: a cost SLO has no compliance ratio to credit an SLA on; remove sla/,
    },
    {
      title: 'an unknown SLI kind',
      input: { ...availability, sli: { kind: 'freshness' } },
      expected: /sli.kind: expected kind availability, latency, accuracy, cost, got "freshness"/,
    },
    {
      title: 'a latency SLI without threshold',
      input: { ...availability, sli: { kind: 'latency' } },
      expected: /sli.thresholdMs: expected a number of milliseconds, got nothing/,
    },
    {
      title: 'a window that is not 7d, 28d or 30d',
      input: { ...availability, window: '14d' },
      expected: /window: expected a rolling window of 7d, 28d, 30d, got "14d"/,
    },
    {
      title: 'a version of every model',
      input: { ...availability, model: '*', modelVersion: 'v2' },
      expected: /modelVersion: a model version needs one model/,
    },
    {
      title: 'a long window longer than the SLO window',
      input: {
        ...availability,
        window: '7d',
        alerting: {
          windows: [{ longWindow: '8d', shortWindow: '1h', budgetConsumed: 0.5, action: 'ticket' }],
        },
      },
      expected: /alerting.windows\[0\].longWindow: expected at most the SLO window 7d, got "8d"/,
    },
    {
      title: 'a short window not shorter than the long one',
      input: {
        ...availability,
        alerting: { windows: [{ longWindow: '1h', shortWindow: '60m', burnRate: 14.4, action: 'page' }] },
      },
      expected:
        /alerting.windows\[0\].shortWindow: expected a short window shorter than the long window 1h, got "60m"/,
    },
    {
      title: 'a pair with both a budget share and a burn rate',
      input: {
        ...availability,
        alerting: {
          windows: [
            { longWindow: '1h', shortWindow: '5m', burnRate: 14.4, budgetConsumed: 0.02, action: 'page' },
          ],
        },
      },
      expected: /expected exactly one of budgetConsumed \(such as 0.02\) or burnRate \(such as 14.4\)/,
    },
    {
      title: 'a window of seconds',
      input: {
        ...availability,
        alerting: { windows: [{ longWindow: '1h', shortWindow: '90s', burnRate: 14.4, action: 'page' }] },
      },
      expected:
        /shortWindow: expected a whole number of minutes, at least 1m \(SLI counts are kept per minute\), got "90s"/,
    },
    {
      title: 'a label the alert sets itself',
      input: { ...availability, alerting: { labels: { slo: 'other' } } },
      expected: /alerting.labels.slo: "slo" is set by the SLO alert itself/,
    },
    {
      title: 'an annotation template Vigil cannot render',
      input: { ...availability, alerting: { annotations: { summary: '{{ .Foo }}' } } },
      expected: /alerting.annotations.summary: unsupported template action/,
    },
    {
      title: 'an unknown field',
      input: { ...availability, target: 0.999 },
      expected: /unrecognized key: "target"/i,
    },
  ];
  for (const { title, input, expected } of invalid) {
    it(`refuses ${title}`, () => {
      assert.match(problemOf(input), expected);
    });
  }

  it('names every problem of every SLO, and names used twice', () => {
    const { slos, problems } = validateSlos([availability, { ...availability, objective: 2 }, availability]);

    assert.equal(slos.length, 1);
    assert.deepEqual(
      problems.map((problem) => [problem.index, problem.path]),
      [
        [1, 'objective'],
        [2, 'name'],
      ],
    );
    assert.match(problems[1]!.message, /"fraud-availability" is used twice/);
  });
});

describe('burnRateAlertWindows', () => {
  // Scaling keeps each pair's share of the budget: burn = share × SLO window / long window (Workbook Table 5-8
  // for 30 days). For 7 days, 2 % in 1 h is 0.02 × 168 = 3.36; for 28 days 0.02 × 672 = 13.44.
  const table = [
    { window: '30d', burnRates: [14.4, 6, 1] },
    { window: '28d', burnRates: [13.44, 5.6, 67.2 / 72] },
    { window: '7d', burnRates: [3.36, 1.4, 16.8 / 72] },
  ] as const;
  for (const { window, burnRates } of table) {
    it(`scales the Workbook policy to ${window}: ${burnRates.map((rate) => rate.toFixed(3)).join(', ')}`, () => {
      const pairs = burnRateAlertWindows(parseSlo({ ...availability, window }));

      for (const [index, pair] of pairs.entries()) assertClose(pair.burnRate, burnRates[index]!);
      assert.deepEqual(
        pairs.map((pair) => [pair.longWindowMs, pair.shortWindowMs, pair.severity]),
        [
          [3_600_000, 300_000, 'critical'],
          [21_600_000, 1_800_000, 'critical'],
          [259_200_000, 21_600_000, 'warning'],
        ],
      );
    });
  }

  it('takes a burn rate as given and maps actions through configured severities', () => {
    const slo = parseSlo({
      ...availability,
      alerting: {
        windows: [{ longWindow: '2h', shortWindow: '10m', burnRate: 10, action: 'ticket' }],
        severities: { ticket: 'info' },
      },
    });

    const [pair] = burnRateAlertWindows(slo);

    assert.equal(pair!.burnRate, 10);
    // 10 × 2 h / 720 h of budget.
    assertClose(pair!.budgetConsumed, 20 / 720);
    assert.equal(pair!.severity, 'info');
  });

  it('is empty when alerting is off', () => {
    assert.deepEqual(burnRateAlertWindows(parseSlo({ ...availability, alerting: { enabled: false } })), []);
  });
});

describe('sloSelects', () => {
  const table = [
    { slo: { model: 'fraud' }, event: { model: 'fraud' }, selected: true },
    { slo: { model: 'fraud' }, event: { model: 'churn' }, selected: false },
    { slo: { model: '*' }, event: { model: 'churn', modelVersion: 'v1' }, selected: true },
    {
      slo: { model: 'fraud', modelVersion: 'v2' },
      event: { model: 'fraud', modelVersion: 'v2' },
      selected: true,
    },
    {
      slo: { model: 'fraud', modelVersion: 'v2' },
      event: { model: 'fraud', modelVersion: 'v1' },
      selected: false,
    },
    { slo: { model: 'fraud', modelVersion: 'v2' }, event: { model: 'fraud' }, selected: false },
    { slo: { model: 'fraud' }, event: { model: 'fraud', modelVersion: 'v1' }, selected: true },
  ];
  for (const { slo, event, selected } of table) {
    it(`${selected ? 'selects' : 'skips'} ${JSON.stringify(event)} for ${JSON.stringify(slo)}`, () => {
      assert.equal(sloSelects(slo, event), selected);
    });
  }
});
