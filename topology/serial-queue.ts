/**
 * Runs async jobs one at a time, in submission order. A task's batches (several input topics share
 * one partition, and kafkajs hands them over concurrently) and its timer share one transactional
 * producer, which can hold only one open transaction.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
