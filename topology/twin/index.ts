/**
 * The twin model and its fold: pure functions, no I/O, no clock. The stream processor calls
 * decodeInput + foldTwin per record and tickTwin from its timers; integration tests use the same
 * functions to compute a reference fold.
 */
export * from './model';
// The decoder is shared with the bridge; re-exported so the fold's callers have one import.
export * from '../../shared/inputs';
export { foldTwin } from './fold';
export { tickTwin, nextDeadline } from './tick';
export { toTwinDocument, type DocumentOptions, type TwinDocument, type PublicFieldMeta } from './document';
export { computeDelta, deltaOf, isConverged } from './delta';
export { mergePatch, applyReadings, applySnapshot, applyDesiredPatch, type FieldSet } from './merge';
export { isOpen as isOpenCommand, trimHistory, findCommand, commandDownlink } from './commands';
export { downlinkRefusal, encodeDownlink } from './downlink';
export { isLifecycleConflict } from './lifecycle';
export { deepEqual, toIso } from './json';
