import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseExportMetricsServiceRequest,
  readExponentialHistogramDataPoint,
  readHistogramDataPoint,
  readNumberDataPoint,
} from '../../../../lambdas/ingest/core/otlp-metrics-request.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const TIME = '1773151200000000000';

describe('parseExportMetricsServiceRequest', () => {
  it('accepts an empty export and ignores unknown fields, as OTLP/JSON receivers must', () => {
    assert.deepEqual(parseExportMetricsServiceRequest({}), {});
    const parsed = parseExportMetricsServiceRequest({
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [] }, metadata: [] }] }], future: 1 },
      ],
    });
    assert.deepEqual(parsed.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0], {
      name: 'm',
      gauge: { dataPoints: [] },
    });
  });

  const invalid = [
    {
      title: 'a body that is not an object',
      body: [],
      path: '(body)',
      expected: /expected an ExportMetricsServiceRequest JSON object/,
    },
    {
      title: 'resourceMetrics that is not a list',
      body: { resourceMetrics: {} },
      path: 'resourceMetrics',
      expected: /expected a list of resourceMetrics/,
    },
    {
      title: 'a metric name that is not a string',
      body: { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 5 }] }] }] },
      path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].name',
      expected: /expected the metric name as a string/,
    },
    {
      title: 'an aggregation temporality given by name (enums are integers in OTLP/JSON)',
      body: {
        resourceMetrics: [
          {
            scopeMetrics: [
              { metrics: [{ name: 'm', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA' } }] },
            ],
          },
        ],
      },
      path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality',
      expected: /expected an integer: 1 \(delta\) or 2 \(cumulative\)/,
    },
    {
      title: 'a resource attribute without a key',
      body: { resourceMetrics: [{ resource: { attributes: [{ value: { stringValue: 'x' } }] } }] },
      path: 'resourceMetrics[0].resource.attributes[0].key',
      expected: /expected the attribute key as a string/,
    },
  ];
  for (const { title, body, path, expected } of invalid) {
    it(`rejects ${title} with a ValidationError naming the path`, () => {
      assert.throws(
        () => parseExportMetricsServiceRequest(body),
        (error: unknown) => {
          assert.ok(error instanceof ValidationError);
          assert.match(error.message, /^invalid OTLP metrics request: /);
          assert.ok(error.message.includes(`${path}: `), error.message);
          assert.match(error.message, expected);
          return true;
        },
      );
    });
  }
});

describe('readNumberDataPoint', () => {
  it('reads asInt from a string and asDouble from a number, with times as bigints', () => {
    const fromInt = readNumberDataPoint({ startTimeUnixNano: '1', timeUnixNano: TIME, asInt: '42' });
    const fromDouble = readNumberDataPoint({ timeUnixNano: Number(TIME), asDouble: 0.5 });

    assert.deepEqual(fromInt, {
      point: { attributes: [], startTimeUnixNano: 1n, timeUnixNano: BigInt(TIME), value: 42 },
    });
    assert.ok(
      'point' in fromDouble && fromDouble.point.value === 0.5 && fromDouble.point.startTimeUnixNano === 0n,
    );
  });

  it('accepts a point flagged as having no recorded value, without a value', () => {
    const reading = readNumberDataPoint({ timeUnixNano: TIME, flags: 1 });

    assert.ok('point' in reading);
    assert.equal(reading.point.value, undefined);
  });

  const problems = [
    [{ timeUnixNano: TIME }, /neither asDouble nor asInt/],
    [{ asInt: 1 }, /timeUnixNano is missing/],
    [{ timeUnixNano: TIME, asDouble: 'Infinity' }, /value is not a finite number/],
    [{ timeUnixNano: 'yesterday', asInt: 1 }, /malformed/],
    ['not a point', /malformed/],
  ] as const;
  for (const [raw, expected] of problems) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      const reading = readNumberDataPoint(raw);

      assert.ok('problem' in reading);
      assert.match(reading.problem.reason, expected);
    });
  }

  it('says where a malformed point is wrong', () => {
    const reading = readNumberDataPoint({
      timeUnixNano: TIME,
      asInt: 1,
      attributes: [{ key: 'a', value: { intValue: 'x' } }],
    });

    assert.ok('problem' in reading);
    assert.match(reading.problem.detail ?? '', /^attributes\[0\]\.value\.intValue: /);
  });
});

describe('readHistogramDataPoint', () => {
  const valid = {
    timeUnixNano: TIME,
    count: '6',
    sum: 30,
    explicitBounds: [1, 5],
    bucketCounts: ['1', '2', '3'],
    min: 0.5,
    max: 9,
  };

  it('drops bounds that come without bucket counts', () => {
    const reading = readHistogramDataPoint({ ...valid, bucketCounts: [] });

    assert.ok('point' in reading);
    assert.deepEqual(reading.point.value?.explicitBounds, []);
  });

  it('reads counts given as strings', () => {
    const reading = readHistogramDataPoint(valid);

    assert.ok('point' in reading);
    assert.deepEqual(reading.point.value, {
      kind: 'histogram',
      count: 6,
      sum: 30,
      min: 0.5,
      max: 9,
      explicitBounds: [1, 5],
      bucketCounts: [1, 2, 3],
    });
  });

  const problems = [
    [{ bucketCounts: ['1', '5'], count: 6 }, /one more entry than explicitBounds/],
    [{ bucketCounts: ['1', '2', '2'] }, /count must equal the sum of bucketCounts/],
    [{ explicitBounds: [5, 1] }, /finite and increasing/],
    [{ min: 10, max: 9 }, /min is greater than max/],
    [{ bucketCounts: [], explicitBounds: [], sum: undefined }, /without bucket bounds needs a sum/],
    [{ bucketCounts: ['6'], explicitBounds: [], sum: undefined }, /without bucket bounds needs a sum/],
  ] as const;
  for (const [change, expected] of problems) {
    it(`rejects a histogram with ${JSON.stringify(change)}`, () => {
      const reading = readHistogramDataPoint({ ...valid, ...change });

      assert.ok('problem' in reading);
      assert.match(reading.problem.reason, expected);
    });
  }
});

describe('readExponentialHistogramDataPoint', () => {
  const valid = {
    timeUnixNano: TIME,
    count: 5,
    sum: 12,
    scale: 2,
    zeroCount: 1,
    positive: { offset: -1, bucketCounts: [1, 2] },
    negative: { bucketCounts: ['1'] },
  };

  it('reads buckets with offsets defaulting to 0', () => {
    const reading = readExponentialHistogramDataPoint(valid);

    assert.ok('point' in reading);
    assert.deepEqual(reading.point.value, {
      kind: 'exponentialHistogram',
      count: 5,
      sum: 12,
      scale: 2,
      zeroCount: 1,
      positive: { offset: -1, bucketCounts: [1, 2] },
      negative: { offset: 0, bucketCounts: [1] },
    });
  });

  it('rejects a scale outside the data model range and counts that do not add up', () => {
    const badScale = readExponentialHistogramDataPoint({ ...valid, scale: 21 });
    const badCount = readExponentialHistogramDataPoint({ ...valid, count: 4 });

    assert.ok('problem' in badScale && /scale must be from -10 to 20/.test(badScale.problem.reason));
    assert.ok('problem' in badCount && /count must equal zeroCount plus/.test(badCount.problem.reason));
  });
});
