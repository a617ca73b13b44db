import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isTwinfoldError } from '../../../shared/errors';
import {
  CHECKPOINT_FILE,
  deleteCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from '../../../store';

let dir: string;
const file = (): string => path.join(dir, CHECKPOINT_FILE);
const checkpoint: Checkpoint = {
  changelogOffsets: { 'twinfold-twins-changelog:0': '42', 'twinfold-twins-changelog:11': '0' },
  writtenAt: '2025-01-02T03:04:05.000Z',
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'twinfold-checkpoint-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkpoint', () => {
  it('reads back what was written, and nothing when there is no file', async () => {
    expect(await readCheckpoint(dir)).toBeUndefined();
    await writeCheckpoint(dir, checkpoint);
    expect(await readCheckpoint(dir)).toEqual(checkpoint);
  });

  it('replaces the previous checkpoint and leaves no temp file behind', async () => {
    await writeCheckpoint(dir, checkpoint);
    const next = { changelogOffsets: { 'twins:0': '43' }, writtenAt: '2025-01-02T03:05:00.000Z' };
    await writeCheckpoint(dir, next);
    expect(await readCheckpoint(dir)).toEqual(next);
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
  });

  it('writes a versioned, human-readable JSON file', async () => {
    await writeCheckpoint(dir, checkpoint);
    expect(JSON.parse(await readFile(file(), 'utf8'))).toEqual({ version: 1, ...checkpoint });
  });

  it('accepts an empty set of offsets', async () => {
    const empty = { changelogOffsets: {}, writtenAt: checkpoint.writtenAt };
    await writeCheckpoint(dir, empty);
    expect(await readCheckpoint(dir)).toEqual(empty);
  });

  it('deletes the checkpoint, and deleting a missing one is fine', async () => {
    await writeCheckpoint(dir, checkpoint);
    await deleteCheckpoint(dir);
    expect(await readCheckpoint(dir)).toBeUndefined();
    await deleteCheckpoint(dir);
    await deleteCheckpoint(path.join(dir, 'missing'));
  });

  it.each([
    ['empty', ''],
    ['truncated', '{"version":1,"changelogOffsets":{"t:0":"4'],
    ['not an object', '42'],
    ['null', 'null'],
    ['unknown version', JSON.stringify({ ...checkpoint, version: 2 })],
    ['no version', JSON.stringify(checkpoint)],
    ['numeric offset', JSON.stringify({ version: 1, ...checkpoint, changelogOffsets: { 't:0': 42 } })],
    ['negative offset', JSON.stringify({ version: 1, ...checkpoint, changelogOffsets: { 't:0': '-1' } })],
    ['key without partition', JSON.stringify({ version: 1, ...checkpoint, changelogOffsets: { t: '1' } })],
    ['offsets as array', JSON.stringify({ version: 1, ...checkpoint, changelogOffsets: ['1'] })],
    ['bad writtenAt', JSON.stringify({ version: 1, ...checkpoint, writtenAt: 'yesterday' })],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
  ])('treats a corrupt file (%s) as absent', async (_name, content) => {
    await writeFile(file(), content);
    expect(await readCheckpoint(dir)).toBeUndefined();
  });

  it('treats an unreadable checkpoint (a directory, or a missing store dir) as absent', async () => {
    await mkdir(file());
    expect(await readCheckpoint(dir)).toBeUndefined();
    expect(await readCheckpoint(path.join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses to write a malformed checkpoint', async () => {
    const bad = { changelogOffsets: { 't:0': 'NaN' }, writtenAt: checkpoint.writtenAt };
    await expect(writeCheckpoint(dir, bad)).rejects.toThrow(RangeError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with INTERNAL when the directory does not exist', async () => {
    const err: unknown = await writeCheckpoint(path.join(dir, 'missing'), checkpoint).catch(
      (e: unknown) => e,
    );
    expect(isTwinfoldError(err) && err.code).toBe('INTERNAL');
    expect(await readdir(dir)).toEqual([]);
  });

  it('cleans up its temp file when the rename fails', async () => {
    await mkdir(file());
    const err: unknown = await writeCheckpoint(dir, checkpoint).catch((e: unknown) => e);
    expect(isTwinfoldError(err) && err.code).toBe('INTERNAL');
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
  });
});
