import { parseChannels } from '../../notifications/core/channels.js';
import { type EscalationConfig, parseEscalationConfig } from './policy.js';

/** The parts of the runtime config escalation reads (validated at synth, read again at cold start). */
export interface EscalationRuntimeConfig {
  /** The policies and the severity mapping as JSON; the defaults when absent. */
  readonly escalation?: unknown;
  /** The channels as JSON, whose names tiers may target. */
  readonly channels?: unknown;
}

/** Reads the escalation policies from the runtime config, checking their targets against the channels. */
export function readEscalationConfig(config: EscalationRuntimeConfig): EscalationConfig {
  const channels = config.channels === undefined ? [] : parseChannels(config.channels, 'the runtime config');
  return parseEscalationConfig(config.escalation, {
    channels: channels.map((channel) => channel.name),
    source: 'the runtime config',
  });
}
