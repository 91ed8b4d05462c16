// The generator the demo's traffic uses too.
export { seededRandom } from '../../lib/local/seeded-random.js';

/** Log-normal samples (Box–Muller), the usual shape of service latencies. */
export function logNormalSamples(random: () => number, count: number, mu: number, sigma: number): number[] {
  return Array.from({ length: count }, () => {
    const u = 1 - random();
    const v = random();
    return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  });
}

/** The exact quantile by the nearest-rank definition: the smallest value with at least q·n values at or below it. */
export function nearestRankQuantile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[rank - 1]!;
}
