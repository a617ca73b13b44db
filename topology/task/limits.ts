/** Below the broker's default message.max.bytes (1 MB), with room for batch overhead. */
export const MAX_SEND_BYTES = 512 * 1024;
/** How often at_least_once rewrites its checkpoint while running: bounds the fsync cost. */
export const CHECKPOINT_INTERVAL_MS = 5000;
