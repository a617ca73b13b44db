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
}

/** `<stateDir>/<applicationId>/partition-<n>`: a LevelDB directory holding its own `.checkpoint`. */
export function levelStorage(dir: string, name: string): TaskStorage {
  return {
    store: new LevelStore(name, dir),
    readCheckpoint: () => readCheckpoint(dir),
    writeCheckpoint: (checkpoint) => writeCheckpoint(dir, checkpoint),
    deleteCheckpoint: () => deleteCheckpoint(dir),
    wipe: () => wipeStoreDirectory(dir),
  };
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
}
