import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ValidationError } from '../../shared/validation-error.js';
import { DEFAULT_FATIGUE, type FatigueOptions, fatigueOptionsSchema } from './fatigue.js';
import {
  configDurationSchema,
  DEFAULT_GROUPING,
  type GroupingOptions,
  groupingOptionsSchema,
} from './grouping.js';
import { type CorrelationOptions, correlationOptionsSchema, DEFAULT_CORRELATION } from './incident.js';
import { DEFAULT_INHIBIT_RULES, type InhibitRule, inhibitRuleSchema } from './inhibition.js';

/** How the alert pipeline treats alerts, one per environment. */
export interface PipelineConfig {
  readonly grouping: GroupingOptions;
  readonly inhibitRules: readonly InhibitRule[];
  readonly fatigue: FatigueOptions;
  readonly correlation: CorrelationOptions;
  /** How long a resolved alert stays listed by `GET /api/v1/alerts`, ms. */
  readonly resolvedAlertRetentionMs: number;
}

/** Five days of resolved alerts, as Alertmanager keeps them (`--data.retention=120h`). */
const DEFAULT_RESOLVED_ALERT_RETENTION_MS = 5 * 86_400_000;

/** The pipeline's defaults: Alertmanager's timers, the issue's inhibition rule, 10 notifications an hour. */
export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  grouping: DEFAULT_GROUPING,
  inhibitRules: DEFAULT_INHIBIT_RULES,
  fatigue: DEFAULT_FATIGUE,
  correlation: DEFAULT_CORRELATION,
  resolvedAlertRetentionMs: DEFAULT_RESOLVED_ALERT_RETENTION_MS,
};

/**
 * The pipeline config as JSON (the environment config and the Lambdas' bundled runtime config); every
 * field is optional and defaults to `DEFAULT_PIPELINE_CONFIG`. Durations are ms or text like `5m`.
 */
export const pipelineConfigSchema = z.object({
  grouping: groupingOptionsSchema.prefault({}),
  inhibitRules: z.array(inhibitRuleSchema).default(() =>
    DEFAULT_INHIBIT_RULES.map((rule) => ({
      sourceMatchers: [...rule.sourceMatchers],
      targetMatchers: [...rule.targetMatchers],
      equal: [...rule.equal],
    })),
  ),
  fatigue: fatigueOptionsSchema.prefault({}),
  correlation: correlationOptionsSchema.prefault({}),
  resolvedAlertRetentionMs: configDurationSchema.default(DEFAULT_RESOLVED_ALERT_RETENTION_MS),
});

/** Reads a pipeline config, failing with every problem listed by its path. */
export function parsePipelineConfig(value: unknown): PipelineConfig {
  const parsed = pipelineConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      `invalid alert pipeline config: ${describeIssues(parsed.error.issues, '(config)').join('; ')}`,
    );
  }
  return parsed.data;
}
