import { newSketch, type QuantileSketch } from '../../lambdas/metrics/core/sketch.js';

/** A sketch of the given values, at Vigil's accuracy. */
export function sketchOf(values: Iterable<number>): QuantileSketch {
  const sketch = newSketch();
  for (const value of values) sketch.accept(value);
  return sketch;
}
