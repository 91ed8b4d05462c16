import { z } from 'zod';

/** Retention periods CloudWatch Logs accepts, in days (the values of `RetentionDays`, without "never"). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** How long Vigil keeps what it stores, per store. */
export const retentionSchema = z.object({
  /** Hours a Timestream record stays in the memory store (fast, costly); Timestream allows 1 to 8766. */
  memoryStoreHours: z.int().min(1).max(8766),
  /** Days a Timestream record stays in the magnetic store (cheap, slower); Timestream allows 1 to 73000. */
  magneticStoreDays: z.int().min(1).max(73_000),
  /** Days the Lambda and API access logs are kept; one of the periods CloudWatch Logs accepts. */
  logRetentionDays: z.int().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: (issue) => `got ${String(issue.input)} days, expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
  }),
});

/** A model Vigil expects to monitor; models not listed are still accepted at ingest. */
export const modelSchema = z.object({
  /** The model's name as clients send it in `model`. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
    error: 'expected 1 to 128 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  }),
  /** What the model does, for people reading the config and dashboards. */
  description: z.string().max(256).optional(),
});

/** Sizing of the Lambda functions. */
export const lambdaSchema = z.object({
  /** Memory of each function in MB; CPU grows with it. Lambda allows 128 to 10240. */
  memorySizeMb: z.int().min(128).max(10_240),
});

/** Stage-wide request throttling of the ingest API. */
export const apiThrottlingSchema = z.object({
  /** Steady-state requests per second across all routes. */
  rateLimit: z.number().positive(),
  /** Requests the API absorbs in a burst above the steady rate. */
  burstLimit: z.int().positive(),
});

/** One deployable (or the local) environment of Vigil, as written in `environments.ts`. */
export const environmentConfigSchema = z
  .object({
    /** Environment name; part of stack names and of the metric namespace `Vigil/<name>`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, {
      error: 'expected 1 to 16 lowercase letters, digits or dashes, starting with a letter',
    }),
    /** AWS account to deploy to; falls back to `CDK_DEFAULT_ACCOUNT` (the CLI's credentials). */
    account: z
      .string()
      .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })
      .optional(),
    /** AWS region to deploy to; falls back to `CDK_DEFAULT_REGION`. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region such as eu-west-1' })
      .optional(),
    /** Where metric rollups go: Timestream, or CloudWatch for accounts that cannot use Timestream. */
    metricStore: z.enum(['timestream', 'cloudwatch']),
    /** Keep stateful resources when their stack is deleted, and turn on deletion protection. */
    retainData: z.boolean(),
    retention: retentionSchema,
    lambda: lambdaSchema,
    apiThrottling: apiThrottlingSchema,
    /** The models this environment monitors; dashboards also show models that are not listed. */
    models: z.array(modelSchema).default([]),
    /** Addresses that get platform alarms by email (each confirms the subscription once). */
    alarmEmails: z.array(z.email()).default([]),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    for (const [index, model] of config.models.entries()) {
      if (seen.has(model.name)) {
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'name'],
          message: `model "${model.name}" is listed twice; expected each model once`,
        });
      }
      seen.add(model.name);
    }
  });

/** An environment's config as written, before defaults are applied. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;

/** An environment's config, validated and with defaults applied. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
