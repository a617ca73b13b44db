import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { TwinfoldError } from '../shared/errors';

/** File name of a store's checkpoint, inside the store directory (so a wipe removes it too). */
export const CHECKPOINT_FILE = '.checkpoint';
const FORMAT_VERSION = 1;

/**
 * What a store directory holds (Kafka Streams' `.checkpoint`): for each changelog partition,
 * keyed `topic:partition`, the next offset to restore from, as a decimal string.
 */
export interface Checkpoint {
  readonly changelogOffsets: Readonly<Record<string, string>>;
  /** ISO-8601 time of writing, for operators. */
  readonly writtenAt: string;
}

const PARTITION_KEY = /^.+:(0|[1-9]\d*)$/;
const OFFSET = /^(0|[1-9]\d*)$/;

/** True if `value` is a well-formed checkpoint (used on read, and before every write). */
export function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const { changelogOffsets, writtenAt } = value as Record<string, unknown>;
  if (typeof writtenAt !== 'string' || Number.isNaN(Date.parse(writtenAt))) return false;
  if (typeof changelogOffsets !== 'object' || changelogOffsets === null || Array.isArray(changelogOffsets)) {
    return false;
  }
  return Object.entries(changelogOffsets).every(
    ([key, offset]) => PARTITION_KEY.test(key) && typeof offset === 'string' && OFFSET.test(offset),
  );
}

/**
 * The checkpoint in `dir`, or undefined if there is none or it cannot be read or trusted (then
 * the store must be restored from the changelog's start). Never throws.
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(dir, CHECKPOINT_FILE), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { version, changelogOffsets, writtenAt } = parsed as Record<string, unknown>;
    const checkpoint = { changelogOffsets, writtenAt };
    return version === FORMAT_VERSION && isCheckpoint(checkpoint) ? checkpoint : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the checkpoint in `dir` (which must exist) atomically: a reader sees the old file or
 * the new one, never a torn one, even after a crash. Writes a temp file, fsyncs it, renames it
 * over the old one, then fsyncs the directory so the rename itself is durable.
 * @throws RangeError for a malformed checkpoint; TwinfoldError INTERNAL if the file system fails.
 */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  if (!isCheckpoint(checkpoint)) throw new RangeError(`malformed checkpoint: ${JSON.stringify(checkpoint)}`);
  const { changelogOffsets, writtenAt } = checkpoint;
  const text = `${JSON.stringify({ version: FORMAT_VERSION, changelogOffsets, writtenAt }, null, 2)}\n`;
  const target = path.join(dir, CHECKPOINT_FILE);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new TwinfoldError('INTERNAL', `cannot write checkpoint in ${dir}`, {
      cause: err,
      details: { dir },
    });
  }
  await syncDirectory(dir);
}

/**
 * Removes the checkpoint in `dir`, if any. Done when a task starts writing to its store, so a
 * crash before the next checkpoint forces a full restore rather than trusting stale offsets.
 */
export async function deleteCheckpoint(dir: string): Promise<void> {
  await rm(path.join(dir, CHECKPOINT_FILE), { force: true });
  await syncDirectory(dir);
}

/** Best effort: some platforms (Windows) cannot open a directory for fsync. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is written; only the durability of the directory entry is not guaranteed here.
  }
}
