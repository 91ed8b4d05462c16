import { ROLLUP_PERIOD_MS } from '../../metrics/core/rollup.js';
import { type MetricQuery, STATS, type Stat } from '../../metrics/ports/metric-store.js';
import { parseDuration, parseTime } from '../../shared/time.js';
import { ValidationError } from '../../shared/validation-error.js';

/** Most points one series may have in an answer: keeps a mistyped step from asking for millions. */
export const MAX_POINTS_PER_SERIES = 11_000;

const RESERVED = new Set(['metric', 'model', 'stat', 'from', 'to', 'step', 'by']);
const DIMENSION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/**
 * Reads `GET /api/v1/query` parameters: `metric`, `model?`, `stat`, `from`, `to`, `step?`, `by?`
 * (comma-separated dimensions to split series by, default `model`) and any other parameter as an exact
 * dimension filter (`modelVersion=v2`, `errorType=timeout`).
 */
export function parseMetricQuery(
  params: Readonly<Record<string, string | undefined>>,
  now: number,
): MetricQuery {
  const metric = params.metric?.trim();
  if (!metric) throw new ValidationError('query parameter "metric" is required, e.g. metric=latency_ms');
  const stat = (params.stat ?? 'avg') as Stat;
  if (!STATS.includes(stat))
    throw new ValidationError(`stat must be one of ${STATS.join(', ')}, got "${params.stat}"`);
  const from = parseTime(params.from ?? '-1h', now, 'from');
  const to = parseTime(params.to ?? 'now', now, 'to');
  if (from >= to) {
    throw new ValidationError(
      `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  }
  const stepMs = params.step === undefined ? undefined : parseDuration(params.step, 'step');
  if (stepMs !== undefined) {
    if (stepMs < ROLLUP_PERIOD_MS || stepMs % ROLLUP_PERIOD_MS !== 0) {
      throw new ValidationError(`step must be a whole number of minutes (60s, 5m, 1h), got "${params.step}"`);
    }
    if ((to - from) / stepMs > MAX_POINTS_PER_SERIES) {
      throw new ValidationError(
        `from..to with step ${params.step} gives more than ${MAX_POINTS_PER_SERIES} points; use a larger step`,
      );
    }
  }
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (RESERVED.has(name) || value === undefined) continue;
    if (!DIMENSION_NAME.test(name))
      throw new ValidationError(`"${name}" is not a dimension name or query parameter`);
    filters[name] = value;
  }
  if (params.model) filters.model = params.model;
  const groupBy = (params.by ?? 'model')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of groupBy) {
    if (!DIMENSION_NAME.test(name)) throw new ValidationError(`by: "${name}" is not a dimension name`);
  }
  // Align ranges to whole minutes so a step's buckets line up with the stored rollups.
  const alignedFrom = Math.floor(from / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;
  const alignedTo = Math.ceil(to / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;
  return {
    metric,
    filters,
    groupBy,
    stat,
    from: alignedFrom,
    to: alignedTo,
    ...(stepMs === undefined ? {} : { stepMs }),
  };
}
