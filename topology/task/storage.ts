import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  deleteCheckpoint,
  LevelStore,
  MemoryStore,
  readCheckpoint,
  wipeStoreDirectory,
  writeCheckpoint,
  type Checkpoint,
  type KeyValueStore,
} from '../../store';

/**
 * Where a task keeps one store and its checkpoint: a LevelDB directory in the service, memory in
 * the task test driver. `wipe` runs before `store.open()`, when no checkpoint can be trusted.
 */
export interface TaskStorage {
  readonly store: KeyValueStore;
  readCheckpoint(): Promise<Checkpoint | undefined>;
  writeCheckpoint(checkpoint: Checkpoint): Promise<void>;
  deleteCheckpoint(): Promise<void>;
  wipe(): Promise<void>;
  /** Bytes the store takes on disk (0 in memory). */
  bytesOnDisk(): Promise<number>;
}

/** `<stateDir>/<applicationId>/partition-<n>`: a LevelDB directory holding its own `.checkpoint`. */
export function levelStorage(dir: string, name: string): TaskStorage {
  return {
    store: new LevelStore(name, dir),
    readCheckpoint: () => readCheckpoint(dir),
    writeCheckpoint: (checkpoint) => writeCheckpoint(dir, checkpoint),
    deleteCheckpoint: () => deleteCheckpoint(dir),
    wipe: () => wipeStoreDirectory(dir),
    bytesOnDisk: () => directoryBytes(dir),
  };
}

/** Total size of the files directly in `dir` (a LevelDB directory has no sub-directories); 0 if missing. */
async function directoryBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(
    names.map((n) =>
      stat(join(dir, n)).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

export function partitionStoreDirectory(stateDir: string, applicationId: string, partition: number): string {
  return join(stateDir, applicationId, `partition-${partition}`);
}

/** A store that lives as long as the object, for tests; `wipe` is a no-op (a closed MemoryStore is empty). */
export class MemoryStorage implements TaskStorage {
  readonly store: MemoryStore;
  checkpoint: Checkpoint | undefined;

  constructor(name: string) {
    this.store = new MemoryStore(name);
  }

  async readCheckpoint(): Promise<Checkpoint | undefined> {
    return this.checkpoint;
  }

  async writeCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.checkpoint = checkpoint;
  }

  async deleteCheckpoint(): Promise<void> {
    this.checkpoint = undefined;
  }

  async wipe(): Promise<void> {
    // A MemoryStore drops its contents on close, so it is always empty before open().
  }

  async bytesOnDisk(): Promise<number> {
    return 0;
  }
}
