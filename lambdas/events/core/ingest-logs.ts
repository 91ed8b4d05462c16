import { OTHER_DIMENSION_VALUE } from '../../ingest/core/otlp-series.js';
import { type Dimensions, type MetricRollup, RollupAccumulator } from '../../metrics/core/rollup.js';
import type { EventStore, RejectedRecord } from '../ports/event-store.js';
import { errorPattern } from './error-patterns.js';
import type { LogLevel, LogRecord } from './records.js';
import type { Redactor } from './redaction.js';

/** The metric error and critical logs are counted in, per service, level, pattern and model, per minute. */
export const ERROR_LOGS_METRIC = 'error_logs';

/** Levels whose logs get an error pattern and are counted in `error_logs`. */
export const PATTERN_LEVELS: ReadonlySet<LogLevel> = new Set<LogLevel>(['error', 'critical']);

/** The `service` dimension of logs that name no service. */
export const UNKNOWN_SERVICE = 'unknown';

/** Distinct patterns one call counts under their own fingerprint; later ones count as `__other__`. */
export const DEFAULT_MAX_PATTERNS_PER_CALL = 100;

/** What log ingest needs: where logs go and how they are redacted. */
export interface IngestLogsDependencies {
  readonly eventStore: Pick<EventStore, 'writeLogs'>;
  readonly redactor: Redactor;
  /**
   * Distinct error patterns counted under their own fingerprint in one call, so a flood of unique messages
   * cannot create thousands of metric series. @default DEFAULT_MAX_PATTERNS_PER_CALL
   */
  readonly maxPatternsPerCall?: number;
}

/** What log ingest did: what the store kept and refused, and the `error_logs` rollups for the metric writer. */
export interface LogsIngestion {
  readonly written: number;
  /** Records the store refused, by their index in the call's records. */
  readonly rejected: readonly RejectedRecord[];
  /**
   * Per-minute counts of error and critical logs (metric `error_logs`, dimensions service, level, pattern
   * and, when known, model), for alert rules; empty when there were none.
   */
  readonly errorPatternRollups: MetricRollup[];
}

/** A log with every string that may carry a secret redacted: message, attributes, service and model. */
export function redactLog(log: LogRecord, redactor: Redactor): LogRecord {
  return {
    ...log,
    message: redactor.redactText(log.message),
    ...(log.service === undefined ? {} : { service: redactor.redactText(log.service) }),
    ...(log.model === undefined ? {} : { model: redactor.redactText(log.model) }),
    attributes: redactor.redactAttributes(log.attributes),
  };
}

/**
 * Stores validated logs: redacts each one, gives error and critical logs their error pattern (taken from the
 * redacted message, so no template holds a secret), writes them to the event store and counts the error
 * patterns per minute. Every error log given is counted, also one the store refuses: the error happened.
 * A store that cannot be reached throws, and nothing is counted.
 */
export async function ingestLogs(
  records: readonly LogRecord[],
  dependencies: IngestLogsDependencies,
): Promise<LogsIngestion> {
  const { eventStore, redactor, maxPatternsPerCall = DEFAULT_MAX_PATTERNS_PER_CALL } = dependencies;
  const accumulator = new RollupAccumulator();
  const counted = new Set<string>();
  // One dimensions object per series, so the accumulator keys each once.
  const dimensionsByKey = new Map<string, Dimensions>();
  const logs = records.map((record) => {
    const redacted = redactLog(record, redactor);
    if (!PATTERN_LEVELS.has(redacted.level)) return redacted;
    const pattern = errorPattern(redacted.message);
    if (!counted.has(pattern.fingerprint) && counted.size < maxPatternsPerCall)
      counted.add(pattern.fingerprint);
    const patternDimension = counted.has(pattern.fingerprint) ? pattern.fingerprint : OTHER_DIMENSION_VALUE;
    const service = redacted.service ?? UNKNOWN_SERVICE;
    const key = JSON.stringify([service, redacted.level, patternDimension, redacted.model]);
    let dimensions = dimensionsByKey.get(key);
    if (!dimensions) {
      dimensions = {
        service,
        level: redacted.level,
        pattern: patternDimension,
        ...(redacted.model === undefined ? {} : { model: redacted.model }),
      };
      dimensionsByKey.set(key, dimensions);
    }
    accumulator.observe({ metric: ERROR_LOGS_METRIC, dimensions }, redacted.timestamp, 1);
    return { ...redacted, pattern };
  });
  const outcome = logs.length === 0 ? { written: 0, rejected: [] } : await eventStore.writeLogs(logs);
  return { written: outcome.written, rejected: outcome.rejected, errorPatternRollups: accumulator.rollups() };
}
