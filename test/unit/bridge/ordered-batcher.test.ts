import { OrderedBatcher, type OrderedBatcherOptions } from '../../../bridge/ordered-batcher';

interface Item {
  id: number;
  key: string;
  bytes: number;
}

const item = (id: number, key = 'k', bytes = 10): Item => ({ id, key, bytes });
const ids = (batch: readonly Item[]): number[] => batch.map((i) => i.id);
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A batcher whose writes complete only when the test says so. */
function controlled(overrides: Partial<OrderedBatcherOptions<Item>> = {}) {
  const writes: { batch: number[]; done: Deferred }[] = [];
  const written: number[][] = [];
  const errors: number[] = [];
  const batcher = new OrderedBatcher<Item>({
    write: (batch) => {
      const done = deferred();
      writes.push({ batch: ids(batch), done });
      return done.promise;
    },
    onWritten: (batch) => written.push(ids(batch)),
    onWriteError: (_err, attempt) => errors.push(attempt),
    maxBatchItems: 4,
    maxBatchBytes: 1000,
    lingerMs: 1000,
    retryInitialMs: 1,
    retryMaxMs: 2,
    ...overrides,
  });
  return { batcher, writes, written, errors };
}

describe('OrderedBatcher', () => {
  it('waits lingerMs for more items, then writes them as one batch', async () => {
    const { batcher, writes } = controlled({ lingerMs: 20 });
    batcher.push(item(1));
    batcher.push(item(2));
    batcher.push(item(3));
    expect(writes).toHaveLength(0);
    await tick(40);
    expect(writes.map((w) => w.batch)).toEqual([[1, 2, 3]]);
  });

  it('writes at once when a batch is full, one batch at a time, in push order', async () => {
    const { batcher, writes, written } = controlled();
    for (let i = 1; i <= 10; i++) batcher.push(item(i));
    expect(writes.map((w) => w.batch)).toEqual([[1, 2, 3, 4]]);
    expect(batcher.size).toBe(10);
    writes[0]!.done.resolve();
    await tick();
    expect(written).toEqual([[1, 2, 3, 4]]);
    expect(writes.map((w) => w.batch)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    writes[1]!.done.resolve();
    await tick();
    expect(writes[2]!.batch).toEqual([9, 10]); // no linger: they already waited for a write
    writes[2]!.done.resolve();
    await tick();
    expect(written).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(batcher.size).toBe(0);
  });

  it('closes a batch before it would exceed maxBatchBytes, but always takes one item', async () => {
    const { batcher, writes } = controlled({ maxBatchBytes: 100, lingerMs: 0 });
    batcher.push(item(1, 'k', 500)); // alone and over the limit: still written
    batcher.push(item(2, 'k', 40));
    batcher.push(item(3, 'k', 40));
    batcher.push(item(4, 'k', 40));
    writes[0]!.done.resolve();
    await tick();
    writes[1]!.done.resolve();
    await tick();
    expect(writes.map((w) => w.batch)).toEqual([[1], [2, 3], [4]]);
  });

  it('retries a failed batch unchanged and writes nothing after it meanwhile', async () => {
    const { batcher, writes, written, errors } = controlled({ lingerMs: 0 });
    batcher.push(item(1));
    batcher.push(item(2));
    writes[0]!.done.reject(new Error('down'));
    await tick(10);
    expect(writes.map((w) => w.batch)).toEqual([[1], [1]]);
    writes[1]!.done.reject(new Error('still down'));
    await tick(10);
    writes[2]!.done.resolve();
    await tick();
    expect(errors).toEqual([1, 2]);
    expect(writes.map((w) => w.batch)).toEqual([[1], [1], [1], [2]]);
    writes[3]!.done.resolve();
    await tick();
    expect(written).toEqual([[1], [2]]);
  });

  it('whenBelow holds until enough items are written', async () => {
    const { batcher, writes } = controlled({ lingerMs: 0 });
    for (let i = 1; i <= 3; i++) batcher.push(item(i));
    let released = false;
    void batcher.whenBelow(2, 1e9).then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    writes[0]!.done.resolve(); // [1]
    await tick();
    expect(released).toBe(false); // 2 left
    writes[1]!.done.resolve(); // [2, 3]
    await tick();
    expect(released).toBe(true);
  });

  it('whenBelow also counts bytes', async () => {
    const { batcher, writes } = controlled({ lingerMs: 0 });
    batcher.push(item(1, 'k', 600));
    let released = false;
    void batcher.whenBelow(100, 500).then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    writes[0]!.done.resolve();
    await tick();
    expect(released).toBe(true);
  });

  it('discard removes queued items but never the batch being written', async () => {
    const { batcher, writes, written } = controlled({ lingerMs: 0 });
    for (let i = 1; i <= 5; i++) batcher.push(item(i, i % 2 ? 'odd' : 'even'));
    expect(batcher.discard((i) => i.key === 'odd')).toBe(2); // 3 and 5; 1 is being written
    writes[0]!.done.resolve();
    await tick();
    writes[1]!.done.resolve();
    await tick();
    expect(written).toEqual([[1], [2, 4]]);
  });

  it('drain writes at once and reports whether everything was written in time', async () => {
    const quick = controlled();
    quick.batcher.push(item(1));
    const drained = quick.batcher.drain(1000);
    await tick();
    quick.writes[0]!.done.resolve();
    await expect(drained).resolves.toBe(true);

    const stuck = controlled();
    stuck.batcher.push(item(1));
    await expect(stuck.batcher.drain(20)).resolves.toBe(false);
  });

  it('close stops retrying and drops what was not written', async () => {
    const { batcher, writes, written } = controlled({ lingerMs: 0, retryInitialMs: 50, retryMaxMs: 50 });
    batcher.push(item(1));
    batcher.push(item(2));
    writes[0]!.done.reject(new Error('down'));
    await tick();
    await batcher.close();
    expect(written).toEqual([]);
    expect(batcher.size).toBe(0);
    expect(writes).toHaveLength(1);
    expect(() => batcher.push(item(3))).toThrow('closed');
  });

  it('keeps per-key order through random batch sizes and failures', async () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const written: Item[] = [];
    const batcher = new OrderedBatcher<Item>({
      write: async () => {
        await tick(random() * 2);
        if (random() < 0.3) throw new Error('transient');
      },
      onWritten: (batch) => written.push(...batch),
      maxBatchItems: 7,
      maxBatchBytes: 1000,
      lingerMs: 1,
      retryInitialMs: 1,
      retryMaxMs: 1,
    });
    const pushed: Item[] = [];
    for (let i = 0; i < 300; i++) {
      const it = item(i, `d${Math.floor(random() * 5)}`, 1 + Math.floor(random() * 200));
      pushed.push(it);
      batcher.push(it);
      if (random() < 0.2) await tick(random() * 3);
    }
    await expect(batcher.drain(10_000)).resolves.toBe(true);
    expect(ids(written)).toEqual(ids(pushed));
  });
});
