import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  importOpenSlo,
  importOpenSloDocuments,
  type OpenSloProblem,
} from '../../../../lambdas/slos/core/openslo.js';

/** A fixture copied from the OpenSLO repository (each file cites its source). */
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/openslo/${name}`, import.meta.url), 'utf8');

/** The problems as [document, path, severity], and their messages. */
const located = (problems: readonly OpenSloProblem[]) =>
  problems.map((problem) => [problem.document, problem.path, problem.severity]);

describe('importOpenSlo: the OpenSLO specification examples as written', () => {
  it('reports an Occurrences latency SLO on an unknown metric source and a 2w window', () => {
    const { slos, problems } = importOpenSlo(fixture('occurrences-slo.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'spec.indicator.spec.thresholdMetric.metricSource.type', 'error'],
      [1, 'spec.timeWindow[0].duration', 'error'],
    ]);
    assert.match(
      problems[0]!.message,
      /metric source type "Any" is not supported: .* use type: Vigil with spec.sli/,
    );
    assert.equal(problems[1]!.message, 'expected a rolling window of 7d (1w), 28d (4w) or 30d, got "2w"');
    assert.equal(problems[0]!.name, 'search-slo');
  });

  it('reports RatioTimeslices budgeting and time-slice objective fields', () => {
    const { slos, problems } = importOpenSlo(fixture('ratio-timeslices.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'spec.indicator.spec.ratioMetric.good.metricSource.type', 'error'],
      [1, 'spec.indicator.spec.ratioMetric.total.metricSource.type', 'error'],
      [1, 'spec.timeWindow[0].duration', 'error'],
      [1, 'spec.budgetingMethod', 'error'],
      [1, 'spec.objectives[0]', 'warning'],
    ]);
    assert.match(problems[3]!.message, /"RatioTimeslices" is not supported: Vigil budgets by occurrences/);
  });

  it('reports a calendar-aligned window and Timeslices budgeting, objective by objective', () => {
    const { slos, problems } = importOpenSlo(fixture('timeslices-slo.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'spec.indicator.spec.ratioMetric.good.metricSource.type', 'error'],
      [1, 'spec.indicator.spec.ratioMetric.total.metricSource.type', 'error'],
      [1, 'spec.timeWindow[0]', 'error'],
      [1, 'spec.budgetingMethod', 'error'],
      [1, 'spec.objectives[0]', 'warning'],
      [1, 'spec.objectives[1]', 'warning'],
    ]);
    assert.match(problems[2]!.message, /calendar-aligned windows are not supported/);
  });

  it('reports the README inline SLO: a Datadog source, and the window and budgeting it leaves out', () => {
    const { slos, problems } = importOpenSlo(fixture('readme-inline-indicator.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'spec.indicator.spec.ratioMetric.good.metricSource.type', 'error'],
      [1, 'spec.indicator.spec.ratioMetric.total.metricSource.type', 'error'],
      [1, 'spec.timeWindow', 'warning'],
      [1, 'spec.budgetingMethod', 'warning'],
    ]);
  });

  it('reports an indicatorRef to no SLI, a 1d window and alert policies', () => {
    const { slos, problems } = importOpenSlo(fixture('slo-indicatorref-rolling-alerts.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'spec.indicatorRef', 'error'],
      [1, 'spec.timeWindow[0].duration', 'error'],
      [1, 'spec.alertPolicies', 'warning'],
    ]);
    assert.equal(problems[0]!.message, '"indicatorRefString" names no kind: SLI document in this import');
  });

  it('reports the calendar window of the schema test', () => {
    const { problems } = importOpenSlo(fixture('slo-indicatorref-calendar-no-alerts.yaml'));

    assert.deepEqual(located(problems), [
      [1, 'spec.indicatorRef', 'error'],
      [1, 'spec.timeWindow[0]', 'error'],
    ]);
  });

  it('reads a document that is a list of objects, with paths into the list', () => {
    const { slos, problems } = importOpenSlo(fixture('slos.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, '[0].spec.indicator.spec.ratioMetric.good.metricSource.type', 'error'],
      [1, '[0].spec.indicator.spec.ratioMetric.total.metricSource.type', 'error'],
      [1, '[0].spec.timeWindow[0]', 'error'],
      [1, '[0].spec.budgetingMethod', 'error'],
      [1, '[0].spec.objectives[0]', 'warning'],
    ]);
  });

  it('reports SLI documents where they are: a raw ratio, a bad/total on AppDynamics, and unused SLIs', () => {
    const slis = parseYaml(fixture('slis.yaml'));
    const referring = (name: string, ref: string) => ({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name },
      spec: {
        service: 'web',
        indicatorRef: ref,
        timeWindow: [{ duration: '30d', isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ target: 0.99 }],
      },
    });

    const { slos, problems } = importOpenSloDocuments([
      slis,
      referring('wifi', 'wifi-client-satisfaction'),
      referring('end-user', 'end-user-response'),
    ]);

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, '[2].spec.ratioMetric.raw', 'error'],
      [1, '[1].spec.ratioMetric.bad.metricSource.type', 'error'],
      [1, '[1].spec.ratioMetric.total.metricSource.type', 'error'],
      [1, '[0].metadata.name', 'warning'],
      [1, '[3].metadata.name', 'warning'],
      [2, 'spec.indicatorRef', 'error'],
      [3, 'spec.indicatorRef', 'error'],
    ]);
    assert.match(problems[0]!.message, /raw \(precomputed\) ratios are not supported/);
    assert.equal(problems[3]!.message, 'SLI "search-availability" is not referred to by any SLO; ignored');
    assert.equal(
      problems[5]!.message,
      'SLI "wifi-client-satisfaction" cannot be imported; see the problems of document 1',
    );
  });

  it('warns that data sources, alert policies, conditions and notification targets are not used', () => {
    const { slos, problems } = importOpenSlo(fixture('readme-other-kinds.yaml'));

    assert.deepEqual(slos, []);
    assert.deepEqual(located(problems), [
      [1, 'kind', 'warning'],
      [2, 'kind', 'warning'],
      [3, 'kind', 'warning'],
      [4, 'kind', 'warning'],
    ]);
    assert.equal(problems[1]!.message, 'kind AlertPolicy is not used by Vigil; ignored');
  });
});

describe('importOpenSlo: the specification examples pointed at Vigil metric sources', () => {
  it('imports the README inline ratio SLO with a Vigil availability source', () => {
    // README.md's inline example; its Datadog sources become Vigil's, and it gains a window and budgeting.
    const text = fixture('readme-inline-indicator.yaml')
      .replace(
        /metricSourceRef: datadog-datasource\n\s+type: Datadog\n(\s+)spec:\n\s+query: .*\n/g,
        'type: Vigil\n$1spec:\n$1  sli: availability\n',
      )
      .replace(
        '  objectives:',
        '  timeWindow:\n    - duration: 30d\n      isRolling: true\n  budgetingMethod: Occurrences\n  objectives:',
      );

    const { slos, problems } = importOpenSlo(text);

    assert.deepEqual(problems, []);
    assert.equal(slos.length, 1);
    const [slo] = slos;
    assert.deepEqual(
      {
        name: slo!.name,
        model: slo!.model,
        sli: slo!.sli,
        objective: slo!.objective,
        window: slo!.window,
        description: slo!.description,
      },
      {
        name: 'foo-slo',
        model: 'foo',
        sli: { kind: 'availability' },
        objective: 0.98,
        window: '30d',
        description: 'Foo SLO',
      },
    );
    assert.equal(slo!.alerting.windows.length, 3);
  });

  it('imports the Occurrences latency example with a Vigil source and a 4w window, reading lt as lte', () => {
    const text = fixture('occurrences-slo.yaml')
      .replace('type: Any # Here put any service that holds information you need.', 'type: Vigil')
      .replace('# Fields needed to query service for latency data.', 'sli: latency')
      .replace('duration: 2w', 'duration: 4w');

    const { slos, problems } = importOpenSlo(text);

    assert.deepEqual(located(problems), [[1, 'spec.objectives[0].op', 'warning']]);
    assert.equal(
      problems[0]!.message,
      'Vigil counts values at or below the threshold as good; lt 500 is read as lte 500',
    );
    assert.deepEqual(
      slos.map((slo) => [slo.name, slo.model, slo.sli, slo.objective, slo.window, slo.description]),
      [
        [
          'search-slo',
          'web-shop',
          { kind: 'latency', thresholdMs: 500 },
          0.99,
          '28d',
          'Regardless of the number of paraller searches it never should be more than 500ms.',
        ],
      ],
    );
  });

  it('imports one SLO per objective, each with its own target', () => {
    const text = fixture('timeslices-slo.yaml')
      .replaceAll('type: Any # Any service with needed metrics', 'type: Vigil')
      .replaceAll("query: Any # 'query' is just an example field.", 'sli: availability')
      .replace(
        /timeWindow:[\s\S]*?budgetingMethod: Timeslices/,
        'timeWindow:\n    - duration: 30d\n      isRolling: true\n  budgetingMethod: Occurrences',
      );

    const { slos, problems } = importOpenSlo(text);

    assert.deepEqual(
      slos.map((slo) => [slo.name, slo.objective]),
      [
        ['service-availability-internal-objective', 0.995],
        ['service-availability-sla', 0.99],
      ],
    );
    // The first objective's `op: gt` has no meaning for a ratio, besides its time-slice fields.
    assert.deepEqual(located(problems), [
      [1, 'spec.objectives[0]', 'warning'],
      [1, 'spec.objectives[0]', 'warning'],
      [1, 'spec.objectives[1]', 'warning'],
    ]);
    assert.match(problems[1]!.message, /op and value apply to a thresholdMetric; ignored/);
  });

  it('resolves an indicatorRef to an SLI document and takes the model, version and labels from it', () => {
    const text = `${fixture('slo-indicatorref-rolling-alerts.yaml').replace('duration: 1d', 'duration: 1w')}
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: indicatorRefString
spec:
  ratioMetric:
    bad:
      metricSource:
        type: vigil
        spec: { sli: latency, thresholdMs: 250, model: fraud, modelVersion: v2 }
    total:
      metricSource:
        type: Vigil
        spec: { sli: latency, thresholdMs: 250 }
