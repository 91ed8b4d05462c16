import { createHash } from 'node:crypto';

/** 2^48: the hash's first six bytes read as an integer are below it. */
const HASH_RANGE = 2 ** 48;

/**
 * Whether a raw prediction event is kept, for a sampling `rate` from 0 (none) to 1 (all). With a `key` (the
 * prediction id) the answer is a pure function of the key, so a retried request keeps exactly the events it
 * kept before and every process agrees: the key's SHA-256, read as a fraction of 1, is kept when below the
 * rate. Without a key, `random` decides.
 */
export function shouldKeepRawEvent(
  rate: number,
  key: string | undefined,
  random: () => number = Math.random,
): boolean {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be from 0 to 1, got ${rate}`);
  if (rate === 0) return false;
  if (rate === 1) return true;
  if (key === undefined) return random() < rate;
  const fraction = createHash('sha256').update(key).digest().readUIntBE(0, 6) / HASH_RANGE;
  return fraction < rate;
}
