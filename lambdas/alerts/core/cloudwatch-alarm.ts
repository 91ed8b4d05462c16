import { z } from 'zod';
import { describeIssues } from '../../ingest/core/otlp-json.js';
import { ValidationError } from '../../shared/validation-error.js';
import { type Alert, isSeverity, MODEL_LABEL, SEVERITY_LABEL } from './alert.js';

/*
 * CloudWatch alarms reach Vigil as EventBridge "CloudWatch Alarm State Change" events. One event becomes
 * one Vigil alert named after the alarm:
 *
 * - ALARM fires it, OK resolves it;
 * - INSUFFICIENT_DATA changes nothing (no alert comes out): missing data is neither a recovery (a model
 *   that stopped reporting must not close its incident) nor a problem in itself (every new alarm starts
 *   there). An alarm that should page on missing data says so with TreatMissingData=breaching, and then
 *   goes to ALARM;
 * - identifying labels: `account` and `region` (the same alarm name in two accounts is two alerts), plus
 *   `model` from the alarm's `model` tag or from a `model` dimension of its metric, and `severity` from
 *   its `severity` tag when that is a Vigil severity (tags arrive in `alarmTags` when the alarm propagates
 *   them);
 * - annotations: `summary` (the alarm's description, else "<alarm> is in ALARM"), `description` (the
 *   state's reason) and `metric` (namespace and name of the alarm's metrics); the generator URL opens the
 *   alarm in the CloudWatch console.
 */

/** The EventBridge `detail-type` of alarm state changes. */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

const stateSchema = z.object({
  value: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA'], {
    error: (issue) => `must be ALARM, OK or INSUFFICIENT_DATA, got ${JSON.stringify(issue.input)}`,
  }),
  reason: z.string().optional(),
  timestamp: z.string().transform((text, context) => {
    const epochMs = Date.parse(text);
    if (Number.isNaN(epochMs)) {
      context.addIssue({ code: 'custom', message: `must be a time, got "${text}"` });
      return z.NEVER;
    }
    return epochMs;
  }),
});

const metricSchema = z.object({
  id: z.string().optional(),
  metricStat: z
    .object({
      metric: z.object({
        namespace: z.string().optional(),
        name: z.string().optional(),
        dimensions: z.record(z.string(), z.string()).optional(),
      }),
    })
    .optional(),
  expression: z.string().optional(),
});

const alarmEventSchema = z.object(
  {
    'detail-type': z.literal(ALARM_STATE_CHANGE, {
      error: (issue) => `must be "${ALARM_STATE_CHANGE}", got ${JSON.stringify(issue.input)}`,
    }),
    source: z.literal('aws.cloudwatch', {
      error: (issue) => `must be "aws.cloudwatch", got ${JSON.stringify(issue.input)}`,
    }),
    account: z.string(),
    region: z.string(),
    time: z.string().optional(),
    detail: z.object({
      alarmName: z.string().min(1, 'must not be empty'),
      state: stateSchema,
      previousState: stateSchema.optional(),
      configuration: z
        .object({
          description: z.string().optional(),
          metrics: z.array(metricSchema).optional(),
          alarmRule: z.string().optional(),
        })
        .optional(),
      alarmTags: z.record(z.string(), z.string()).optional(),
    }),
  },
  { error: 'must be an EventBridge event object' },
);

/** The console page of an alarm. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/**
 * The Vigil alert of a CloudWatch alarm state change: firing for ALARM, resolved for OK, undefined for
 * INSUFFICIENT_DATA. Throws a ValidationError naming the field when the event is not an alarm state
 * change.
 */
export function alertFromAlarmStateChange(event: unknown): Alert | undefined {
  const parsed = alarmEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError(
      `invalid CloudWatch alarm state change: ${describeIssues(parsed.error.issues, '(event)').join('; ')}`,
    );
  }
  const { account, region, detail } = parsed.data;
  const { state, previousState } = detail;
  if (state.value === 'INSUFFICIENT_DATA') return undefined;

  const metrics = (detail.configuration?.metrics ?? []).flatMap((query) =>
    query.metricStat ? [query.metricStat.metric] : [],
  );
  const model =
    detail.alarmTags?.[MODEL_LABEL] ??
    metrics.find((metric) => metric.dimensions?.[MODEL_LABEL])?.dimensions?.[MODEL_LABEL];
  const severity = detail.alarmTags?.[SEVERITY_LABEL];
  const labels: Record<string, string> = { account, region };
  if (model) labels[MODEL_LABEL] = model;
  if (isSeverity(severity)) labels[SEVERITY_LABEL] = severity;

  const annotations: Record<string, string> = {
    summary: detail.configuration?.description || `${detail.alarmName} is in ${state.value}`,
  };
  if (state.reason) annotations.description = state.reason;
  const metricNames = metrics.map((metric) => [metric.namespace, metric.name].filter(Boolean).join(' '));
  if (metricNames.length > 0) annotations.metric = metricNames.join(', ');

  const firing = state.value === 'ALARM';
  const startedAt = !firing && previousState?.value === 'ALARM' ? previousState.timestamp : state.timestamp;
  return {
    name: detail.alarmName,
    labels,
    annotations,
    source: 'cloudwatch',
    status: firing ? 'firing' : 'resolved',
    startsAt: startedAt,
    endsAt: firing ? undefined : state.timestamp,
    generatorUrl: alarmConsoleUrl(region, detail.alarmName),
  };
}