`;

    const { slos, problems } = importOpenSlo(text);

    assert.deepEqual(located(problems), [[1, 'spec.alertPolicies', 'warning']]);
    assert.deepEqual(
      slos.map((slo) => [slo.name, slo.model, slo.modelVersion, slo.sli, slo.objective, slo.window]),
      [['TestSLO', 'fraud', 'v2', { kind: 'latency', thresholdMs: 250 }, 0.98, '7d']],
    );
  });

  it('imports a cost threshold as a budget per window and says the target is not used', () => {
    const { slos, problems } = importOpenSloDocuments([
      {
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        metadata: { name: 'llm-spend', labels: { team: ['ml', 'platform'], 'cost-centre': 'x' } },
        spec: {
          service: 'llm',
          indicator: {
            spec: {
              thresholdMetric: { metricSource: { type: 'Vigil', spec: { sli: 'cost', thresholdMs: 5 } } },
            },
          },
          timeWindow: [{ duration: '30d', isRolling: true }],
          budgetingMethod: 'Occurrences',
          objectives: [{ op: 'lte', value: 1200, targetPercent: 99 }],
        },
      },
    ]);

    assert.deepEqual(
      slos.map((slo) => [slo.name, slo.sli, slo.objective, slo.alerting.labels]),
      [['llm-spend', { kind: 'cost', budgetUsd: 1200 }, undefined, { team: 'ml,platform' }]],
    );
    assert.deepEqual(located(problems), [
      [1, 'spec.indicator.spec.thresholdMetric.metricSource.spec.thresholdMs', 'warning'],
      [1, 'metadata.labels.cost-centre', 'warning'],
      [1, 'spec.objectives[0]', 'warning'],
    ]);
  });
});

describe('importOpenSlo: problems that do not cost the rest of the file', () => {
  const sloDocument = (name: string, overrides: Record<string, unknown> = {}) =>
    `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
