import type { z } from 'zod';
import type { RollupAccumulator } from '../../metrics/core/rollup.js';
import type { MetricWriter } from '../../metrics/ports/metric-store.js';
import {
  type ItemError,
  type ItemValidation,
  type TimestampWindow,
  validateItems,
} from './item-validation.js';

/** At most this many item errors are listed in a response; the count of rejected items stays exact. */
export const MAX_LISTED_ERRORS = 1000;

/** What native ingest needs: where rollups go, and the time. */
export interface IngestDependencies {
  /** The metric store (wrapped so a store outage spills to the retry queue). */
  readonly metricWriter: MetricWriter;
  /** Low-cardinality aggregates for dashboards (CloudWatch EMF); absent locally. */
  readonly dashboardWriter?: MetricWriter;
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** How far back an item's timestamp may lie, ms. */
  readonly maxTimestampAgeMs: number;
}

/** A rollup the store refused, reported so the caller knows those figures are missing. */
export interface StoreError {
  readonly metric: string;
  readonly minute: string;
  readonly reason: string;
}

/** The answer of native ingest (DESIGN.md): counts, per-item errors, and any rollups the store refused. */
export interface IngestOutcome {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: readonly ItemError[];
  readonly errorsTruncated?: boolean;
  readonly storeErrors?: readonly StoreError[];
  /** Why the items' other record (raw events) could not be kept, when it could not. */
  readonly eventStoreError?: string;
}

/** How one kind of native item is read and rolled up. */
export interface ItemKind<S extends z.ZodType> {
  /** The body's array field (`predictions`, `metrics`). */
  readonly field: string;
  readonly schema: (window: TimestampWindow) => S;
  readonly rollUp: (items: Iterable<z.output<S>>) => RollupAccumulator;
  /**
   * Something else done with the accepted items beside rolling them up (raw prediction events). It runs
   * beside the metric write; its failure is reported in the answer, not fatal, since the metrics are stored.
   */
  readonly alsoRecord?: (items: readonly z.output<S>[]) => Promise<void>;
  /** An item's identity (a prediction's `id`): a repeat within one request is reported and counted once. */
  readonly identity?: (item: z.output<S>) => string | undefined;
}

/** Moves items whose identity repeats an earlier item's into the errors. */
function withoutRepeats<T>(
  validation: ItemValidation<T>,
  identity: ((item: T) => string | undefined) | undefined,
): ItemValidation<T> {
  if (!identity) return validation;
  const firstIndexById = new Map<string, number>();
  const accepted: Array<{ index: number; item: T }> = [];
  const errors = [...validation.errors];
  for (const entry of validation.accepted) {
    const id = identity(entry.item);
    const first = id === undefined ? undefined : firstIndexById.get(id);
    if (first !== undefined) {
      errors.push({
        index: entry.index,
        field: 'id',
        message: `repeats the id of item ${first}; it is counted once`,
      });
      continue;
    }
    if (id !== undefined) firstIndexById.set(id, entry.index);
    accepted.push(entry);
  }
  return { accepted, errors: errors.sort((a, b) => a.index - b.index) };
}

/**
 * Validates a native ingest body item by item, rolls the valid items up per series and minute, and writes
 * the rollups to the metric store and the dashboard aggregates. Invalid items are reported, never allowed
 * to cost the valid ones.
 */
export async function ingestItems<S extends z.ZodType>(
  body: unknown,
  kind: ItemKind<S>,
  dependencies: IngestDependencies,
): Promise<IngestOutcome> {
  const window = { now: dependencies.now(), maxAgeMs: dependencies.maxTimestampAgeMs };
  const { accepted, errors } = withoutRepeats(
    validateItems(body, kind.field, kind.schema(window)),
    kind.identity,
  );
  const rejected = new Set(errors.map((error) => error.index)).size;
  let storeErrors: StoreError[] = [];
  let eventStoreError: string | undefined;
  if (accepted.length > 0) {
    const items = accepted.map(({ item }) => item);
    const rollups = kind.rollUp(items).rollups();
    const [stored] = await Promise.all([
      dependencies.metricWriter.write(rollups),
      dependencies.dashboardWriter?.write(rollups),
      kind.alsoRecord?.(items).catch((error: unknown) => {
        eventStoreError = error instanceof Error ? error.message : String(error);
      }),
    ]);
    storeErrors = stored.rejected.map(({ rollup, reason }) => ({
      metric: rollup.metric,
      minute: new Date(rollup.minute).toISOString(),
      reason,
    }));
  }
  return {
    accepted: accepted.length,
    rejected,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
    ...(errors.length > MAX_LISTED_ERRORS ? { errorsTruncated: true } : {}),
    ...(storeErrors.length > 0 ? { storeErrors } : {}),
    ...(eventStoreError === undefined ? {} : { eventStoreError }),
  };
}
