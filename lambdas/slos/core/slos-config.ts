import { parseSlos, type Slo } from './slo.js';

/** The SLO slice of the runtime config, as bundled: validated at synth, read again at cold start. */
export interface SloRuntimeConfig {
  readonly definitions: readonly unknown[];
  readonly labelJoinWindowMs: number;
  readonly accuracyModels: readonly string[];
}

/** The SLO config a function runs with. */
export interface SloConfig {
  readonly slos: readonly Slo[];
  readonly labelJoinWindowMs: number;
  readonly accuracyModels: readonly string[];
}

/** Reads the bundled SLO config with the SLOs' own schema. */
export function readSloConfig(config: SloRuntimeConfig): SloConfig {
  return {
    slos: parseSlos(config.definitions),
    labelJoinWindowMs: config.labelJoinWindowMs,
    accuracyModels: config.accuracyModels,
  };
}
