import { type PipelineConfig, parsePipelineConfig } from './pipeline-config.js';
import { type AlertRule, parseAlertRules } from './rule.js';

/** The alerting slice of the runtime config, as bundled: validated at synth, read again at cold start. */
export interface AlertingRuntimeConfig {
  readonly rules: readonly unknown[];
  readonly pipeline?: unknown;
  readonly models: readonly string[];
}

/** The alerting config a function runs with. */
export interface AlertingConfig {
  readonly rules: readonly AlertRule[];
  readonly pipeline: PipelineConfig;
  readonly knownModels: readonly string[];
}

/** Reads the bundled alerting config with the rules' and the pipeline's own schemas. */
export function readAlertingConfig(config: AlertingRuntimeConfig): AlertingConfig {
  return {
    rules: parseAlertRules(config.rules),
    pipeline: parsePipelineConfig(config.pipeline),
    knownModels: config.models,
  };
}
