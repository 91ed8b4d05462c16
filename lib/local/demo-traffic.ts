import { seededRandom } from './seeded-random.js';

/*
 * Synthetic prediction traffic for `npm run demo`: steady traffic for a model, with injected trouble (an
 * error burst, a latency regression) over chosen spans of time. Values come from a seeded generator, so the
 * same arguments give the same predictions.
 */

/** The traffic of one model when all is well. */
export interface TrafficProfile {
  readonly model: string;
  readonly perMinute: number;
  /** Latencies are spread evenly between these, ms. */
  readonly latencyMs: readonly [number, number];
  /** Mean confidence of the predictions, 0 to 1. */
  readonly confidence: number;
  /** Tokens and spend per prediction, for LLMs. */
  readonly tokens?: { readonly input: number; readonly output: number; readonly usdPerThousand: number };
}

/** Trouble injected into a span of time `[from, to)`, epoch ms. */
export type Trouble =
  | { readonly kind: 'errors'; readonly from: number; readonly to: number; readonly rate: number }
  | { readonly kind: 'latency'; readonly from: number; readonly to: number; readonly factor: number };

/** One prediction as `POST /api/v1/predictions` takes it. */
export interface DemoPrediction {
  readonly model: string;
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly status: 'ok' | 'error';
  readonly errorType?: string;
  readonly confidence?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
}

const within = (trouble: Trouble, at: number) => at >= trouble.from && at < trouble.to;

/**
 * The predictions of `profile` from `from` (inclusive) to `to` (exclusive), evenly spaced at its rate,
 * with each trouble applied inside its span: an error burst fails that fraction of the predictions (every
 * k-th one, so the rate holds in every minute), a latency regression multiplies latencies.
 */
export function demoTraffic(
  profile: TrafficProfile,
  from: number,
  to: number,
  troubles: readonly Trouble[] = [],
  seed = 1,
): DemoPrediction[] {
  if (!(profile.perMinute > 0)) throw new Error(`perMinute must be above 0, got ${profile.perMinute}`);
  const random = seededRandom(seed);
  const spacingMs = 60_000 / profile.perMinute;
  const predictions: DemoPrediction[] = [];
  let failedSoFar = 0;
  let inBurstSoFar = 0;
  for (let at = from; at < to; at += spacingMs) {
    const timestamp = Math.floor(at);
    const [low, high] = profile.latencyMs;
    let latencyMs = low + random() * (high - low);
    for (const trouble of troubles) {
      if (trouble.kind === 'latency' && within(trouble, timestamp)) latencyMs *= trouble.factor;
    }
    const burst = troubles.find((trouble) => trouble.kind === 'errors' && within(trouble, timestamp));
    let failing = false;
    if (burst?.kind === 'errors') {
      inBurstSoFar += 1;
      // Fail a prediction whenever the failures so far fall behind the burst's rate.
      failing = failedSoFar < Math.floor(inBurstSoFar * burst.rate);
      if (failing) failedSoFar += 1;
    }
    const confidence = Math.min(1, Math.max(0, profile.confidence + (random() - 0.5) * 0.2));
    const tokens = profile.tokens && {
      inputTokens: Math.round(profile.tokens.input * (0.5 + random())),
      outputTokens: Math.round(profile.tokens.output * (0.5 + random())),
    };
    predictions.push({
      model: profile.model,
      timestamp,
      latencyMs: Math.round(latencyMs),
      status: failing ? 'error' : 'ok',
      ...(failing ? { errorType: 'upstream_timeout' } : {}),
      confidence: Math.round(confidence * 1000) / 1000,
      ...(tokens && profile.tokens
        ? {
            ...tokens,
            costUsd:
              Math.round(
                ((tokens.inputTokens + tokens.outputTokens) / 1000) * profile.tokens.usdPerThousand * 1e6,
              ) / 1e6,
          }
        : {}),
    });
  }
  return predictions;
}
