/**
 * @platformatic/kafka 2.12.1 declares Node >= 22.22. On Node 20 (twinfold's floor) the one missing
 * piece its code uses is `Promise.withResolvers` (Node 22): the benchmark adds it, so the client
 * can be measured here. Adopting the client would mean raising twinfold's Node floor instead.
 */
export function ensurePromiseWithResolvers(): void {
  if ('withResolvers' in Promise) return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: <T>() => {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
