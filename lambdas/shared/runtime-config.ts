import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** File name of the runtime config that synth writes beside each Lambda bundle. */
export const RUNTIME_CONFIG_FILE = 'vigil-config.json';

/** The slice of an environment's config that the Lambdas and the local platform run with. */
export const runtimeConfigSchema = z.object({
  /** Environment name (`dev`, `staging`, `prod`, or `local`). */
  environment: z.string().min(1),
  /** Where metric rollups go: Timestream (default) or CloudWatch, for accounts without Timestream. */
  metricStore: z.enum(['timestream', 'cloudwatch']),
  /** How far back an item's timestamp may lie, in ms: the metric store's retention edge for writes. */
  maxTimestampAgeMs: z.number().int().positive(),
  /** CloudWatch namespace of the EMF aggregates the dashboards read. */
  metricNamespace: z.string().min(1),
  /** At most this many distinct values per dimension name and metric, per OTLP request's target series. */
  maxDimensionValuesPerMetric: z.number().int().positive().default(100),
  /** Share of raw prediction events kept in the event store (0 keeps none, 1 keeps all). */
  rawEventSampleRate: z.number().min(0).max(1).default(0.1),
  /**
   * Extra redaction patterns (JavaScript regular expressions, without slashes) applied to every string of
   * every log, span and raw event before it is stored, besides the built-in ones.
   */
  redactionPatterns: z.array(z.string()).default([]),
  /** The event store behind the ingest and search functions. */
  eventStore: z.enum(['opensearch', 'opensearch-serverless']).default('opensearch'),
  /**
   * The alerting slice, validated at synth. Kept opaque here so shared code does not depend on the alerts
   * context, which reads it again with its own schemas at cold start (`readAlertingConfig`).
   */
  alerting: z
    .object({
      /** Every alert rule, default and custom, as alert rule JSON. */
      rules: z.array(z.unknown()).default([]),
      /** The alert pipeline config as JSON (durations in ms); its defaults when absent. */
      pipeline: z.unknown().optional(),
      /** The models the environment lists. */
      models: z.array(z.string()).default([]),
    })
    .prefault({}),
  /** The SLO slice, validated at synth and read again by the SLO context (`readSloConfig`). */
  slos: z
    .object({
      /** Every SLO, as SLO JSON. */
      definitions: z.array(z.unknown()).default([]),
      /** How long a prediction with an id waits for its label, ms. */
      labelJoinWindowMs: z
        .number()
        .int()
        .positive()
        .default(7 * 86_400_000),
      /** Models with an accuracy target (besides those of accuracy SLOs), whose predictions wait for labels. */
      accuracyModels: z.array(z.string()).default([]),
    })
    .prefault({}),
  /**
   * The notification channels as channel JSON, validated at synth and read again by the notifications
   * context (`parseChannels`); secrets are referenced by Secrets Manager ARN, never inlined in AWS.
   */
  channels: z.array(z.unknown()).default([]),
  /**
   * The escalation policies and severity mapping as JSON (durations in ms), validated at synth and read
   * again by the escalation context (`readEscalationConfig`); its defaults when absent.
   */
  escalation: z.record(z.string(), z.unknown()).optional(),
});

/** The runtime config, parsed. */
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

/** Parses a runtime config, failing with every problem listed by its path. */
export function parseRuntimeConfig(value: unknown, source: string): RuntimeConfig {
  const parsed = runtimeConfigSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid runtime config in ${source}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

let bundled: RuntimeConfig | undefined;

/** Loads the runtime config bundled beside the Lambda's code, once per cold start. */
export function loadBundledRuntimeConfig(): RuntimeConfig {
  if (!bundled) {
    const url = new URL(`./${RUNTIME_CONFIG_FILE}`, import.meta.url);
    bundled = parseRuntimeConfig(JSON.parse(readFileSync(url, 'utf8')), url.pathname);
  }
  return bundled;
}
