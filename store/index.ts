/** The store subsystem: the byte-level engine seam, its engines, and the layers above it. */
export {
  assertValidRange,
  compareKeys,
  isInRange,
  storeClosedError,
  type KeyRange,
  type KeyValueStore,
  type StoreWrite,
} from './key-value-store';
export { MemoryStore } from './memory-store';
export { LevelStore, wipeStoreDirectory } from './level-store';
export type { Codec } from './codec';
export { TwinCache, type DirtyEntry, type TwinCacheOptions, type TwinCacheStats } from './twin-cache';
export {
  CHECKPOINT_FILE,
  deleteCheckpoint,
  isCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from './checkpoint';
