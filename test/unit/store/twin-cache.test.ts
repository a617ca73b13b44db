import { isTwinfoldError } from '../../../shared/errors';
import { MemoryStore, TwinCache, type Codec } from '../../../store';

interface Twin {
  readonly v: number;
}

const codec: Codec<Twin> = {
  encode: (twin) => Buffer.from(JSON.stringify(twin)),
  decode: (bytes) => JSON.parse(bytes.toString()) as Twin,
};
const bytes = (v: number): Buffer => codec.encode({ v });

async function setup(maxEntries = 100, committed: Record<string, number> = {}) {
  const store = new MemoryStore('twins');
  await store.open();
  await store.write(Object.entries(committed).map(([key, v]) => ({ key, value: bytes(v) })));
  const getMany = jest.spyOn(store, 'getMany');
  const write = jest.spyOn(store, 'write');
  const cache = new TwinCache<Twin>({ store, codec, maxEntries });
  return { store, cache, getMany, write };
}

describe('TwinCache', () => {
  it('peeks only committed values: a dirty key reads as not cached until it is flushed', async () => {
    const { cache } = await setup(100, { a: 1 });
    await cache.load(['a', 'gone']);
    expect([cache.peekCommitted('a'), cache.peekCommitted('gone'), cache.peekCommitted('x')]).toEqual([
      { v: 1 },
      null,
      undefined,
    ]);
    cache.put('a', { v: 2 });
    expect(cache.peekCommitted('a')).toBeUndefined();
    await cache.flush();
    expect(cache.peekCommitted('a')).toEqual({ v: 2 });
  });

  it('loads a batch of keys with one getMany for the keys not already cached', async () => {
    const { cache, getMany } = await setup(100, { a: 1, b: 2 });
    await cache.load(['a', 'b', 'new', 'a']);
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(getMany).toHaveBeenLastCalledWith(['a', 'b', 'new']);
    expect([cache.get('a'), cache.get('b'), cache.get('new')]).toEqual([{ v: 1 }, { v: 2 }, undefined]);

    cache.put('c', { v: 3 });
    await cache.load(['a', 'c', 'new', 'd']);
    expect(getMany).toHaveBeenCalledTimes(2);
    expect(getMany).toHaveBeenLastCalledWith(['d']);
    await cache.load(['a', 'b']);
    expect(getMany).toHaveBeenCalledTimes(2);
    expect(cache.stats()).toEqual({ size: 5, dirty: 1, hits: 5, misses: 4, evictions: 0 });
  });

  it('throws a programming error when reading a key that was not loaded', async () => {
    const { cache } = await setup();
    expect(() => cache.get('a')).toThrow(RangeError);
    expect(() => cache.get('a')).toThrow('read before load()');
  });

  it('reads its own writes and deletes before any flush', async () => {
    const { cache, store } = await setup(100, { a: 1 });
    await cache.load(['a']);
    cache.put('a', { v: 2 });
    cache.put('b', { v: 3 });
    expect([cache.get('a'), cache.get('b')]).toEqual([{ v: 2 }, { v: 3 }]);
    cache.put('a', null);
    expect(cache.get('a')).toBeUndefined();
    expect(await store.get('a')).toEqual(bytes(1));
  });

  it('lists dirty entries once per key with their latest value and encoding', async () => {
    const { cache } = await setup(100, { a: 1 });
    await cache.load(['a']);
    cache.put('b', { v: 1 });
    cache.put('a', null);
    cache.put('b', { v: 2 });
    expect(cache.dirtyEntries()).toEqual([
      { key: 'b', value: { v: 2 }, encoded: bytes(2) },
      { key: 'a', value: null, encoded: null },
    ]);
  });

  it('flushes every dirty entry in one store write, then has nothing dirty', async () => {
    const { cache, store, write } = await setup(100, { gone: 9 });
    await cache.load(['gone']);
    cache.put('a', { v: 1 });
    cache.put('b', { v: 2 });
    cache.put('gone', null);
    write.mockClear();
    await cache.flush();
    expect(write).toHaveBeenCalledTimes(1);
    expect(await store.getMany(['a', 'b', 'gone'])).toEqual([bytes(1), bytes(2), undefined]);
    expect(cache.dirtyEntries()).toEqual([]);
    await cache.flush();
    expect(write).toHaveBeenCalledTimes(1);
    expect(cache.get('gone')).toBeUndefined();
  });

  it('keeps entries dirty when the store write fails', async () => {
    const { cache, write } = await setup();
    cache.put('a', { v: 1 });
    write.mockRejectedValueOnce(new Error('disk full'));
    await expect(cache.flush()).rejects.toThrow('disk full');
    expect(cache.dirtyEntries().map((e) => e.key)).toEqual(['a']);
  });

  it('keeps a key dirty when it is put again while a flush is writing', async () => {
    const { cache, store } = await setup();
    cache.put('a', { v: 1 });
    const flushing = cache.flush();
    cache.put('a', { v: 2 });
    await flushing;
    expect(cache.dirtyEntries()).toEqual([{ key: 'a', value: { v: 2 }, encoded: bytes(2) }]);
    expect(await store.get('a')).toEqual(bytes(1));
  });

  it('does not let a load overwrite a put made while the read was in flight', async () => {
    const { cache } = await setup(100, { a: 1 });
    const loading = cache.load(['a']);
    cache.put('a', { v: 2 });
    await loading;
    expect(cache.get('a')).toEqual({ v: 2 });
  });

  it('discardDirty forgets uncommitted changes so the next load reads committed values', async () => {
    const { cache } = await setup(100, { a: 1, d: 4 });
    await cache.load(['a', 'd']);
    cache.put('a', { v: 2 });
    cache.put('d', null);
    cache.put('new', { v: 3 });
    cache.discardDirty();
    expect(cache.dirtyEntries()).toEqual([]);
    expect(() => cache.get('a')).toThrow(RangeError);
    await cache.load(['a', 'd', 'new']);
    expect([cache.get('a'), cache.get('d'), cache.get('new')]).toEqual([{ v: 1 }, { v: 4 }, undefined]);
  });

  it('evicts the least recently used clean entries beyond maxEntries', async () => {
    const { cache, getMany } = await setup(2, { a: 1, b: 2, c: 3 });
    await cache.load(['a']);
    await cache.load(['b']);
    cache.get('a'); // a is now more recent than b
    await cache.load(['c']);
    expect(cache.size).toBe(2);
    expect(() => cache.get('b')).toThrow(RangeError);
    expect([cache.get('a'), cache.get('c')]).toEqual([{ v: 1 }, { v: 3 }]);
    expect(cache.stats().evictions).toBe(1);
    getMany.mockClear();
    await cache.load(['b']);
    expect(getMany).toHaveBeenCalledWith(['b']);
  });

  it('never evicts dirty entries, and evicts them once flushed and clean', async () => {
    const { cache } = await setup(2, { c: 3, d: 4 });
    cache.put('a', { v: 1 });
    cache.put('b', null);
    await cache.load(['c', 'd']);
    expect(cache.size).toBe(4);
    expect(cache.dirtyEntries().map((e) => e.key)).toEqual(['a', 'b']);
    await cache.load(['e']);
    expect([cache.get('a'), cache.get('b'), cache.get('e')]).toEqual([{ v: 1 }, undefined, undefined]);
    expect(cache.size).toBe(3);
    await cache.flush();
    await cache.load(['e']);
    expect(cache.size).toBe(2);
    expect(() => cache.get('a')).toThrow(RangeError);
  });

  it('keeps every key of one load readable even beyond maxEntries', async () => {
    const { cache } = await setup(2, { a: 1, b: 2, c: 3 });
    await cache.load(['a', 'b', 'c']);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
  });

  it('fails put at the record whose value cannot be encoded, leaving the cache as it was', async () => {
    const { cache } = await setup();
    const circular: { v: number; self?: unknown } = { v: 1 };
    circular.self = circular;
    expect(() => cache.put('a', circular)).toThrow(TypeError);
    expect(cache.size).toBe(0);
    expect(cache.dirtyEntries()).toEqual([]);
  });

  it('fails load with INTERNAL naming the key when stored bytes cannot be decoded', async () => {
    const { cache, store } = await setup();
    await store.write([{ key: 'bad', value: Buffer.from('{not json') }]);
    const err: unknown = await cache.load(['bad']).catch((e: unknown) => e);
    expect(isTwinfoldError(err) && err.code).toBe('INTERNAL');
    expect(isTwinfoldError(err) && err.details).toEqual({ store: 'twins', key: 'bad' });
  });

  it('rejects a maxEntries that is not a positive integer', async () => {
    const { store } = await setup();
    expect(() => new TwinCache({ store, codec, maxEntries: 0 })).toThrow(RangeError);
    expect(() => new TwinCache({ store, codec, maxEntries: 1.5 })).toThrow(RangeError);
  });
});
