import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isTwinfoldError } from '../../../shared/errors';
import { LevelStore, wipeStoreDirectory } from '../../../store';
import { describeKeyValueStoreContract } from './key-value-store.contract';

let root: string;
let counter = 0;
const nextDir = (): string => path.join(root, `store-${++counter}`);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'twinfold-level-store-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeKeyValueStoreContract('LevelStore', () => new LevelStore('twins-level', nextDir()));

describe('LevelStore', () => {
  const stores: LevelStore[] = [];
  const track = (store: LevelStore): LevelStore => (stores.push(store), store);

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('does not touch the disk until opened, then creates missing parent directories', async () => {
    const dir = path.join(nextDir(), 'nested', 'twins');
    const store = track(new LevelStore('twins', dir));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(dir)).toBe(false);
    await store.open();
    expect(existsSync(dir)).toBe(true);
  });

  it('persists across instances on the same directory', async () => {
    const dir = nextDir();
    const first = track(new LevelStore('twins', dir));
    await first.open();
    await first.write([{ key: 'device-1', value: Buffer.from('v1') }]);
    await first.close();
    const second = track(new LevelStore('twins', dir));
    await second.open();
    expect((await second.get('device-1'))?.toString()).toBe('v1');
  });

  it('fails to open a directory another instance holds with a retriable NOT_READY', async () => {
    const dir = nextDir();
    await track(new LevelStore('twins', dir)).open();
    const err: unknown = await track(new LevelStore('twins', dir))
      .open()
      .catch((e: unknown) => e);
    expect(isTwinfoldError(err) && [err.code, err.retriable]).toEqual(['NOT_READY', true]);
    expect((err as Error).message).toContain('is locked by another instance');
  });

  it('fails to open a path that is a file with a non-retriable INTERNAL', async () => {
    const file = nextDir();
    await writeFile(file, 'not a database');
    const err: unknown = await track(new LevelStore('twins', file))
      .open()
      .catch((e: unknown) => e);
    expect(isTwinfoldError(err) && [err.code, err.retriable]).toEqual(['INTERNAL', false]);
  });

  it('wipeStoreDirectory removes the store and every file in its directory', async () => {
    const dir = nextDir();
    const store = new LevelStore('twins', dir);
    await store.open();
    await store.write([{ key: 'k', value: Buffer.from('v') }]);
    await store.close();
    await writeFile(path.join(dir, '.checkpoint'), '{}');
    await wipeStoreDirectory(dir);
    expect(existsSync(dir)).toBe(false);
    await wipeStoreDirectory(dir); // missing is fine
    const reopened = track(new LevelStore('twins', dir));
    await reopened.open();
    expect(await reopened.get('k')).toBeUndefined();
  });

  it('wipeStoreDirectory refuses an empty path or a filesystem root', async () => {
    await expect(wipeStoreDirectory('')).rejects.toThrow(RangeError);
    await expect(wipeStoreDirectory(path.parse(root).root)).rejects.toThrow(RangeError);
    expect((await readdir(root)).length).toBeGreaterThan(0);
  });
});
