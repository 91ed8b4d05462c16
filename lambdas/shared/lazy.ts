/**
 * Wraps a factory so it runs once, on first use. Handler modules build their AWS adapters this way: the
 * Lambda pays for them once per cold start, and the local platform can import the same modules without
 * reading AWS settings it does not have.
 */
export function lazy<T>(factory: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = factory();
      made = true;
    }
    return value;
  };
}
