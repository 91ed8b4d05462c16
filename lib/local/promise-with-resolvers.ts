/*
 * aws-local-stepfunctions 3 calls Promise.withResolvers (ES2024, Node 22), and Vigil runs on Node 20. Local
 * code imports this module before it runs a state machine; it adds the method only where it is missing.
 */

/** A promise with the functions that settle it. */
export interface PromiseWithResolvers<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T | PromiseLike<T>) => void;
  readonly reject: (reason?: unknown) => void;
}

/** A new promise with the functions that settle it, as `Promise.withResolvers` gives. */
export function promiseWithResolvers<T>(): PromiseWithResolvers<T> {
  let resolve!: PromiseWithResolvers<T>['resolve'];
  let reject!: PromiseWithResolvers<T>['reject'];
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const promiseConstructor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = promiseWithResolvers;
}
