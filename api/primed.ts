/**
 * Starts an async iteration and waits for its first step, so an error that comes before any item
 * (a partition not served here, a bad cursor) is thrown now, before a response has started; the
 * returned iterable yields the first item and then the rest, once.
 */
export async function primed<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      try {
        yield first.value;
        for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value;
      } finally {
        await iterator.return?.();
      }
    },
  };
}