spec:
  service: ${(overrides.service as string) ?? 'fraud'}
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Vigil, spec: { sli: ${(overrides.goodSli as string) ?? 'availability'} } } }
        total: { metricSource: { type: Vigil, spec: { sli: availability } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ ${(overrides.objective as string) ?? 'target: 0.999'} }]
`;

  it('imports the valid documents beside a YAML error, another apiVersion and an unknown kind', () => {
    const text = [
      sloDocument('good-one'),
      'apiVersion: openslo/v1\nkind: SLO\nmetadata: { name: broken\n',
      'apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: { name: old }\nspec: {}\n',
      'apiVersion: openslo/v1\nkind: Dashboard\nmetadata: { name: d }\n',
      '- not an object\n',
      sloDocument('good-two'),
    ].join('---\n');

    const { slos, problems } = importOpenSlo(text);

    assert.deepEqual(
      slos.map((slo) => slo.name),
      ['good-one', 'good-two'],
    );
    assert.deepEqual(located(problems), [
      [2, '(document)', 'error'],
      [3, 'apiVersion', 'error'],
      [4, 'kind', 'error'],
      [5, '[0]', 'error'],
    ]);
    assert.match(problems[0]!.message, /^not valid YAML: /);
    assert.equal(problems[1]!.message, '"openslo/v1alpha" is not supported; expected openslo/v1');
  });

  const invalid = [
    {
      title: 'a service that is not a model name',
      overrides: { service: '"web shop"' },
      expected: [[1, 'spec.service', 'error']],
      message:
        /expected a model name of 1 to 128 letters, digits, dots, dashes or underscores, got "web shop"/,
    },
    {
      title: 'good and total naming different SLIs',
      overrides: { goodSli: 'accuracy' },
      expected: [[1, 'spec.indicator.spec.ratioMetric.total.metricSource.spec.sli', 'error']],
      message: /expected the same sli as good \("accuracy"\), got "availability"/,
    },
    {
      title: 'a target of 100 %',
      overrides: { objective: 'targetPercent: 100' },
      expected: [[1, 'spec.objectives[0].targetPercent', 'error']],
      message: /expected a percentage strictly between 0 and 100, such as 99.9, got 100/,
    },
    {
      title: 'an objective without target',
      overrides: { objective: 'displayName: x' },
      expected: [[1, 'spec.objectives[0].target', 'error']],
      message: /expected a fraction strictly between 0 and 1, such as 0.999, got nothing/,
    },
    {
      title: 'an unknown Vigil SLI',
      overrides: { goodSli: 'freshness' },
      expected: [[1, 'spec.indicator.spec.ratioMetric.good.metricSource.spec.sli', 'error']],
      message: /expected one of availability, latency, accuracy, cost, got "freshness"/,
    },
  ];
  for (const { title, overrides, expected, message } of invalid) {
    it(`skips an SLO with ${title}`, () => {
      const { slos, problems } = importOpenSlo(sloDocument('slo', overrides));

      assert.deepEqual(slos, []);
      assert.deepEqual(located(problems), expected);
      assert.match(problems[0]!.message, message);
    });
  }

  it('refuses a second SLO of the same name', () => {
    const { slos, problems } = importOpenSlo([sloDocument('twice'), sloDocument('twice')].join('---\n'));

    assert.equal(slos.length, 1);
    assert.deepEqual(located(problems), [[2, 'metadata.name', 'error']]);
  });
});
