import { DDSketch } from '@datadog/sketches-js';

/** Relative accuracy of every quantile sketch Vigil keeps: a p95 read back is within 1 % of a value in the data. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/** A mergeable quantile sketch (DDSketch) at Vigil's accuracy. */
export type QuantileSketch = DDSketch;

/** Creates an empty sketch at Vigil's accuracy, so every sketch stored can be merged with every other. */
export function newSketch(): QuantileSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

/** Serialises a sketch to the DDSketch protobuf format. */
export function encodeSketch(sketch: QuantileSketch): Uint8Array {
  return sketch.toProto();
}

/** Reads a sketch written by `encodeSketch`; count, sum, min and max travel beside it in the rollup. */
export function decodeSketch(bytes: Uint8Array): QuantileSketch {
  return DDSketch.fromProto(bytes);
}

/** Merges sketches into a new one, leaving the inputs as they were. */
export function mergeSketches(sketches: Iterable<QuantileSketch>): QuantileSketch {
  const merged = newSketch();
  for (const sketch of sketches) merged.merge(sketch);
  return merged;
}
