/**
 * The twin model and its fold: pure functions, no I/O, no clock. The stream processor calls
 * decodeInput + foldTwin per record and tickTwin from its timers; integration tests use the same
 * functions to compute a reference fold.
 */
export * from './model';
export * from './input-types';
export { decodeInput, decodeKey } from './inputs';
export { parseTimestamp } from './timestamps';
export { MAX_COMMAND_TTL_SECONDS } from './decode-app';
export { foldTwin } from './fold';
export { tickTwin, nextDeadline } from './tick';
export { toTwinDocument, type TwinDocument, type PublicFieldMeta } from './document';
export { computeDelta, deltaOf, isConverged } from './delta';
export { mergePatch, applyReadings, applySnapshot, applyDesiredPatch, type FieldSet } from './merge';
export { isOpen as isOpenCommand, trimHistory, findCommand, commandDownlink } from './commands';
export { downlinkRefusal, encodeDownlink } from './downlink';
export { isLifecycleConflict } from './lifecycle';
export { deepEqual, toIso } from './json';
