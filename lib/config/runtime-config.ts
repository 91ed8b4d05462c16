import { rulesForModels } from '../../lambdas/alerts/core/default-rules.js';
import { type AlertRule, parseAlertRules } from '../../lambdas/alerts/core/rule.js';
import { type RuntimeConfig, runtimeConfigSchema } from '../../lambdas/shared/runtime-config.js';
import { parseSlos } from '../../lambdas/slos/core/slo.js';
import { type EnvironmentConfig, modelAlertProfile } from './schema.js';

const MS_PER_DAY = 86_400_000;

/** CloudWatch accepts data points up to two weeks old (PutMetricData); older ones are rejected. */
export const CLOUDWATCH_MAX_TIMESTAMP_AGE_DAYS = 14;

/** The CloudWatch namespace of an environment's EMF metrics, which dashboards and alarms read. */
export function metricNamespace(environment: Pick<EnvironmentConfig, 'name'>): string {
  return `Vigil/${environment.name}`;
}

/**
 * Derives the slice of an environment's config that every Lambda (and the local platform) runs with.
 * The oldest timestamp a write may carry is the store's retention edge: with Timestream, whose
 * magnetic-store writes are enabled, that is the magnetic-store retention; CloudWatch takes two weeks.
 */
export function toRuntimeConfig(environment: EnvironmentConfig): RuntimeConfig {
  const maxTimestampAgeDays =
    environment.metricStore === 'timestream'
      ? environment.retention.magneticStoreDays
      : CLOUDWATCH_MAX_TIMESTAMP_AGE_DAYS;
  return runtimeConfigSchema.parse({
    environment: environment.name,
    metricStore: environment.metricStore,
    maxTimestampAgeMs: maxTimestampAgeDays * MS_PER_DAY,
    metricNamespace: metricNamespace(environment),
    rawEventSampleRate: environment.eventStore.rawEventSampleRate,
    redactionPatterns: environment.eventStore.redactionPatterns,
    eventStore: environment.eventStore.opensearchServerless ? 'opensearch-serverless' : 'opensearch',
    alerting: asJson({
      rules: alertRules(environment),
      pipeline: environment.alerting.pipeline,
      models: environment.models.map((model) => model.name),
    }),
    slos: asJson({
      definitions: parseSlos(environment.slos.definitions),
      labelJoinWindowMs: environment.slos.labelJoinWindowDays * MS_PER_DAY,
      accuracyModels: environment.models.flatMap((model) =>
        model.accuracyTarget === undefined ? [] : [model.name],
      ),
    }),
    channels: asJson(environment.channels),
    escalation: asJson({
      policies: environment.escalation.policies,
      severityPolicies: environment.escalation.severityPolicies,
    }),
  });
}

/**
 * The rules an environment's alert-rules job evaluates: each listed model's default rules with its
 * overrides (unless `defaultRules` is off), then the custom rules.
 */
export function alertRules(environment: Pick<EnvironmentConfig, 'models' | 'alerting'>): AlertRule[] {
  const defaults = environment.alerting.defaultRules
    ? rulesForModels(
        environment.models.map(modelAlertProfile),
        Object.fromEntries(
          environment.models.flatMap((model) =>
            model.alertOverrides ? [[model.name, model.alertOverrides]] : [],
          ),
        ),
      )
    : [];
  // Validated by the environment's schema already; parsed again as a whole so synth fails on anything the
  // Lambdas would refuse at cold start.
  return parseAlertRules([...defaults, ...environment.alerting.rules]);
}

/** A value as the bundled JSON file holds it (no undefined fields), so the Lambdas read back the same. */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
