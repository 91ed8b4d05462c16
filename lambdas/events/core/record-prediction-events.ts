import type { Prediction } from '../../ingest/core/predictions.js';
import type { EventStore, EventWriteOutcome } from '../ports/event-store.js';
import type { PredictionEventRecord } from './records.js';
import type { Redactor } from './redaction.js';
import { shouldKeepRawEvent } from './sampling.js';

/** How raw prediction events are sampled and redacted. */
export interface PredictionEventSampling {
  /** Share of predictions kept, 0 to 1 (the environment's `rawEventSampleRate`). */
  readonly sampleRate: number;
  readonly redactor: Redactor;
  /** Decides for predictions without an id. @default Math.random */
  readonly random?: () => number;
}

/** What recording raw prediction events needs: the sampling, and where kept events go. */
export interface RecordPredictionEventsDependencies extends PredictionEventSampling {
  readonly eventStore: Pick<EventStore, 'writePredictionEvents'>;
}

/** What recording did: how many events sampling kept, and what the store kept and refused of them. */
export interface PredictionEventsRecording extends EventWriteOutcome {
  readonly kept: number;
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/**
 * A prediction as a raw event, every string redacted. The model's output becomes JSON text: a string output
 * is redacted as text first, structured output is redacted as JSON (keys and values).
 */
export function predictionEventRecord(prediction: Prediction, redactor: Redactor): PredictionEventRecord {
  const text = (value: string | undefined) => (value === undefined ? undefined : redactor.redactText(value));
  const output = prediction.prediction;
  const predictionJson =
    output === undefined
      ? undefined
      : typeof output === 'string'
        ? JSON.stringify(redactor.redactText(output))
        : redactor.redactText(JSON.stringify(output));
  return {
    timestamp: prediction.timestamp,
    ...optional('id', text(prediction.id)),
    model: redactor.redactText(prediction.model),
    ...optional('modelVersion', text(prediction.modelVersion)),
    status: prediction.status,
    ...optional('errorType', text(prediction.errorType)),
    latencyMs: prediction.latencyMs,
    ...optional('confidence', prediction.confidence),
    ...optional('prediction', predictionJson),
    ...optional('inputTokens', prediction.inputTokens),
    ...optional('outputTokens', prediction.outputTokens),
    ...optional('costUsd', prediction.costUsd),
    attributes: redactor.redactAttributes(prediction.attributes ?? {}),
  };
}

/**
 * The sampled share of predictions as redacted raw events. Sampling is by prediction id, so a retried
 * request keeps the same events; predictions without an id are sampled at random.
 */
export function sampledPredictionEvents(
  predictions: Iterable<Prediction>,
  sampling: PredictionEventSampling,
): PredictionEventRecord[] {
  const events: PredictionEventRecord[] = [];
  for (const prediction of predictions) {
    if (shouldKeepRawEvent(sampling.sampleRate, prediction.id, sampling.random)) {
      events.push(predictionEventRecord(prediction, sampling.redactor));
    }
  }
  return events;
}

/**
 * Records the sampled share of validated predictions as redacted raw events in the event store. A store
 * that cannot be reached throws.
 */
export async function recordPredictionEvents(
  predictions: Iterable<Prediction>,
  dependencies: RecordPredictionEventsDependencies,
): Promise<PredictionEventsRecording> {
  const events = sampledPredictionEvents(predictions, dependencies);
  if (events.length === 0) return { kept: 0, written: 0, rejected: [] };
  const outcome = await dependencies.eventStore.writePredictionEvents(events);
  return { kept: events.length, ...outcome };
}
