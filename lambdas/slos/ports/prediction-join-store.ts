/** A prediction kept for joining its delayed label. */
export interface RememberedPrediction {
  readonly id: string;
  readonly model: string;
  readonly modelVersion?: string;
  /** What the model predicted (any JSON). */
  readonly prediction: unknown;
  /** When it was made, epoch ms. */
  readonly timestamp: number;
}

/** What became of a label's claim on its prediction. */
export type LabelClaim =
  | { readonly outcome: 'claimed'; readonly prediction: RememberedPrediction }
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'already-labelled'; readonly labelledAt: number };

/**
 * Keeps predictions that carry an id for the join window, so a label arriving later can be matched to
 * what was predicted. A prediction is labelled once: the first label claims it and later ones are told so,
 * so a client retrying a labels request does not count a prediction twice.
 */
export interface PredictionJoinStore {
  /** Keeps predictions until `expiresAt` (epoch ms); one kept again (same model and id) is overwritten. */
  remember(predictions: readonly RememberedPrediction[], expiresAt: number): Promise<void>;
  /** Claims the prediction of each (model, id) for its label, at `now`; in the order asked. */
  claim(
    keys: ReadonlyArray<{ readonly model: string; readonly id: string }>,
    now: number,
  ): Promise<LabelClaim[]>;
}
