import type { SpanRecord } from './records.js';

/** One span in a trace tree, with its children sorted by start time. */
export interface TraceNode {
  readonly span: SpanRecord;
  readonly children: readonly TraceNode[];
  /**
   * The span's duration minus the time covered by its children (their union, clipped to this span), so
   * overlapping or async children are not subtracted twice and the result is never below 0.
   */
  readonly selfTimeMs: number;
  /** Set on a span whose parent is not among the trace's spans (not received, dropped, or in a cycle). */
  readonly orphan?: true;
}

/** A trace's spans as a tree, with its extent and the services it crossed. */
export interface TraceTree {
  readonly traceId: string;
  /** Earliest span start and latest span end, epoch ms with sub-millisecond fractions. */
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly spanCount: number;
  /** Services that took part, sorted. */
  readonly services: readonly string[];
  /** Spans without a parent, then orphans, each sorted into place by start time. */
  readonly roots: readonly TraceNode[];
}

interface MutableNode {
  span: SpanRecord;
  children: MutableNode[];
  selfTimeMs: number;
  orphan?: true;
}

const byStart = (a: MutableNode, b: MutableNode) =>
  a.span.startTime - b.span.startTime || (a.span.spanId < b.span.spanId ? -1 : 1);

/** Time the children cover inside their parent: the length of the union of their clipped intervals. */
function coveredByChildren(node: MutableNode): number {
  const { startTime, endTime } = node.span;
  const intervals = node.children
    .map(({ span }) => [Math.max(span.startTime, startTime), Math.min(span.endTime, endTime)] as const)
    .filter(([start, end]) => end > start)
    .sort(([a], [b]) => a - b);
  let covered = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [start, end] of intervals) {
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return covered;
}

/** Follows parent links up from `node` (every one present) to the cycle they end in; its earliest span. */
function earliestInCycleAbove(node: MutableNode, nodes: ReadonlyMap<string, MutableNode>): MutableNode {
  const seen = new Set<MutableNode>();
  let current = node;
  while (!seen.has(current)) {
    seen.add(current);
    current = nodes.get(current.span.parentSpanId!)!;
  }
  const cycle = [current];
  for (let next = nodes.get(current.span.parentSpanId!)!; next !== current; ) {
    cycle.push(next);
    next = nodes.get(next.span.parentSpanId!)!;
  }
  return cycle.sort(byStart)[0]!;
}

/**
 * Builds the tree of one trace from its spans (any order; spans of other traces and repeats of a span id
 * are ignored). A span whose parent is missing becomes a root marked `orphan`; spans whose parent links
 * form a cycle are broken open at the earliest of them, which becomes an orphan root, so the walk always
 * ends. Returns undefined when there are no spans.
 */
export function buildTraceTree(traceId: string, spans: readonly SpanRecord[]): TraceTree | undefined {
  const nodes = new Map<string, MutableNode>();
  for (const span of spans) {
    if (span.traceId === traceId && !nodes.has(span.spanId)) {
      nodes.set(span.spanId, { span, children: [], selfTimeMs: 0 });
    }
  }
  if (nodes.size === 0) return undefined;

  const childrenOf = new Map<string, MutableNode[]>();
  const roots: MutableNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parentSpanId;
    if (parentId === undefined) {
      roots.push(node);
    } else if (parentId === node.span.spanId || !nodes.has(parentId)) {
      node.orphan = true;
      roots.push(node);
    } else {
      const siblings = childrenOf.get(parentId) ?? [];
      siblings.push(node);
      childrenOf.set(parentId, siblings);
    }
  }

  // Breadth first with a visited set, iteratively, so deep traces cannot overflow the stack.
  const visited = new Set<MutableNode>();
  const attach = (start: readonly MutableNode[]) => {
    const queue = [...start];
    for (const node of queue) visited.add(node);
    for (let i = 0; i < queue.length; i += 1) {
      const node = queue[i]!;
      for (const child of childrenOf.get(node.span.spanId) ?? []) {
        if (visited.has(child)) continue;
        visited.add(child);
        node.children.push(child);
        queue.push(child);
      }
    }
  };
  attach(roots);
  // What is left hangs off parent cycles: open each cycle at its earliest span.
  for (const node of nodes.values()) {
    if (visited.has(node)) continue;
    const opening = earliestInCycleAbove(node, nodes);
    opening.orphan = true;
    roots.push(opening);
    attach([opening]);
  }

  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  const services = new Set<string>();
  for (const node of nodes.values()) {
    node.children.sort(byStart);
    node.selfTimeMs = Math.max(0, node.span.durationMs - coveredByChildren(node));
    startTime = Math.min(startTime, node.span.startTime);
    endTime = Math.max(endTime, node.span.endTime);
    if (node.span.service !== undefined) services.add(node.span.service);
  }
  return {
    traceId,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    spanCount: nodes.size,
    services: [...services].sort(),
    roots: roots.sort(byStart),
  };
}
