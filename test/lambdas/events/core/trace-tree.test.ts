import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanRecord } from '../../../../lambdas/events/core/records.js';
import { buildTraceTree, type TraceNode } from '../../../../lambdas/events/core/trace-tree.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);

/** A span of the test trace, `start` and `end` in ms after T0; the id is the name padded to 16 characters. */
function span(
  name: string,
  parent: string | undefined,
  start: number,
  end: number,
  service = 'api',
): SpanRecord {
  return {
    traceId: TRACE_ID,
    spanId: idOf(name),
    ...(parent === undefined ? {} : { parentSpanId: idOf(parent) }),
    name,
    kind: 'internal',
    startTime: T0 + start,
    endTime: T0 + end,
    durationMs: end - start,
    status: 'unset',
    service,
    attributes: {},
    events: [],
  };
}

function idOf(name: string): string {
  return Buffer.from(name).toString('hex').padEnd(16, '0').slice(0, 16);
}

/** The tree as nested `[name, selfTimeMs, orphan?, children]`, for comparing whole shapes. */
type Shape = [string, number, ...unknown[]];
function shape(node: TraceNode): Shape {
  const children = node.children.map(shape);
  return node.orphan
    ? [node.span.name, node.selfTimeMs, 'orphan', children]
    : [node.span.name, node.selfTimeMs, children];
}

describe('buildTraceTree', () => {
  it('nests spans under their parents, sorted by start, with extent, count and services', () => {
    const spans = [
      span('db', 'lookup', 15, 35, 'feature-store'),
      span('score', 'root', 30, 90),
      span('root', undefined, 0, 100),
      span('lookup', 'root', 10, 40, 'feature-store'),
    ];

    const tree = buildTraceTree(TRACE_ID, spans);

    assert.ok(tree);
    assert.equal(tree.startTime, T0);
    assert.equal(tree.endTime, T0 + 100);
    assert.equal(tree.durationMs, 100);
    assert.equal(tree.spanCount, 4);
    assert.deepEqual(tree.services, ['api', 'feature-store']);
    // Self times by hand: root 100 - |[10,40] ∪ [30,90]| = 100 - 80; lookup 30 - 20; db 20; score 60.
    assert.deepEqual(tree.roots.map(shape), [
      [
        'root',
        20,
        [
          ['lookup', 10, [['db', 20, []]]],
          ['score', 60, []],
        ],
      ],
    ]);
  });

  const selfTimes: ReadonlyArray<readonly [string, SpanRecord[], number]> = [
    ['no children', [span('p', undefined, 0, 50)], 50],
    ['sequential children', [span('p', undefined, 0, 50), span('a', 'p', 0, 10), span('b', 'p', 20, 30)], 30],
    [
      'nested overlap counted once',
      [span('p', undefined, 0, 50), span('a', 'p', 5, 40), span('b', 'p', 10, 20)],
      15,
    ],
    ['children outliving the parent, clipped', [span('p', undefined, 0, 50), span('a', 'p', 40, 80)], 40],
    [
      'children covering all of it',
      [span('p', undefined, 0, 50), span('a', 'p', 0, 30), span('b', 'p', 25, 60)],
      0,
    ],
    [
      'a child starting before its parent (clock skew)',
      [span('p', undefined, 10, 50), span('a', 'p', 0, 20)],
      30,
    ],
  ];
  for (const [what, spans, selfTimeMs] of selfTimes) {
    it(`computes self time with ${what}`, () => {
      const tree = buildTraceTree(TRACE_ID, spans);

      assert.equal(tree?.roots.find((root) => root.span.name === 'p')?.selfTimeMs, selfTimeMs);
    });
  }

  it('makes a span whose parent is missing an orphan root, in start order with the true roots', () => {
    const spans = [
      span('late', 'gone', 50, 60),
      span('root', undefined, 0, 100),
      span('early', 'gone', -5, 1),
    ];

    const tree = buildTraceTree(TRACE_ID, spans);

    assert.deepEqual(tree?.roots.map(shape), [
      ['early', 6, 'orphan', []],
      ['root', 100, []],
      ['late', 10, 'orphan', []],
    ]);
  });

  it('breaks a parent cycle open at its earliest span, keeping every span exactly once', () => {
    // a -> b -> c -> a, and d under b: no span is a root. Self times by hand: a 25 - 10 (b); b 10 - |[11,13]
    // ∪ [12,18]| = 10 - 7; c and d have no children (c's child a is where the cycle was opened).
    const spans = [
      span('b', 'a', 10, 20),
      span('c', 'b', 12, 18),
      span('a', 'c', 5, 30),
      span('d', 'b', 11, 13),
    ];

    const tree = buildTraceTree(TRACE_ID, spans);

    assert.equal(tree?.spanCount, 4);
    assert.deepEqual(tree?.roots.map(shape), [
      [
        'a',
        15,
        'orphan',
        [
          [
            'b',
            3,
            [
              ['d', 2, []],
              ['c', 6, []],
            ],
          ],
        ],
      ],
    ]);
  });

  it('treats a span that is its own parent as an orphan', () => {
    const tree = buildTraceTree(TRACE_ID, [span('self', 'self', 0, 5)]);

    assert.deepEqual(tree?.roots.map(shape), [['self', 5, 'orphan', []]]);
  });

  it('ignores repeats of a span id and spans of other traces', () => {
    const root = span('root', undefined, 0, 10);
    const other = { ...span('other', undefined, 0, 10), traceId: 'ffffffffffffffffffffffffffffffff' };

    const tree = buildTraceTree(TRACE_ID, [root, { ...root, name: 'repeat' }, other]);

    assert.equal(tree?.spanCount, 1);
    assert.deepEqual(tree?.roots.map(shape), [['root', 10, []]]);
  });

  it('returns nothing for a trace without spans', () => {
    assert.equal(buildTraceTree(TRACE_ID, []), undefined);
  });

  it('builds a chain 50,000 spans deep without overflowing the stack', () => {
    const depth = 50_000;
    const spans = Array.from({ length: depth }, (_, i) => ({
      ...span('x', undefined, i, 2 * depth - i),
      spanId: i.toString(16).padStart(16, '0').replace(/^0/, '1'),
      ...(i === 0 ? {} : { parentSpanId: (i - 1).toString(16).padStart(16, '0').replace(/^0/, '1') }),
    }));

    const tree = buildTraceTree(TRACE_ID, spans.reverse());

    assert.equal(tree?.spanCount, depth);
    let node = tree?.roots[0];
    let levels = 0;
    while (node) {
      levels += 1;
      // Each span's only child starts 1 ms later and ends 1 ms earlier.
      if (node.children.length > 0) assert.equal(node.selfTimeMs, 2);
      node = node.children[0];
    }
    assert.equal(levels, depth);
  });
});
