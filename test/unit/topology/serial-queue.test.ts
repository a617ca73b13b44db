import { SerialQueue } from '../../../topology/serial-queue';

describe('SerialQueue', () => {
  it('runs jobs one at a time in submission order, even after a failure', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const job =
      (name: string, ms: number, fail = false) =>
      async () => {
        running += 1;
        expect(running).toBe(1);
        await new Promise((r) => setTimeout(r, ms));
        log.push(name);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.run(job('a', 20)),
      queue.run(job('b', 1, true)),
      queue.run(job('c', 5)),
    ]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
