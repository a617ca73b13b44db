import { isTwinfoldError } from '../../../shared/errors';
import type { KeyRange, KeyValueStore } from '../../../store';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

async function entries(store: KeyValueStore, range?: KeyRange): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of store.iterate(range)) out.push([key, value.toString('utf8')]);
  return out;
}

async function keys(store: KeyValueStore, range?: KeyRange): Promise<string[]> {
  return (await entries(store, range)).map(([key]) => key);
}

async function expectClosedError(promise: Promise<unknown>, storeName: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTwinfoldError(err) && err.code).toBe('NOT_READY');
  expect(String((err as Error).message)).toContain(`store ${storeName} is not open`);
}

/**
 * The behaviour every {@link KeyValueStore} engine shares. `factory` returns a new, unopened,
 * empty store named `name` per test; the contract opens and closes it.
 */
export function describeKeyValueStoreContract(name: string, factory: () => KeyValueStore): void {
  describe(`${name} (KeyValueStore contract)`, () => {
    let store: KeyValueStore;

    beforeEach(async () => {
      store = factory();
      expect(store.isOpen).toBe(false);
      await store.open();
      expect(store.isOpen).toBe(true);
    });

    afterEach(async () => {
      await store.close();
    });

    it('gets what was put, undefined for a missing key, and nothing after a delete', async () => {
      expect(await store.get('device-1')).toBeUndefined();
      await store.write([{ key: 'device-1', value: b('on') }]);
      expect((await store.get('device-1'))?.toString()).toBe('on');
      await store.write([{ key: 'device-1', value: null }]);
      expect(await store.get('device-1')).toBeUndefined();
      await store.write([{ key: 'never-existed', value: null }]);
    });

    it('keeps empty keys, empty values and binary values byte for byte', async () => {
      const binary = Buffer.from([0, 255, 1, 128]);
      await store.write([
        { key: '', value: b('root') },
        { key: 'empty', value: Buffer.alloc(0) },
        { key: 'bin', value: binary },
      ]);
      expect((await store.get(''))?.toString()).toBe('root');
      expect(await store.get('empty')).toEqual(Buffer.alloc(0));
      expect(Buffer.isBuffer(await store.get('bin'))).toBe(true);
      expect(await store.get('bin')).toEqual(binary);
    });

    it('is not affected by callers mutating buffers they wrote or read', async () => {
      const value = b('abc');
      await store.write([{ key: 'k', value }]);
      value.fill(0);
      (await store.get('k'))?.fill(0);
      expect((await store.get('k'))?.toString()).toBe('abc');
    });

    it('getMany returns values in the order asked, with misses and duplicates', async () => {
      await store.write([
        { key: 'a', value: b('1') },
        { key: 'c', value: b('3') },
      ]);
      const values = await store.getMany(['c', 'missing', 'a', 'c']);
      expect(values.map((v) => v?.toString())).toEqual(['3', undefined, '1', '3']);
      expect(await store.getMany([])).toEqual([]);
    });

    it('applies a batch in order, later entries for a key winning', async () => {
      await store.write([{ key: 'gone', value: b('x') }]);
      await store.write([
        { key: 'k', value: b('first') },
        { key: 'k', value: b('second') },
        { key: 'gone', value: null },
        { key: 'back', value: null },
        { key: 'back', value: b('again') },
      ]);
      expect(await entries(store)).toEqual([
        ['back', 'again'],
        ['k', 'second'],
      ]);
      await store.write([]);
    });

    it('writes a batch atomically: an invalid entry leaves the store untouched', async () => {
      const invalid = { key: 'bad', value: undefined as unknown as Buffer };
      await expect(store.write([{ key: 'good', value: b('1') }, invalid])).rejects.toThrow();
      expect(await store.get('good')).toBeUndefined();
    });

    it('iterates in UTF-8 byte order, not JavaScript string order', async () => {
      // U+FFFF sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 code units.
      const all = ['b', 'a', 'Z', 'a\u0000', 'é', '\u{1F600}', '\uFFFF', '10', '9'];
      await store.write(all.map((key) => ({ key, value: b(key) })));
      const expected = ['10', '9', 'Z', 'a', 'a\u0000', 'b', 'é', '\uFFFF', '\u{1F600}'];
      expect(await keys(store)).toEqual(expected);
      expect((await entries(store)).every(([key, value]) => key === value)).toBe(true);
    });

    it('honours gt, gte, lt and limit', async () => {
      await store.write(['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, value: b(key) })));
      expect(await keys(store, { gt: 'b' })).toEqual(['c', 'd', 'e']);
      expect(await keys(store, { gte: 'b' })).toEqual(['b', 'c', 'd', 'e']);
      expect(await keys(store, { lt: 'c' })).toEqual(['a', 'b']);
      expect(await keys(store, { gte: 'b', lt: 'd' })).toEqual(['b', 'c']);
      expect(await keys(store, { gt: 'b', lt: 'e', limit: 2 })).toEqual(['c', 'd']);
      expect(await keys(store, { limit: 0 })).toEqual([]);
      expect(await keys(store, { gte: 'x' })).toEqual([]);
      expect(await keys(store, { gt: undefined, gte: undefined, lt: undefined })).toHaveLength(5);
      expect(await keys(store, { gte: 'device-1:', lt: 'device-1;' })).toEqual([]);
    });

    it('rejects contradictory or invalid ranges as programming errors', async () => {
      await expect(keys(store, { gt: 'a', gte: 'a' })).rejects.toThrow(RangeError);
      await expect(keys(store, { limit: -1 })).rejects.toThrow(RangeError);
      await expect(keys(store, { limit: 1.5 })).rejects.toThrow(RangeError);
    });

    it('stops cleanly on early break and does not see writes made after iteration started', async () => {
      await store.write(['a', 'b', 'c'].map((key) => ({ key, value: b(key) })));
      const seen: string[] = [];
      for await (const [key] of store.iterate()) {
        seen.push(key);
        if (key === 'a') await store.write([{ key: 'bb', value: b('late') }]);
        if (key === 'b') break;
      }
      expect(seen).toEqual(['a', 'b']);
      expect(await keys(store)).toEqual(['a', 'b', 'bb', 'c']);
    });

    it('clear removes every entry and the store stays usable', async () => {
      await store.write(['a', 'b'].map((key) => ({ key, value: b(key) })));
      await store.clear();
      expect(await keys(store)).toEqual([]);
      await store.write([{ key: 'c', value: b('c') }]);
      expect(await keys(store)).toEqual(['c']);
    });

    it('iterates in reverse within the same bounds, limit counting from the top', async () => {
      await store.write(['a', 'b', 'c', 'd'].map((key) => ({ key, value: b(key) })));
      expect(await keys(store, { gt: 'a', lt: 'd', reverse: true })).toEqual(['c', 'b']);
      expect(await keys(store, { reverse: true, limit: 2 })).toEqual(['d', 'c']);
    });

    it('iterateValues gives the values of a range as text in batches, in either order', async () => {
      await store.write(['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, value: b(`v${key}`) })));
      const batches = async (range: KeyRange): Promise<string[][]> => {
        const out: string[][] = [];
        for await (const batch of store.iterateValues(range, 2)) out.push(batch);
        return out;
      };
      expect(await batches({ gte: 'b' })).toEqual([
        ['vb', 'vc'],
        ['vd', 've'],
      ]);
      expect(await batches({ gt: 'a', lt: 'e', reverse: true })).toEqual([['vd', 'vc'], ['vb']]);
      expect(await batches({ gt: 'e' })).toEqual([]);
    });

    it('clearRange deletes exactly the range and says how many entries it deleted', async () => {
      await store.write(['a', 'b', 'c', 'd'].map((key) => ({ key, value: b(key) })));
      expect(await store.clearRange({ gte: 'b', lt: 'd' })).toBe(2);
      expect(await keys(store)).toEqual(['a', 'd']);
      expect(await store.clearRange({ lt: 'a' })).toBe(0);
    });

    it('rejects every operation after close with a NOT_READY error naming the store', async () => {
      await store.close();
      expect(store.isOpen).toBe(false);
      await store.close(); // idempotent
      await expectClosedError(store.get('a'), store.name);
      await expectClosedError(store.getMany(['a']), store.name);
      await expectClosedError(store.write([{ key: 'a', value: b('a') }]), store.name);
      await expectClosedError(store.clear(), store.name);
      await expectClosedError(store.clearRange({}), store.name);
      await expectClosedError(keys(store), store.name);
    });

    it('fails an iteration in progress when the store closes', async () => {
      await store.write(['a', 'b', 'c'].map((key) => ({ key, value: b(key) })));
      const iterator = store.iterate()[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.[0]).toBe('a');
      await store.close();
      await expectClosedError(iterator.next(), store.name);
    });

    it('keeps its contents across close and open exactly when persistent', async () => {
      await store.write([{ key: 'k', value: b('v') }]);
      await store.close();
      await store.open();
      await store.open(); // idempotent
      expect(store.isOpen).toBe(true);
      expect((await store.get('k'))?.toString()).toBe(store.persistent ? 'v' : undefined);
    });
  });
}
