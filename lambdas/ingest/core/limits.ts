/** Ingest limits from DESIGN.md, each with its own error message. */
export const INGEST_LIMITS = {
  /** Largest request body, bytes (413 above it). */
  maxBodyBytes: 1024 * 1024,
  /** Most items in one request. */
  maxItems: 10_000,
  /** Most keys in an item's `attributes` or `dimensions`. */
  maxAttributeKeys: 20,
  /** Longest string anywhere in an item. */
  maxStringLength: 256,
  /** Furthest an item's timestamp may lie in the future, ms (clock skew allowance). */
  maxFutureSkewMs: 5 * 60_000,
} as const;
