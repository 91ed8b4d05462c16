import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalAttributes, type KeyValue } from '../../../../lambdas/ingest/core/otlp-json.js';
import {
  DimensionValueCap,
  dimensionsOf,
  modelOf,
  OTHER_DIMENSION_VALUE,
  type StreamScope,
  streamIdOf,
} from '../../../../lambdas/ingest/core/otlp-series.js';

const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

describe('modelOf', () => {
  const cases = [
    {
      title: "the point's model attribute first",
      point: [text('model', 'p')],
      resource: [text('vigil.model', 'v'), text('service.name', 's')],
      expected: 'p',
    },
    {
      title: "then the resource's vigil.model",
      point: [],
      resource: [text('vigil.model', 'v'), text('service.name', 's')],
      expected: 'v',
    },
    {
      title: "then the resource's service.name",
      point: [],
      resource: [text('service.name', 's')],
      expected: 's',
    },
    {
      title: 'skipping an empty model attribute',
      point: [text('model', '')],
      resource: [text('service.name', 's')],
      expected: 's',
    },
    {
      title: 'a non-string model as text',
      point: [{ key: 'model', value: { intValue: '7' } }],
      resource: [],
      expected: '7',
    },
    { title: 'nothing when none is set', point: [text('other', 'x')], resource: [], expected: undefined },
  ];
  for (const { title, point, resource, expected } of cases) {
    it(`takes ${title}`, () => {
      assert.equal(modelOf(point, resource), expected);
    });
  }
});

describe('dimensionsOf', () => {
  it('turns point attributes into text dimensions beside model, cutting values at 256 characters', () => {
    const result = dimensionsOf(
      [
        text('model', 'ignored-here'),
        text('route', '/x'),
        { key: 'status', value: { intValue: 200 } },
        text('long', 'a'.repeat(300)),
      ],
      'm1',
    );

    assert.deepEqual(result, {
      dimensions: { route: '/x', status: '200', long: 'a'.repeat(256), model: 'm1' },
    });
  });

  it('rejects more than 20 attributes and keys that are empty or longer than 256 characters', () => {
    const many = Array.from({ length: 21 }, (_, i) => text(`k${i}`, 'v'));

    for (const attributes of [many, [text('', 'v')], [text('k'.repeat(257), 'v')]]) {
      const result = dimensionsOf(attributes, 'm');
      assert.ok('problem' in result, JSON.stringify(result).slice(0, 80));
    }
    assert.ok('dimensions' in dimensionsOf(many.slice(0, 20), 'm'), '20 attributes are allowed');
  });
});

describe('DimensionValueCap', () => {
  it('keeps the first values of a dimension per metric and records later ones as __other__', () => {
    const cap = new DimensionValueCap(2);

    const seen = ['a', 'b', 'a', 'c', 'd'].map((user) => cap.apply('requests', { model: 'm', user }).user);
    const otherMetric = cap.apply('errors', { model: 'm', user: 'c' }).user;

    assert.deepEqual(seen, ['a', 'b', 'a', OTHER_DIMENSION_VALUE, OTHER_DIMENSION_VALUE]);
    assert.equal(otherMetric, 'c', 'the cap is per metric');
    assert.deepEqual(cap.notes(), [
      'metric "requests": dimension "user" had more than 2 distinct values in this request; 2 data points were recorded with user="__other__"',
    ]);
  });
});

describe('streamIdOf', () => {
  const scope: StreamScope = {
    resource: canonicalAttributes([text('service.name', 'svc')]),
    scopeName: 'meter',
    scopeVersion: '1.0.0',
    metricName: 'requests',
    unit: '1',
    kind: 'sum',
  };

  it('is the same for the same stream however its attributes are ordered or encoded', () => {
    const a = streamIdOf(scope, [text('route', '/a'), { key: 'code', value: { intValue: '200' } }]);
    const b = streamIdOf(scope, [{ key: 'code', value: { intValue: 200 } }, text('route', '/a')]);

    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  it('differs when any identifying part differs', () => {
    const base = streamIdOf(scope, [text('route', '/a')]);
    const variants = [
      streamIdOf({ ...scope, resource: canonicalAttributes([text('service.name', 'other')]) }, [
        text('route', '/a'),
      ]),
      streamIdOf({ ...scope, scopeName: 'other' }, [text('route', '/a')]),
      streamIdOf({ ...scope, scopeVersion: '2' }, [text('route', '/a')]),
      streamIdOf({ ...scope, metricName: 'other' }, [text('route', '/a')]),
      streamIdOf({ ...scope, kind: 'histogram' }, [text('route', '/a')]),
      streamIdOf(scope, [text('route', '/b')]),
    ];

    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });
});
